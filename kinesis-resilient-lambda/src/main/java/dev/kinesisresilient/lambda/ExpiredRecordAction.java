package dev.kinesisresilient.lambda;

/**
 * What to do with a record older than {@link KinesisBatchProcessor.Builder#maxRecordAge}.
 *
 * @since 0.1.0
 */
public enum ExpiredRecordAction {
  /** Send it to the quarantine sink (needs one), so it can be replayed. The default. */
  QUARANTINE,
  /** Skip it and count it in the {@code expired} metric; the data is dropped on purpose. */
  SKIP
}
