package dev.kinesisresilient.lambda;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * What one invocation did, per stream and shard: the input of the {@link EmfWriter} and of the
 * Micrometer meters.
 *
 * @param streamName the stream, from the event source ARN
 * @param shardId the shard of the batch
 * @param batchSize Kinesis records in the event
 * @param userRecords user records the handler was given to process: KPL aggregates count each of
 *     their sub-records, other records count one (equal to {@code batchSize} when nothing was
 *     aggregated or deaggregation is off)
 * @param outcomes how many user records ended in each outcome (every outcome present, zero or more)
 * @param retries in-process retries (attempts after the first) across the batch
 * @param iteratorAge now minus the arrival time of the batch's last record, at the start of the
 *     invocation: how far the function is behind the stream
 * @param duration the invocation's processing time
 * @param stopReason why the batch ended where it did
 * @since 0.1.0
 */
public record InvocationMetrics(
    String streamName,
    String shardId,
    int batchSize,
    int userRecords,
    Map<RecordOutcome, Integer> outcomes,
    int retries,
    Duration iteratorAge,
    Duration duration,
    StopReason stopReason) {

  /**
   * Checks the fields and fills missing outcomes with zero.
   *
   * @throws NullPointerException when a field is null
   */
  public InvocationMetrics {
    Objects.requireNonNull(streamName, "streamName");
    Objects.requireNonNull(shardId, "shardId");
    Objects.requireNonNull(iteratorAge, "iteratorAge");
    Objects.requireNonNull(duration, "duration");
    Objects.requireNonNull(stopReason, "stopReason");
    Map<RecordOutcome, Integer> m = new EnumMap<>(RecordOutcome.class);
    for (RecordOutcome o : RecordOutcome.values()) {
      m.put(o, 0);
    }
    m.putAll(Objects.requireNonNull(outcomes, "outcomes"));
    outcomes = Map.copyOf(m);
  }

  /**
   * Metrics of a batch without aggregates: as many user records as Kinesis records.
   *
   * @param streamName the stream
   * @param shardId the shard
   * @param batchSize records in the event
   * @param outcomes records per outcome
   * @param retries in-process retries
   * @param iteratorAge how far behind the function is
   * @param duration the processing time
   * @param stopReason why the batch ended
   * @throws NullPointerException when a field is null
   */
  public InvocationMetrics(String streamName, String shardId, int batchSize, Map<RecordOutcome, Integer> outcomes,
      int retries, Duration iteratorAge, Duration duration, StopReason stopReason) {
    this(streamName, shardId, batchSize, batchSize, outcomes, retries, iteratorAge, duration, stopReason);
  }

  /**
   * The count for one outcome.
   *
   * @param outcome the outcome
   * @return records that ended so
   */
  public int count(RecordOutcome outcome) {
    return outcomes.get(outcome);
  }
}
