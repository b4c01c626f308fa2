package dev.kinesisresilient.lambda.internal;

import dev.kinesisresilient.core.MetricsOptions;
import dev.kinesisresilient.core.internal.ShardTagCap;
import dev.kinesisresilient.lambda.InvocationMetrics;
import dev.kinesisresilient.lambda.RecordOutcome;
import dev.kinesisresilient.lambda.StopReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The Lambda module's Micrometer meters, per stream and shard (documented in docs/metrics.md).
 * Meters of one stream and shard are registered together the first time it is seen and then only
 * incremented. Thread-safe.
 */
final class LambdaMeters {

  /** Prefix of every meter. */
  static final String PREFIX = "kinesis.resilient.lambda.";
  /** Records by final outcome; tag {@code result}. */
  static final String RECORDS = PREFIX + "records";
  /** In-process retries. */
  static final String RETRIES = PREFIX + "record.retries";
  /** Now minus the last record's arrival, per invocation. */
  static final String ITERATOR_AGE = PREFIX + "iterator.age";
  /** Records per invocation. */
  static final String BATCH_RECORDS = PREFIX + "batch.records";
  /** User records per Kinesis record: a KPL aggregate's sub-records, 1 for other records. */
  static final String SUBRECORDS_PER_RECORD = PREFIX + "subrecords.per.record";
  /** Batches that stopped early; tag {@code reason=deadline|failure}. */
  static final String EARLY_STOPS = PREFIX + "early.stops";
  /** Time in the user's handler, per attempt. */
  static final String HANDLER_DURATION = PREFIX + "handler.duration";
  /** Time to process a batch. */
  static final String BATCH_DURATION = PREFIX + "batch.duration";

  private final @Nullable MeterRegistry registry;
  private final @Nullable MetricsOptions options;
  private final Map<String, ShardMeters> byShard = new ConcurrentHashMap<>();
  private final ShardTagCap shardTags;

  /**
   * Meters on the options' registry, or none.
   *
   * @param options the options, or null for no metrics
   */
  LambdaMeters(@Nullable MetricsOptions options) {
    this.options = options;
    this.registry = options == null ? null : options.registry();
    this.shardTags = options == null ? new ShardTagCap(false, 0) : ShardTagCap.of(options);
  }

  /**
   * The meters of one stream and shard.
   *
   * @param stream the stream name
   * @param shardId the shard id
   * @return the meters, or null when metrics are off
   */
  @Nullable ShardMeters forShard(String stream, String shardId) {
    if (registry == null || options == null) {
      return null;
    }
    String shard = shardTags.tag(shardId);
    return byShard.computeIfAbsent(stream + '|' + shard, k -> new ShardMeters(registry,
        Tags.of(options.tags()).and("stream", stream, "shard", shard)));
  }

  /** Meters of one stream and shard. */
  static final class ShardMeters {
    private final Map<RecordOutcome, Counter> records = new EnumMap<>(RecordOutcome.class);
    private final Counter retries;
    private final Timer iteratorAge;
    private final DistributionSummary batchRecords;
    private final DistributionSummary subrecordsPerRecord;
    private final Counter deadlineStops;
    private final Counter failureStops;
    private final Timer handlerDuration;
    private final Timer batchDuration;

    ShardMeters(MeterRegistry registry, Tags tags) {
      for (RecordOutcome o : RecordOutcome.values()) {
        records.put(o, Counter.builder(RECORDS).description("Records by final outcome in an invocation")
            .baseUnit("records").tags(tags.and("result", o.name().toLowerCase(Locale.ROOT))).register(registry));
      }
      retries = Counter.builder(RETRIES).description("In-process handler retries (attempts after the first)")
          .baseUnit("retries").tags(tags).register(registry);
      iteratorAge = Timer.builder(ITERATOR_AGE)
          .description("Now minus the arrival time of the batch's last record, at invocation start")
          .tags(tags).register(registry);
      batchRecords = DistributionSummary.builder(BATCH_RECORDS).description("Records per invocation")
          .baseUnit("records").tags(tags).register(registry);
      // No base unit where the name already says what is counted: Prometheus would append it again
      // (subrecords_per_record_records, early_stops_batches).
      subrecordsPerRecord = DistributionSummary.builder(SUBRECORDS_PER_RECORD)
          .description("User records per Kinesis record (sub-records of a KPL aggregate, 1 otherwise)")
          .tags(tags).register(registry);
      deadlineStops = Counter.builder(EARLY_STOPS).description("Batches that stopped early")
          .tags(tags.and("reason", "deadline")).register(registry);
      failureStops = Counter.builder(EARLY_STOPS).description("Batches that stopped early")
          .tags(tags.and("reason", "failure")).register(registry);
      handlerDuration = Timer.builder(HANDLER_DURATION).description("Time in the record handler, per attempt")
          .tags(tags).register(registry);
      batchDuration = Timer.builder(BATCH_DURATION).description("Time to process one batch")
          .tags(tags).register(registry);
    }

    /**
     * Records one handler attempt's duration.
     *
     * @param d the duration
     */
    void handlerAttempt(Duration d) {
      handlerDuration.record(d);
    }

    /**
     * Records how many user records each Kinesis record of a batch carried.
     *
     * @param counts one entry per Kinesis record
     */
    void userRecordsPerRecord(int[] counts) {
      for (int n : counts) {
        subrecordsPerRecord.record(n);
      }
    }

    /**
     * Records one invocation's totals.
     *
     * @param m the invocation's metrics
     */
    void invocation(InvocationMetrics m) {
      m.outcomes().forEach((o, n) -> {
        if (n > 0) {
          records.get(o).increment(n);
        }
      });
      if (m.retries() > 0) {
        retries.increment(m.retries());
      }
      iteratorAge.record(m.iteratorAge());
      batchRecords.record(m.batchSize());
      batchDuration.record(m.duration());
      if (m.stopReason() == StopReason.DEADLINE) {
        deadlineStops.increment();
      } else if (m.stopReason() == StopReason.RECORD_FAILED) {
        failureStops.increment();
      }
    }
  }
}
