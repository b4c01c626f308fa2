package dev.kinesisresilient.lambda;

import dev.kinesisresilient.core.KinesisBatchWriter;
import dev.kinesisresilient.lambda.internal.KinesisQuarantineSink;
import java.time.Duration;
import java.util.Objects;

/**
 * Where poison pills and over-age records go so the shard can move on: another Kinesis stream (built
 * in, {@link #kinesis}), or an SQS queue, S3 bucket or table of your own.
 *
 * <p>Contract: return normally only once the record is durably stored. Throwing (or not finishing
 * within {@code timeLeft}) makes the processor report the record to Lambda as failed, so it is
 * delivered again and never lost. A sink may see the same record twice (an earlier store whose
 * answer was lost, or a redelivered batch): make it idempotent or tolerate duplicates.
 *
 * <p>Called on the invocation's thread, or on the processor's executor with ordered parallelism, so
 * implementations used with parallelism must be thread-safe.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface QuarantineSink {

  /**
   * Stores one record.
   *
   * @param record the record, why it is quarantined, the last error and attempts
   * @param timeLeft how long until the invocation's deadline (less its safety margin); the sink
   *     should give up by then
   * @throws Exception when the record could not be stored
   */
  void quarantine(QuarantinedRecord record, Duration timeLeft) throws Exception;

  /**
   * A sink that writes each record as one JSON document to another Kinesis stream through core's
   * {@link KinesisBatchWriter} (per-entry retries, backoff, deadline). The quarantine record keeps the
   * original partition key (a sub-record's own key), so one key's pills stay in order, and holds
   * the source stream, shard, sequence number, sub-sequence number and whether the record came out
   * of a KPL aggregate, arrival time, reason, attempts, error class and message (first 1,024
   * characters) and the data in base64 (a sub-record's own data):
   *
   * <pre>{@code
   * {"version":"1.0","reason":"RETRIES_EXHAUSTED","attempts":3,"quarantinedAt":"2026-...Z",
   *  "error":{"type":"java.lang.IllegalStateException","message":"..."},
   *  "source":{"streamArn":"arn:aws:kinesis:...","shardId":"shardId-000000000000",
   *            "sequenceNumber":"4959...","subSequenceNumber":0,"aggregated":false,"partitionKey":"k",
   *            "approximateArrivalTimestamp":"2026-...Z"},
   *  "data":"eyJpZCI6NDJ9"}
   * }</pre>
   *
   * <p>Base64 and metadata make the document about a third larger than the data: a record near the
   * source stream's per-record limit fails the sink unless the quarantine stream's limit
   * ({@code MaxRecordSizeInKiB}, and the writer's {@code BatchLimits}) is raised. Such a record is
   * then reported failed, never dropped.
   *
   * <p>The writer needs {@code software.amazon.awssdk:kinesis} and an asynchronous HTTP client on the
   * function's class path: optional dependencies of this module, which a function that only processes
   * records does not deploy (docs/lambda.md, "Deployment size").
   *
   * @param writer the writer for the quarantine stream; owned by the caller (create it once per
   *     container, next to the processor)
   * @return the sink
   */
  static QuarantineSink kinesis(KinesisBatchWriter writer) {
    return new KinesisQuarantineSink(Objects.requireNonNull(writer, "writer"));
  }
}
