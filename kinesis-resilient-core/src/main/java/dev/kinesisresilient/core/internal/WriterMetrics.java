package dev.kinesisresilient.core.internal;

import dev.kinesisresilient.core.FailureReason;
import dev.kinesisresilient.core.MetricsOptions;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The core writer's meters. Meter names and tags are documented in docs/metrics.md. Thread-safe;
 * {@link #noop()} records nothing. Closing removes every meter this instance registered.
 */
public final class WriterMetrics implements AutoCloseable {

  /** Meter name prefix. */
  public static final String PREFIX = "kinesis.resilient.";
  /** Records acknowledged, by stream and shard. */
  public static final String RECORDS_ACKNOWLEDGED = PREFIX + "records.acknowledged";
  /** Records failed, by stream, reason and error code. */
  public static final String RECORDS_FAILED = PREFIX + "records.failed";
  /** Entries scheduled for another attempt, by stream, shard and error code. */
  public static final String ENTRIES_RETRIED = PREFIX + "entries.retried";
  /** Attempts a record took, by stream and result. */
  public static final String RECORD_ATTEMPTS = PREFIX + "record.attempts";
  /** PutRecords call latency, by stream, result and error code. */
  public static final String PUT_RECORDS_LATENCY = PREFIX + "putrecords.latency";
  /** Records per PutRecords request, by stream. */
  public static final String REQUEST_RECORDS = PREFIX + "putrecords.request.records";
  /** Bytes per PutRecords request, by stream. */
  public static final String REQUEST_BYTES = PREFIX + "putrecords.request.bytes";
  /** PutRecords requests in flight, by stream. */
  public static final String IN_FLIGHT = PREFIX + "putrecords.inflight";

  /** Tag value when shard-level metrics are off. */
  public static final String ALL_SHARDS = "all";
  /** Tag value for a shard that could not be determined. */
  public static final String UNKNOWN_SHARD = "unknown";
  /** Tag value for shards beyond the cap. */
  public static final String OTHER_SHARDS = "other";
  /** Tag value of {@code error.code} when there was no error. */
  public static final String NO_ERROR = "none";

  private static final Pattern SHARD_IN_MESSAGE = Pattern.compile("(shardId-\\d+)");

  private static final WriterMetrics NOOP = new WriterMetrics();

  private final @Nullable MeterRegistry registry;
  private final Tags base;
  private final boolean shardLevel;
  private final int maxShards;
  private final java.util.Set<String> knownShards = ConcurrentHashMap.newKeySet();
  private final Map<String, Counter> acknowledgedByShard = new ConcurrentHashMap<>();
  private final Map<String, Counter> retried = new ConcurrentHashMap<>();
  private final Map<String, Counter> failed = new ConcurrentHashMap<>();
  private final Map<String, Timer> latency = new ConcurrentHashMap<>();
  private final @Nullable DistributionSummary attemptsAcknowledged;
  private final @Nullable DistributionSummary attemptsFailed;
  private final @Nullable DistributionSummary requestRecords;
  private final @Nullable DistributionSummary requestBytes;
  private final List<Meter.Id> registered = new ArrayList<>();

  private WriterMetrics() {
    registry = null;
    base = Tags.empty();
    shardLevel = false;
    maxShards = 0;
    attemptsAcknowledged = null;
    attemptsFailed = null;
    requestRecords = null;
    requestBytes = null;
  }

  private WriterMetrics(MetricsOptions options, String stream, Supplier<Number> inFlight) {
    this.registry = options.registry();
    this.base = Tags.of(options.tags()).and("stream", stream);
    this.shardLevel = options.shardLevel();
    this.maxShards = options.maxShardTagValues();
    this.attemptsAcknowledged = summary(RECORD_ATTEMPTS, "Sends per record, the first included", null,
        base.and("result", "acknowledged"));
    this.attemptsFailed = summary(RECORD_ATTEMPTS, "Sends per record, the first included", null,
        base.and("result", "failed"));
    this.requestRecords = summary(REQUEST_RECORDS, "Entries per PutRecords request", null, base);
    this.requestBytes = summary(REQUEST_BYTES, "Bytes (data + partition keys) per PutRecords request",
        BaseUnits.BYTES, base);
    io.micrometer.core.instrument.Gauge gauge = io.micrometer.core.instrument.Gauge
        .builder(IN_FLIGHT, inFlight, s -> s.get().doubleValue())
        .description("PutRecords requests in flight")
        .tags(base)
        .strongReference(true)
        .register(registry);
    registered.add(gauge.getId());
  }

  /**
   * Metrics for one writer.
   *
   * @param options the options, or null for no metrics
   * @param stream the stream tag
   * @param inFlight the in-flight request count source
   * @return the metrics
   */
  public static WriterMetrics create(@Nullable MetricsOptions options, String stream, Supplier<Number> inFlight) {
    return options == null ? NOOP : new WriterMetrics(options, stream, inFlight);
  }

  /**
   * Metrics that record nothing.
   *
   * @return the shared no-op instance
   */
  public static WriterMetrics noop() {
    return NOOP;
  }

  /**
   * Whether anything is recorded.
   *
   * @return false for {@link #noop()}
   */
  public boolean enabled() {
    return registry != null;
  }

  /**
   * Counts one acknowledged record.
   *
   * @param shardId the shard the service reported
   * @param attempts sends it took
   */
  public void acknowledged(String shardId, int attempts) {
    if (registry == null) {
      return;
    }
    String shard = shardTag(shardId);
    acknowledgedByShard.computeIfAbsent(shard, s -> counter(RECORDS_ACKNOWLEDGED,
        "Records the service acknowledged", base.and("shard", s))).increment();
    attemptsAcknowledged.record(attempts);
  }

  /**
   * Counts one failed record.
   *
   * @param reason why
   * @param errorCode its bounded error code
   * @param attempts sends it took
   */
  public void failed(FailureReason reason, String errorCode, int attempts) {
    if (registry == null) {
      return;
    }
    failed.computeIfAbsent(reason.name() + '|' + errorCode, k -> counter(RECORDS_FAILED,
        "Records that ended failed", base.and("reason", reason.name().toLowerCase(java.util.Locale.ROOT),
            "error.code", errorCode))).increment();
    attemptsFailed.record(attempts);
  }

  /**
   * Counts one entry scheduled for another attempt.
   *
   * @param errorCode its bounded error code
   * @param errorMessage the service's message, searched for a shard id (throttling messages name it)
   */
  public void retried(String errorCode, @Nullable String errorMessage) {
    if (registry == null) {
      return;
    }
    String shard = UNKNOWN_SHARD;
    if (errorMessage != null) {
      Matcher m = SHARD_IN_MESSAGE.matcher(errorMessage);
      if (m.find()) {
        shard = m.group(1);
      }
    }
    String shardTag = shardTag(shard);
    retried.computeIfAbsent(shardTag + '|' + errorCode, k -> counter(ENTRIES_RETRIED,
        "Entries sent again after a failure", base.and("shard", shardTag, "error.code", errorCode)))
        .increment();
  }

  /**
   * Records one PutRecords call.
   *
   * @param entries entries sent
   * @param bytes bytes sent (data + keys)
   * @param elapsed call latency
   * @param result {@code success}, {@code partial} or {@code error}
   * @param errorCode bounded error code, or {@link #NO_ERROR}
   */
  public void request(int entries, long bytes, Duration elapsed, String result, String errorCode) {
    if (registry == null) {
      return;
    }
    requestRecords.record(entries);
    requestBytes.record(bytes);
    latency.computeIfAbsent(result + '|' + errorCode, k -> {
      Timer t = Timer.builder(PUT_RECORDS_LATENCY)
          .description("PutRecords call latency, one attempt")
          .tags(base.and("result", result, "error.code", errorCode))
          .register(registry);
      synchronized (registered) {
        registered.add(t.getId());
      }
      return t;
    }).record(elapsed);
  }

  private String shardTag(String shardId) {
    if (!shardLevel) {
      return ALL_SHARDS;
    }
    if (knownShards.contains(shardId)) {
      return shardId;
    }
    synchronized (knownShards) {
      if (knownShards.size() >= maxShards) {
        return OTHER_SHARDS;
      }
      knownShards.add(shardId);
      return shardId;
    }
  }

  private Counter counter(String name, String description, Iterable<Tag> tags) {
    Counter c = Counter.builder(name).description(description).tags(tags).register(registry);
    synchronized (registered) {
      registered.add(c.getId());
    }
    return c;
  }

  private DistributionSummary summary(String name, String description, @Nullable String unit, Iterable<Tag> tags) {
    DistributionSummary s = DistributionSummary.builder(name).description(description).baseUnit(unit)
        .tags(tags).register(registry);
    registered.add(s.getId());
    return s;
  }

  /** Removes every meter this instance registered. */
  @Override
  public void close() {
    if (registry == null) {
      return;
    }
    synchronized (registered) {
      for (Meter.Id id : registered) {
        registry.remove(id);
      }
      registered.clear();
    }
  }
}
