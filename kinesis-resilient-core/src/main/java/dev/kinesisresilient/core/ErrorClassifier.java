package dev.kinesisresilient.core;

import dev.kinesisresilient.core.internal.DefaultErrorClassifier;

/**
 * Decides which Kinesis errors are worth retrying: one table for per-entry error codes of a
 * PutRecords response and for whole-request failures.
 *
 * <p>The default table ({@link #defaults()}):
 *
 * <table>
 *   <caption>Default classification</caption>
 *   <tr><th>error</th><th>retriable</th><th>metric code</th></tr>
 *   <tr><td>entry ProvisionedThroughputExceededException</td><td>yes</td>
 *       <td>ProvisionedThroughputExceededException</td></tr>
 *   <tr><td>entry InternalFailure</td><td>yes</td><td>InternalFailure</td></tr>
 *   <tr><td>entry, any other code</td><td>yes, within the deadline</td><td>other</td></tr>
 *   <tr><td>request ProvisionedThroughputExceededException, LimitExceededException,
 *       KMSThrottlingException, ThrottlingException, ResourceInUseException</td><td>yes</td>
 *       <td>the code</td></tr>
 *   <tr><td>request InternalFailure, ServiceUnavailable, any HTTP 5xx or 429</td><td>yes</td>
 *       <td>the code, or {@code 5xx}</td></tr>
 *   <tr><td>IO errors (connection reset/refused, closed channel), attempt and call
 *       timeouts</td><td>yes</td><td>{@code IOError}, {@code AttemptTimeout}, {@code CallTimeout}</td></tr>
 *   <tr><td>ResourceNotFoundException, AccessDeniedException, InvalidArgumentException,
 *       ValidationException, HTTP 413, KMS key state errors (KMSDisabledException,
 *       KMSInvalidStateException, KMSNotFoundException, KMSAccessDeniedException, KMSOptInRequired),
 *       authentication errors</td><td>no</td><td>the code, or {@code 413}</td></tr>
 *   <tr><td>TLS: the server's certificate is not trusted (a {@code CertificateException} or
 *       {@code SSLPeerUnverifiedException} in the cause chain)</td><td>no</td><td>{@code TlsCertificate}</td></tr>
 *   <tr><td>any other HTTP 4xx, any other exception</td><td>no</td><td>other</td></tr>
 * </table>
 *
 * <p>Implementations must be thread-safe and must not throw.
 *
 * @since 0.1.0
 */
public interface ErrorClassifier {

  /**
   * Classifies a per-entry error of a PutRecords response.
   *
   * @param errorCode the entry's {@code ErrorCode}
   * @return the verdict
   */
  ErrorClassification classifyEntry(String errorCode);

  /**
   * Classifies a failure of a whole request: a service exception, a client-side exception or a
   * timeout. {@link java.util.concurrent.CompletionException} and {@link
   * java.util.concurrent.ExecutionException} wrappers are looked through.
   *
   * @param failure the failure
   * @return the verdict
   */
  ErrorClassification classifyFailure(Throwable failure);

  /**
   * The default table described above.
   *
   * @return the shared, stateless default classifier
   */
  static ErrorClassifier defaults() {
    return DefaultErrorClassifier.INSTANCE;
  }
}
