package dev.kinesisresilient.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.kinesis.model.KinesisException;

final class ErrorClassifierTest {

  private final ErrorClassifier classifier = ErrorClassifier.defaults();

  @ParameterizedTest
  @CsvSource({
    "ProvisionedThroughputExceededException, true, ProvisionedThroughputExceededException",
    "InternalFailure, true, InternalFailure",
    "SomethingNew, true, other",
    "InvalidArgumentException, true, other"
  })
  void classifyEntry_table(String code, boolean retriable, String metricCode) {
    assertThat(classifier.classifyEntry(code)).isEqualTo(new ErrorClassification(retriable, metricCode));
  }

  @ParameterizedTest
  @CsvSource({
    "ProvisionedThroughputExceededException, 400, true, ProvisionedThroughputExceededException",
    "LimitExceededException, 400, true, LimitExceededException",
    "KMSThrottlingException, 400, true, KMSThrottlingException",
    "ThrottlingException, 400, true, ThrottlingException",
    "InternalFailure, 500, true, InternalFailure",
    "ServiceUnavailable, 503, true, ServiceUnavailable",
    "WeirdServerThing, 502, true, 5xx",
    "Whatever, 429, true, ThrottlingException",
    "ResourceNotFoundException, 400, false, ResourceNotFoundException",
    "AccessDeniedException, 400, false, AccessDeniedException",
    "InvalidArgumentException, 400, false, InvalidArgumentException",
    "ValidationException, 400, false, ValidationException",
    "KMSDisabledException, 400, false, KMSDisabledException",
    "KMSInvalidStateException, 400, false, KMSInvalidStateException",
    "KMSNotFoundException, 400, false, KMSNotFoundException",
    "KMSAccessDeniedException, 400, false, KMSAccessDeniedException",
    "KMSOptInRequired, 400, false, KMSOptInRequired",
    "ExpiredTokenException, 400, false, AuthenticationError",
    "RequestEntityTooLarge, 413, false, 413",
    "SomeOther4xx, 400, false, other"
  })
  void classifyFailure_serviceExceptions(String code, int status, boolean retriable, String metricCode) {
    KinesisException e = (KinesisException) KinesisException.builder()
        .message(code)
        .statusCode(status)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(code).serviceName("Kinesis").build())
        .build();
    assertThat(classifier.classifyFailure(e)).isEqualTo(new ErrorClassification(retriable, metricCode));
    // as the SDK's futures deliver it
    assertThat(classifier.classifyFailure(new CompletionException(e)))
        .isEqualTo(new ErrorClassification(retriable, metricCode));
  }

  @Test
  void classifyFailure_timeoutsAndIo_retriable() {
    assertThat(classifier.classifyFailure(ApiCallAttemptTimeoutException.create(1000)))
        .isEqualTo(new ErrorClassification(true, "AttemptTimeout"));
    assertThat(classifier.classifyFailure(ApiCallTimeoutException.create(1000)))
        .isEqualTo(new ErrorClassification(true, "CallTimeout"));
    assertThat(classifier.classifyFailure(new TimeoutException("x")))
        .isEqualTo(new ErrorClassification(true, "AttemptTimeout"));
    assertThat(classifier.classifyFailure(SdkClientException.create("reset", new IOException("Connection reset"))))
        .isEqualTo(new ErrorClassification(true, "IOError"));
    assertThat(classifier.classifyFailure(new CompletionException(SdkClientException.create("refused",
        new ConnectException("Connection refused")))))
        .isEqualTo(new ErrorClassification(true, "IOError"));
  }

  @Test
  void classifyFailure_untrustedCertificate_notRetriable() {
    javax.net.ssl.SSLHandshakeException handshake = new javax.net.ssl.SSLHandshakeException("PKIX path building failed");
    handshake.initCause(new java.security.cert.CertificateException("unable to find valid certification path"));
    assertThat(classifier.classifyFailure(new CompletionException(SdkClientException.create("tls", handshake))))
        .isEqualTo(new ErrorClassification(false, "TlsCertificate"));
    // a handshake cut by the network is still an IO error worth retrying
    assertThat(classifier.classifyFailure(SdkClientException.create("tls",
        new javax.net.ssl.SSLHandshakeException("Remote host terminated the handshake"))))
        .isEqualTo(new ErrorClassification(true, "IOError"));
  }

  @Test
  void classifyFailure_unknownException_notRetriableOther() {
    assertThat(classifier.classifyFailure(new IllegalStateException("bug")))
        .isEqualTo(new ErrorClassification(false, "other"));
    assertThat(classifier.classifyFailure(SdkClientException.create("Unable to load credentials")))
        .isEqualTo(new ErrorClassification(false, "other"));
  }
}
