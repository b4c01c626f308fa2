package dev.kinesisresilient.lambda;

/**
 * What happened to one record of a batch.
 *
 * @since 0.1.0
 */
public enum RecordOutcome {
  /** The handler returned normally (perhaps after in-process retries). */
  SUCCEEDED,
  /** The handler failed and the record is reported back to Lambda, which will deliver it again. */
  FAILED,
  /** The handler failed permanently or ran out of attempts; the record went to the quarantine sink. */
  QUARANTINED,
  /** The filter rejected the record; the handler never saw it. */
  FILTERED,
  /** The record was older than the maximum age and was skipped (counted, not quarantined). */
  EXPIRED_SKIPPED,
  /** The record was older than the maximum age and went to the quarantine sink. */
  EXPIRED_QUARANTINED,
  /** Not processed because the batch stopped before it (failure or deadline); Lambda redelivers it. */
  NOT_PROCESSED
}
