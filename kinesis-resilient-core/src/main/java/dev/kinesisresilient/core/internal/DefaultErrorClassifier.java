package dev.kinesisresilient.core.internal;

import dev.kinesisresilient.core.ErrorClassification;
import dev.kinesisresilient.core.ErrorClassifier;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkServiceException;

/** The default classification table. Stateless and thread-safe. */
public final class DefaultErrorClassifier implements ErrorClassifier {

  /** The shared instance. */
  public static final DefaultErrorClassifier INSTANCE = new DefaultErrorClassifier();

  /** Metric code of our own or the SDK's per-attempt timeout. */
  public static final String ATTEMPT_TIMEOUT = "AttemptTimeout";

  /** Metric code of the SDK's whole-call timeout. */
  public static final String CALL_TIMEOUT = "CallTimeout";

  /** Metric code of IO errors. */
  public static final String IO_ERROR = "IOError";

  /** Metric code of an untrusted server certificate (not retriable). */
  public static final String TLS_CERTIFICATE = "TlsCertificate";

  /** Metric code of a 5xx without a known error code. */
  public static final String SERVER_ERROR = "5xx";

  private static final ErrorClassification RETRY_OTHER = new ErrorClassification(true, ErrorClassification.OTHER);
  private static final ErrorClassification FATAL_OTHER = new ErrorClassification(false, ErrorClassification.OTHER);

  /** Per-entry error codes of a PutRecords response. */
  private static final Map<String, ErrorClassification> ENTRY_CODES = Map.of(
      "ProvisionedThroughputExceededException", retry("ProvisionedThroughputExceededException"),
      "InternalFailure", retry("InternalFailure"));

  /** Request-level error codes. */
  private static final Map<String, ErrorClassification> REQUEST_CODES = Map.ofEntries(
      Map.entry("ProvisionedThroughputExceededException", retry("ProvisionedThroughputExceededException")),
      Map.entry("LimitExceededException", retry("LimitExceededException")),
      Map.entry("KMSThrottlingException", retry("KMSThrottlingException")),
      Map.entry("ThrottlingException", retry("ThrottlingException")),
      Map.entry("Throttling", retry("ThrottlingException")),
      Map.entry("RequestLimitExceeded", retry("ThrottlingException")),
      Map.entry("ResourceInUseException", retry("ResourceInUseException")),
      Map.entry("InternalFailure", retry("InternalFailure")),
      Map.entry("InternalServerError", retry("InternalFailure")),
      Map.entry("ServiceUnavailable", retry("ServiceUnavailable")),
      Map.entry("ServiceUnavailableException", retry("ServiceUnavailable")),
      Map.entry("ResourceNotFoundException", fatal("ResourceNotFoundException")),
      Map.entry("AccessDeniedException", fatal("AccessDeniedException")),
      Map.entry("InvalidArgumentException", fatal("InvalidArgumentException")),
      Map.entry("ValidationException", fatal("ValidationException")),
      Map.entry("SerializationException", fatal("ValidationException")),
      Map.entry("KMSDisabledException", fatal("KMSDisabledException")),
      Map.entry("KMSInvalidStateException", fatal("KMSInvalidStateException")),
      Map.entry("KMSNotFoundException", fatal("KMSNotFoundException")),
      Map.entry("KMSAccessDeniedException", fatal("KMSAccessDeniedException")),
      Map.entry("KMSOptInRequired", fatal("KMSOptInRequired")),
      Map.entry("UnrecognizedClientException", fatal("AuthenticationError")),
      Map.entry("InvalidSignatureException", fatal("AuthenticationError")),
      Map.entry("IncompleteSignature", fatal("AuthenticationError")),
      Map.entry("MissingAuthenticationToken", fatal("AuthenticationError")),
      Map.entry("ExpiredTokenException", fatal("AuthenticationError")));

  /**
   * Metric codes of throttling: the service refused the work without doing it. The one list the writer,
   * the producer and the retry budget share.
   */
  private static final Set<String> THROTTLING = Set.of("ProvisionedThroughputExceededException",
      "LimitExceededException", "ThrottlingException", "KMSThrottlingException");

  private DefaultErrorClassifier() {}

  /**
   * Whether an error code (raw or as this table's metric code) means throttling: the service refused
   * the work without doing it.
   *
   * @param code the error or metric code; null when unknown
   * @return true for throttling
   */
  public static boolean isThrottling(@Nullable String code) {
    return code != null && THROTTLING.contains(code);
  }

  private static ErrorClassification retry(String code) {
    return new ErrorClassification(true, code);
  }

  private static ErrorClassification fatal(String code) {
    return new ErrorClassification(false, code);
  }

  @Override
  public ErrorClassification classifyEntry(String errorCode) {
    if (errorCode == null) {
      return RETRY_OTHER;
    }
    return ENTRY_CODES.getOrDefault(errorCode, RETRY_OTHER);
  }

  @Override
  public ErrorClassification classifyFailure(Throwable failure) {
    Throwable t = unwrap(failure);
    if (t instanceof AwsServiceException aws) {
      String code = awsErrorCode(aws);
      if (code != null) {
        ErrorClassification known = REQUEST_CODES.get(code);
        if (known != null) {
          return known;
        }
      }
      return byStatus(aws.statusCode());
    }
    if (t instanceof SdkServiceException sdk) {
      return byStatus(sdk.statusCode());
    }
    if (t instanceof ApiCallAttemptTimeoutException || t instanceof TimeoutException) {
      return retry(ATTEMPT_TIMEOUT);
    }
    if (t instanceof ApiCallTimeoutException) {
      return retry(CALL_TIMEOUT);
    }
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof java.security.cert.CertificateException
          || c instanceof java.security.cert.CertPathValidatorException
          || c instanceof javax.net.ssl.SSLPeerUnverifiedException) {
        // The server's certificate is not trusted: trying again cannot help.
        return fatal(TLS_CERTIFICATE);
      }
    }
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof IOException || c instanceof ClosedChannelException) {
        return retry(IO_ERROR);
      }
      if (c instanceof ApiCallAttemptTimeoutException || c instanceof TimeoutException) {
        return retry(ATTEMPT_TIMEOUT);
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return FATAL_OTHER;
  }

  private static ErrorClassification byStatus(int status) {
    if (status >= 500 && status <= 599) {
      return retry(SERVER_ERROR);
    }
    if (status == 429) {
      return retry("ThrottlingException");
    }
    if (status == 413) {
      return fatal("413");
    }
    return FATAL_OTHER;
  }

  /**
   * The service's error code of a failure (for example {@code ResourceNotFoundException}), looking
   * through completion wrappers: the one place that reads it from an {@link AwsServiceException}.
   *
   * @param failure a failure
   * @return the error code, or null when the failure is not a service error or carries no code
   */
  public static @Nullable String awsErrorCode(Throwable failure) {
    if (unwrap(failure) instanceof AwsServiceException aws && aws.awsErrorDetails() != null) {
      return aws.awsErrorDetails().errorCode();
    }
    return null;
  }

  /**
   * Looks through completion wrappers.
   *
   * @param failure a failure
   * @return the innermost non-wrapper
   */
  public static Throwable unwrap(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
