package dev.kinesisresilient.producer.internal;

import dev.kinesisresilient.core.MetricsOptions;
import dev.kinesisresilient.core.internal.ShardTagCap;
import dev.kinesisresilient.core.internal.WriterMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The producer's meters: the core writer's set ({@link WriterMetrics}, shared names) plus buffer,
 * latency, rejection and rate-limit meters under {@code kinesis.resilient.producer.}. Meters are
 * registered once at construction (per shard when a shard appears) and held in fields; hot paths only
 * increment. Documented in docs/metrics.md. Thread-safe.
 *
 * <p>Lifetimes follow {@link WriterMetrics}: the gauges read this producer's state, carry its {@code
 * client.id} tag and are removed on close; the counters, timers and summaries are shared with every
 * other writer or producer on the same stream and registry, and removed when the last of them closes.
 */
final class ProducerMetrics implements AutoCloseable {
  static final String PREFIX = WriterMetrics.PREFIX + "producer.";
  static final String BUFFER_BYTES = PREFIX + "buffer.bytes";
  static final String BUFFER_LIMIT = PREFIX + "buffer.limit";
  static final String BUFFER_RECORDS = PREFIX + "buffer.records";
  static final String BUFFER_WAIT = PREFIX + "buffer.wait";
  static final String RECORDS_REJECTED = PREFIX + "records.rejected";
  static final String RECORD_LATENCY = PREFIX + "record.latency";
  static final String RATE_LIMIT = PREFIX + "shard.rate.limit";
  static final String AGGREGATION_ENABLED = PREFIX + "aggregation.enabled";
  static final String AGGREGATION_USER_RECORDS = PREFIX + "aggregation.user.records";
  static final String AGGREGATION_BYTES_SAVED = PREFIX + "aggregation.saved";
  static final String AGGREGATION_BYTES_OVERHEAD = PREFIX + "aggregation.overhead";
  static final String AGGREGATION_RESENT = PREFIX + "aggregation.resent";

  private final WriterMetrics writer;
  private final @Nullable MeterRegistry registry;
  private final Tags base;
  /** The one bounded {@code shard} tag, shared with the writer's meters ({@link WriterMetrics#shardTags()}). */
  private final ShardTagCap shardTags;
  private final Map<String, Meter.Id> rateGauges = new HashMap<>();
  /** Re-send counters by shard tag (registered on first use, bounded by the shard tag cap). */
  private final Map<String, Counter> resent = new HashMap<>();
  private final @Nullable Timer bufferWait;
  private final @Nullable Counter rejectedFull;
  private final @Nullable Timer latencyAcknowledged;
  private final @Nullable Timer latencyFailed;
  private final @Nullable DistributionSummary userRecordsPerRecord;
  private final @Nullable Counter bytesSaved;
  private final @Nullable Counter bytesAdded;

  ProducerMetrics(@Nullable MetricsOptions options, String stream, DefaultResilientProducer producer) {
    this.writer = WriterMetrics.create(options, stream, producer.clientId(), producer::inFlightRequests);
    this.shardTags = writer.shardTags();
    if (options == null) {
      registry = null;
      base = Tags.empty();
      bufferWait = null;
      rejectedFull = null;
      latencyAcknowledged = null;
      latencyFailed = null;
      userRecordsPerRecord = null;
      bytesSaved = null;
      bytesAdded = null;
      return;
    }
    registry = options.registry();
    base = writer.baseTags();
    Tags own = writer.ownTags();
    writer.own(Gauge.builder(BUFFER_BYTES, producer, DefaultResilientProducer::bufferedBytes)
        .description("Bytes charged against maxBufferedBytes by pending records")
        .baseUnit(BaseUnits.BYTES).tags(own).register(registry));
    writer.own(Gauge.builder(BUFFER_LIMIT, producer, DefaultResilientProducer::maxBufferedBytes)
        .description("maxBufferedBytes").baseUnit(BaseUnits.BYTES).tags(own).register(registry));
    writer.own(Gauge.builder(BUFFER_RECORDS, producer, DefaultResilientProducer::pendingRecords)
        .description("Records accepted and not yet complete (buffered, retrying or in flight)")
        .baseUnit("records").tags(own).register(registry));
    bufferWait = Timer.builder(BUFFER_WAIT).description("Time send() spent blocked waiting for buffer space")
        .tags(base).register(registry);
    // No base unit: the name says what is counted, and Prometheus would repeat it (records_rejected_records).
    rejectedFull = Counter.builder(RECORDS_REJECTED).description("Records send() refused")
        .tags(base.and("reason", "buffer_full")).register(registry);
    latencyAcknowledged = Timer.builder(RECORD_LATENCY)
        .description("Time from send() to the record's result").tags(base.and("result", "acknowledged"))
        .register(registry);
    latencyFailed = Timer.builder(RECORD_LATENCY)
        .description("Time from send() to the record's result").tags(base.and("result", "failed"))
        .register(registry);
    writer.own(Gauge.builder(AGGREGATION_ENABLED, producer, DefaultResilientProducer::aggregationActive)
        .description("1 while the producer packs records into KPL aggregates; 0 when aggregation is off "
            + "or turned itself off (AUTO record distribution, no shard map)")
        .tags(own).register(registry));
    if (producer.aggregationConfigured()) {
      userRecordsPerRecord = DistributionSummary.builder(AGGREGATION_USER_RECORDS)
          .description("User records per Kinesis record sent by an aggregating shard (1 for a record sent "
              + "on its own)").baseUnit("records").tags(base).register(registry);
      bytesSaved = Counter.builder(AGGREGATION_BYTES_SAVED)
          .description("Per aggregate sent: its user records' sizes (data plus partition key) minus the "
              + "aggregate's record size, when positive").baseUnit(BaseUnits.BYTES).tags(base).register(registry);
      bytesAdded = Counter.builder(AGGREGATION_BYTES_OVERHEAD)
          .description("Per aggregate sent: the aggregate's record size minus its user records' sizes, when "
              + "positive (framing outweighed key de-duplication)").baseUnit(BaseUnits.BYTES).tags(base)
          .register(registry);
    } else {
      userRecordsPerRecord = null;
      bytesSaved = null;
      bytesAdded = null;
    }
  }

