package dev.kinesisresilient.lambda;

/**
 * Why a batch ended where it did.
 *
 * @since 0.1.0
 */
public enum StopReason {
  /** Every record was handled (succeeded, quarantined, filtered or expired). */
  COMPLETED,
  /** A record failed; the batch stopped there and reported it. */
  RECORD_FAILED,
  /** The remaining time fell below the safety margin; the first unprocessed record was reported. */
  DEADLINE
}
