package dev.kinesisresilient.lambda;

/**
 * Why a record went to the quarantine sink.
 *
 * @since 0.1.0
 */
public enum QuarantineReason {
  /** The handler's failure was classified permanent by the user's predicate. */
  PERMANENT_FAILURE,
  /** The handler still failed after the retry policy's {@code maxAttempts}. */
  RETRIES_EXHAUSTED,
  /** The record was older than the configured maximum age. */
  RECORD_TOO_OLD
}
