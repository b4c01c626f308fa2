package dev.kinesisresilient.core;

/**
 * Why a record was not acknowledged.
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
  INVALID
}
