package dev.kinesisresilient.core;

/**
 * Why a record was not acknowledged.
 *
 * <p>The first four are shared: the batch writer and the producer ({@code kinesis-resilient-producer})
 * give them, the Lambda module's retry decisions use the first three (and map them to its quarantine
 * reasons), and its Kinesis quarantine sink writes through the batch writer. Only the producer gives
 * {@link #CLOSED}. In metrics the reason appears lower-cased as the {@code reason} tag (e.g. {@code
 * reason=deadline_exceeded}).
 *
 * @since 0.1.0
 */
public enum FailureReason {
  /** The record's last error was retriable but it used all of {@link RetryPolicy#maxAttempts()}. */
  RETRIES_EXHAUSTED,
  /**
   * The record ran out of time: its bound passed while it waited or was in flight, or its next retry
   * would have started at or after it. The bound is the engine's: the writer's {@link
   * RetryPolicy#deadline()} (from the {@code write} call), the producer's {@code deliveryTimeout} (from
   * {@code send}, covering buffering, sending and every retry). The error code is the last error seen,
   * or {@code DeadlineExceeded} when the record has none of its own (never sent, or never answered).
   */
  DEADLINE_EXCEEDED,
  /** The last error was classified not retriable (e.g. ResourceNotFound, AccessDenied). */
  NOT_RETRIABLE,
  /** The record breaks a limit in force (e.g. over {@link BatchLimits#maxRecordBytes()}); it was
   * never sent. */
  INVALID,
  /**
   * The producer was closed and its close timeout passed before the record could be acknowledged;
   * it may or may not have been stored if it was in flight.
   *
   * @since 0.1.0
   */
  CLOSED
}
