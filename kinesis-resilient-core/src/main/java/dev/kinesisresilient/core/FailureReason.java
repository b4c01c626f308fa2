package dev.kinesisresilient.core;

/**
 * Why a record was not acknowledged.
 *
 * <p>The batch writer uses the first four; the producer ({@code kinesis-resilient-producer}) adds
 * {@link #EXPIRED} and {@link #CLOSED}. In metrics the reason appears lower-cased as the {@code reason}
 * tag (e.g. {@code reason=expired}).
 *
 * @since 0.1.0
 */
public enum FailureReason {
  /** The record's last error was retriable but it used all of {@link RetryPolicy#maxAttempts()}. */
  RETRIES_EXHAUSTED,
  /** The next retry would have started after the operation's deadline, or the deadline passed while
   * the record waited or was in flight. */
  DEADLINE_EXCEEDED,
  /** The last error was classified not retriable (e.g. ResourceNotFound, AccessDenied). */
  NOT_RETRIABLE,
  /** The record breaks a limit in force (e.g. over {@link BatchLimits#maxRecordBytes()}); it was
   * never sent. */
  INVALID,
  /**
   * The record's delivery timeout (producer {@code deliveryTimeout}, measured from {@code send} and
   * covering buffering, sending and every retry) passed before it was acknowledged, or the next retry
   * would have started after it. The error code is the last error seen, or {@code DeliveryTimeout}
   * when the record was never sent.
   *
   * @since 0.1.0
   */
  EXPIRED,
  /**
   * The producer was closed and its close timeout passed before the record could be acknowledged;
   * it may or may not have been stored if it was in flight.
   *
   * @since 0.1.0
   */
  CLOSED
}
