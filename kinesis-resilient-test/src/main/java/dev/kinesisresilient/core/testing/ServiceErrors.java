package dev.kinesisresilient.core.testing;

import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.kinesis.model.AccessDeniedException;
import software.amazon.awssdk.services.kinesis.model.DryRunOperationException;
import software.amazon.awssdk.services.kinesis.model.ExpiredIteratorException;
import software.amazon.awssdk.services.kinesis.model.ExpiredNextTokenException;
import software.amazon.awssdk.services.kinesis.model.InternalFailureException;
import software.amazon.awssdk.services.kinesis.model.InvalidArgumentException;
import software.amazon.awssdk.services.kinesis.model.KinesisException;
import software.amazon.awssdk.services.kinesis.model.KmsAccessDeniedException;
import software.amazon.awssdk.services.kinesis.model.KmsDisabledException;
import software.amazon.awssdk.services.kinesis.model.KmsInvalidStateException;
import software.amazon.awssdk.services.kinesis.model.KmsNotFoundException;
import software.amazon.awssdk.services.kinesis.model.KmsOptInRequiredException;
import software.amazon.awssdk.services.kinesis.model.KmsThrottlingException;
import software.amazon.awssdk.services.kinesis.model.LimitExceededException;
import software.amazon.awssdk.services.kinesis.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.kinesis.model.ResourceInUseException;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;
import software.amazon.awssdk.services.kinesis.model.ValidationException;

/**
 * The service errors of a {@link FakeKinesisAsyncClient}: builds the SDK's own exception for an AWS error
 * code (the modeled subclass when there is one, the service's status code, service name {@code Kinesis})
 * and, for errors the fake raises itself, a request id unique within the client. The request id counter
 * is guarded by the client's lock: callers of the instance methods hold it.
 */
final class ServiceErrors {

  private static final String SERVICE_ERROR_NAME = "Kinesis";

  private final String accountId;
  private long nextRequestId;

  ServiceErrors(String accountId) {
    this.accountId = accountId;
  }

  static KinesisException serviceException(String errorCode, int statusCode, String message) {
    Objects.requireNonNull(errorCode, "errorCode");
    Objects.requireNonNull(message, "message");
    return newServiceException(errorCode, statusCode, message, null);
  }

  static String rateExceededMessage(String shardId, String streamName, String accountId) {
    Objects.requireNonNull(shardId, "shardId");
    Objects.requireNonNull(streamName, "streamName");
    Objects.requireNonNull(accountId, "accountId");
    return "Rate exceeded for shard " + shardId + " in stream " + streamName + " under account " + accountId + ".";
  }

  static int defaultStatusCode(String errorCode) {
    switch (errorCode.toLowerCase(Locale.ROOT)) {
      case "internalfailure":
      case "internalfailureexception":
      case "internalservererror":
        return 500;
      case "serviceunavailable":
        return 503;
      default:
        return 400;
    }
  }

  static KinesisException newServiceException(
      String errorCode, int statusCode, String message, @Nullable String requestId) {
    KinesisException.Builder b;
    switch (errorCode.toLowerCase(Locale.ROOT)) {
      case "provisionedthroughputexceededexception":
        b = ProvisionedThroughputExceededException.builder();
        break;
      case "limitexceededexception":
        b = LimitExceededException.builder();
        break;
      case "resourcenotfoundexception":
        b = ResourceNotFoundException.builder();
        break;
      case "resourceinuseexception":
        b = ResourceInUseException.builder();
        break;
      case "invalidargumentexception":
        b = InvalidArgumentException.builder();
        break;
      case "validationexception":
        b = ValidationException.builder();
        break;
      case "accessdeniedexception":
        b = AccessDeniedException.builder();
        break;
      case "expirediteratorexception":
        b = ExpiredIteratorException.builder();
        break;
      case "expirednexttokenexception":
        b = ExpiredNextTokenException.builder();
        break;
      case "internalfailureexception":
        b = InternalFailureException.builder();
        break;
      case "dryrunoperationexception":
        b = DryRunOperationException.builder();
        break;
      case "kmsthrottlingexception":
        b = KmsThrottlingException.builder();
        break;
      case "kmsdisabledexception":
        b = KmsDisabledException.builder();
        break;
      case "kmsinvalidstateexception":
        b = KmsInvalidStateException.builder();
        break;
      case "kmsaccessdeniedexception":
        b = KmsAccessDeniedException.builder();
        break;
      case "kmsnotfoundexception":
        b = KmsNotFoundException.builder();
        break;
      case "kmsoptinrequired":
      case "kmsoptinrequiredexception":
        b = KmsOptInRequiredException.builder();
        break;
      default:
        b = KinesisException.builder();
        break;
    }
    AwsErrorDetails details = AwsErrorDetails.builder()
        .errorCode(errorCode)
        .errorMessage(message)
        .serviceName(SERVICE_ERROR_NAME)
        .sdkHttpResponse(SdkHttpResponse.builder().statusCode(statusCode).build())
        .build();
    b.message(message).statusCode(statusCode).awsErrorDetails(details);
    if (requestId != null) {
      b.requestId(requestId);
    }
    return (KinesisException) b.build();
  }

  /** An error the fake raises, with the code's status and a fresh request id. Caller holds the lock. */
  KinesisException error(String errorCode, String message) {
    String requestId = String.format("%08x-0000-4000-8000-%012x", accountId.hashCode(), ++nextRequestId);
    return newServiceException(errorCode, defaultStatusCode(errorCode), message, requestId);
  }

  KinesisException validation(String message) {
    return error("ValidationException", message);
  }

  KinesisException invalidArgument(String message) {
    return error("InvalidArgumentException", message);
  }
}
