package dev.kinesisresilient.lambda;

/**
 * The application's processing of one record.
 *
 * <p>Returning normally means the record is done. Throwing means it failed: the processor retries it
 * in process as its {@link KinesisBatchProcessor.Builder#retryPolicy retry policy} allows, then
 * quarantines it or stops the batch there (see {@link KinesisBatchProcessor}). Lambda delivers at
 * least once, so handlers must be idempotent; {@link StreamRecord#idempotencyKey()} (sequence number
 * and sub-sequence number) is a natural idempotency key, also for the sub-records of KPL aggregates,
 * which are redelivered together when one of them fails.
 *
 * <p>Runs on the invocation's thread, or with ordered parallelism on the processor's executor (never
 * two records of the same partition key at once; for a sub-record, its own key).
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface RecordHandler {

  /**
   * Processes one record.
   *
   * @param record the record, with its metadata and attempt number
   * @throws Exception when processing failed
   */
  void handle(StreamRecord record) throws Exception;
}