  /**
   * One Kinesis record sent by an aggregating shard lane.
   *
   * @param userRecords the user records it carries (1 for a record sent on its own)
   * @param userBytes the sum of their sizes (data plus partition key)
   * @param recordBytes the Kinesis record's size (data plus its partition key)
   */
  void aggregateSent(int userRecords, long userBytes, long recordBytes) {
    if (userRecordsPerRecord == null) {
      return;
    }
    userRecordsPerRecord.record(userRecords);
    if (userRecords > 1) {
      long saved = userBytes - recordBytes;
      if (saved > 0) {
        bytesSaved.increment(saved);
      } else if (saved < 0) {
        bytesAdded.increment(-saved);
      }
    }
  }

  WriterMetrics writer() {
    return writer;
  }

  void blocked(long nanos) {
    if (bufferWait != null) {
      bufferWait.record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  void rejectedBufferFull() {
    if (rejectedFull != null) {
      rejectedFull.increment();
    }
  }

  /** Records a record's time from send to result (the interval is only computed when metrics are on). */
  void latency(boolean acknowledged, Instant sent, Instant completed) {
    Timer t = acknowledged ? latencyAcknowledged : latencyFailed;
    if (t != null) {
      t.record(Duration.between(sent, completed));
    }
  }

  /**
   * Registers the rate-limit gauge of a new lane: a shard's only when the shard tag cap gives it its own
   * tag (none when shard-level metrics are off or the shard is beyond the cap), the stream's as {@code all}.
   */
  void laneAdded(Lane lane) {
    if (registry == null) {
      return;
    }
    String tag = lane.isShard() ? shardTags.tag(lane.id) : WriterMetrics.ALL_SHARDS;
    if (lane.isShard() && !tag.equals(lane.id)) {
      return;
    }
    synchronized (rateGauges) {
      if (rateGauges.containsKey(tag)) {
        return;
      }
      Gauge g = Gauge.builder(RATE_LIMIT, lane.limiter, AdaptiveRateLimiter::recordsPerSecond)
          .description("Current adaptive write limit (records per second) of a shard, or of the stream "
              + "when shards are not predicted")
          .baseUnit("records.per.second").tags(writer.ownTags(Tag.of("shard", tag))).strongReference(true)
          .register(registry);
      rateGauges.put(tag, writer.own(g).getId());
    }
  }

  /** Removes the rate-limit gauge of a lane that closed. */
  void laneRetired(Lane lane) {
    if (registry == null || !lane.isShard()) {
      return;
    }
    Meter.Id id;
    synchronized (rateGauges) {
      id = rateGauges.remove(lane.id);
    }
    if (id != null) {
      writer.removeOwn(id);
    }
  }

  /**
   * User records of an aggregate that landed on {@code shardId} (not the predicted shard) across that
   * shard's hash key range, and are sent again.
   *
   * @param shardId the shard the aggregate landed on
   * @param records how many user records are sent again
   */
  void aggregateResent(String shardId, int records) {
    if (registry == null || records <= 0) {
      return;
    }
    Counter c;
    synchronized (resent) {
      String tag = shardTags.tag(shardId);
      c = resent.get(tag);
      if (c == null) {
        // Shared like the writer's per-shard counters: removed when the last user of the registry closes.
        c = Counter.builder(AGGREGATION_RESENT)
            .description("User records of an aggregate stored on a shard other than predicted (a reshard), "
                + "outside that shard's hash key range, sent again")
            .tags(base.and("shard", tag)).register(registry);
        resent.put(tag, c);
      }
    }
    c.increment(records);
  }

  /** Removes the gauges, and the shared meters when no other writer or producer uses them. */
  @Override
  public void close() {
    synchronized (rateGauges) {
      rateGauges.clear();
    }
    synchronized (resent) {
      resent.clear();
    }
    writer.close();
  }
}
