package dev.kinesisresilient.core.internal;

import dev.kinesisresilient.core.FailureReason;
import dev.kinesisresilient.core.MetricsOptions;
import dev.kinesisresilient.core.internal.putrecords.EntryVerdict;
import dev.kinesisresilient.core.internal.putrecords.PutRecordsVerdicts;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The core writer's meters. Meter names and tags are documented in docs/metrics.md. Thread-safe;
 * {@link #noop()} records nothing.
 *
 * <p><b>Meters shared by several users of one registry.</b> Two writers or producers on the same
 * stream with the same {@link MetricsOptions#tags()} get the same counters, timers and summaries from
 * the registry (Micrometer returns the existing meter for a name and tags). Those <em>shared</em>
 * meters must live while any of them is open, so closing one must not remove them. Gauges read one
 * instance's state, so each instance's gauges carry its {@value #CLIENT_ID_TAG} tag and are its own.
 *
 * <p>The reference count is kept in the registry itself, with no static state: every open instance
 * has exactly one {@link #IN_FLIGHT} gauge, tagged with the shared tags plus its client id. On close
 * an instance removes its own gauges, then looks for another {@link #IN_FLIGHT} gauge with exactly the
 * same shared tags; only when there is none (it was the last user) does it remove the shared meters
 * of that stream and tags, whoever registered them. Registering the gauge at construction and this
 * check-and-remove run while holding the registry's monitor, so an instance that opens while another
 * closes never keeps a meter that was just removed. Client ids must be unique per registry (a second
 * instance with the same client id is logged at WARN).
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
  /** PutRecords requests in flight, by stream and client id: one gauge per open writer or producer. */
  public static final String IN_FLIGHT = PREFIX + "putrecords.inflight";
  /** Tag of the meters that belong to one writer or producer (its gauges): its client id. */
  public static final String CLIENT_ID_TAG = "client.id";
  /** The library's own tag keys besides {@code stream}; the user's tags must not use them. */
  private static final Set<String> LIBRARY_TAG_KEYS = Set.of("shard", "result", "error.code", "reason", CLIENT_ID_TAG);
  /** Meters of other modules that share the prefix but not this lifecycle (the Lambda module's). */
  private static final String LAMBDA_PREFIX = PREFIX + "lambda.";
  private static final Logger LOG = LoggerFactory.getLogger(WriterMetrics.class);

  /** Tag value when shard-level metrics are off. */
  public static final String ALL_SHARDS = ShardTagCap.ALL_SHARDS;
  /** Tag value for a shard that could not be determined. */
  public static final String UNKNOWN_SHARD = "unknown";
  /** Tag value for shards beyond the cap. */
  public static final String OTHER_SHARDS = ShardTagCap.OTHER_SHARDS;
  /** Tag value of {@code error.code} when there was no error. */
  public static final String NO_ERROR = PutRecordsVerdicts.Verdicts.NO_ERROR;

  private static final WriterMetrics NOOP = new WriterMetrics();

  private final @Nullable MeterRegistry registry;
  // base and group are null only in the no-op instance, whose methods return before reading them: it
  // loads no Micrometer class, so a writer without metrics runs without Micrometer on the class path.
  private final @Nullable Tags base;
  private final String clientId;
  /** The shared tags as the registry stored them (its common tags included): identifies the group. */
  private final @Nullable Tags group;
  private volatile boolean closed;
  private final ShardTagCap shardTags;
  private final Map<String, Counter> acknowledgedByShard = new ConcurrentHashMap<>();
  private final Map<String, Counter> retried = new ConcurrentHashMap<>();
  private final Map<String, Counter> failed = new ConcurrentHashMap<>();
  private final Map<String, Timer> latency = new ConcurrentHashMap<>();
  private final @Nullable DistributionSummary attemptsAcknowledged;
  private final @Nullable DistributionSummary attemptsFailed;
  private final @Nullable DistributionSummary requestRecords;
  private final @Nullable DistributionSummary requestBytes;
  /** This instance's own meters (its gauges), removed on close. */
  private final List<Meter.Id> own = new ArrayList<>();

  private WriterMetrics() {
    registry = null;
    base = null;
    clientId = "";
    group = null;
    shardTags = new ShardTagCap(false, 0);
    attemptsAcknowledged = null;
    attemptsFailed = null;
    requestRecords = null;
    requestBytes = null;
  }

  private WriterMetrics(MetricsOptions options, String stream, String clientId, Supplier<Number> inFlight) {
    MeterRegistry r = options.registry();
    this.registry = r;
    this.base = Tags.of(options.tags()).and("stream", stream);
    this.clientId = clientId;
    this.shardTags = ShardTagCap.of(options);
    synchronized (r) { // against a closing user of the same meters removing them (see the class doc)
      Tags mine = base.and(CLIENT_ID_TAG, clientId);
      if (r.find(IN_FLIGHT).tags(mine).gauge() != null) {
        LOG.warn("[metrics stream={}] client id {} is already in use on this registry; give each writer and "
            + "producer its own, or their gauges and meter lifetimes mix", stream, clientId);
      }
      Gauge gauge = Gauge.builder(IN_FLIGHT, inFlight, s -> s.get().doubleValue())
          .description("PutRecords requests in flight")
          .baseUnit("requests")
          .tags(mine)
          .strongReference(true)
          .register(r);
      own.add(gauge.getId());
      this.group = sharedTags(gauge.getId());
      this.attemptsAcknowledged = summary(RECORD_ATTEMPTS, "Sends per record, the first included", "attempts",
          base.and("result", "acknowledged"));
      this.attemptsFailed = summary(RECORD_ATTEMPTS, "Sends per record, the first included", "attempts",
          base.and("result", "failed"));
      this.requestRecords = summary(REQUEST_RECORDS, "Entries per PutRecords request", "records", base);
      this.requestBytes = summary(REQUEST_BYTES, "Bytes (data + partition keys) per PutRecords request",
          BaseUnits.BYTES, base);
    }
  }

  /**
   * Metrics for one writer or producer.
   *
   * @param options the options, or null for no metrics
   * @param stream the stream tag
   * @param clientId the writer's or producer's client id, unique per registry: the {@value
   *     #CLIENT_ID_TAG} tag of its gauges
   * @param inFlight the in-flight request count source
   * @return the metrics
   */
  public static WriterMetrics create(@Nullable MetricsOptions options, String stream, String clientId,
      Supplier<Number> inFlight) {
    return options == null ? NOOP : new WriterMetrics(options, stream, clientId, inFlight);
  }

  /**
   * A default client id: the stream name (cut to 56 characters) and a random suffix, for example
   * {@code orders-1a2b3}.
   *
   * @param stream a valid stream name
   * @return the id, 1..64 characters of {@code [A-Za-z0-9._-]}
   */
  public static String defaultClientId(String stream) {
    String s = stream.length() > 56 ? stream.substring(0, 56) : stream;
    return s + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0x100000));
  }

  /**
   * The shared tags of this instance's meters: the user's tags and {@code stream}.
   *
   * @return the tags
   */
  public Tags baseTags() {
    return base == null ? Tags.empty() : base;
  }

  /**
   * The bounded {@code shard} tag of this instance's meters, for an owner that adds meters of its own
   * (the producer), so that all of them together stay within one cap.
   *
   * @return the cap
   */
  public ShardTagCap shardTags() {
    return shardTags;
  }

  /**
   * The tags of a meter that belongs to this instance alone (a gauge): the shared tags, {@code extra}
   * and the client id.
   *
   * @param extra more tags, for example {@code shard}
   * @return the tags
   */
  public Tags ownTags(Tag... extra) {
    return baseTags().and(extra).and(CLIENT_ID_TAG, clientId);
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
    if (registry == null || closed) {
      return;
    }
    String shard = shardTags.tag(shardId);
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
    if (registry == null || closed) {
      return;
    }
    failed.computeIfAbsent(reason.name() + '|' + errorCode, k -> counter(RECORDS_FAILED,
        "Records that ended failed", base.and("reason", reason.name().toLowerCase(java.util.Locale.ROOT),
            "error.code", errorCode))).increment();
    attemptsFailed.record(attempts);
  }

  /**
   * Counts one entry scheduled for another attempt, by the shard its error message names.
   *
   * @param errorCode its bounded error code
   * @param errorMessage the service's message, searched for a shard id (throttling messages name it)
   *     by {@link PutRecordsVerdicts#shardNamedIn}
   */
  public void retried(String errorCode, @Nullable String errorMessage) {
    retriedOnShard(errorCode, PutRecordsVerdicts.shardNamedIn(errorMessage));
  }

  /**
   * Counts one entry scheduled for another attempt.
   *
   * @param errorCode its bounded error code
   * @param namedShard the shard its error named ({@link EntryVerdict.Rejected#namedShard()}), or null
   *     for {@value #UNKNOWN_SHARD}
   */
  public void retriedOnShard(String errorCode, @Nullable String namedShard) {
    if (registry == null || closed) {
      return;
    }
    String shardTag = shardTags.tag(namedShard != null ? namedShard : UNKNOWN_SHARD);
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
    if (registry == null || closed) {
      return;
    }
    requestRecords.record(entries);
    requestBytes.record(bytes);
    latency.computeIfAbsent(result + '|' + errorCode, k -> {
      return Timer.builder(PUT_RECORDS_LATENCY)
          .description("PutRecords call latency, one attempt")
          .tags(base.and("result", result, "error.code", errorCode))
          .register(registry);
    }).record(elapsed);
  }

  // No base unit: the name says what is counted (records, entries), and Prometheus would repeat it.
  private Counter counter(String name, String description, Iterable<Tag> tags) {
    return Counter.builder(name).description(description).tags(tags).register(registry);
  }

  private DistributionSummary summary(String name, String description, @Nullable String unit, Iterable<Tag> tags) {
    return DistributionSummary.builder(name).description(description).baseUnit(unit).tags(tags).register(registry);
  }

  /**
   * Registers a meter that belongs to this instance alone (a gauge tagged by {@link #ownTags}), removed
   * on {@link #close()}.
   *
   * @param meter the meter, already registered
   * @param <M> its type
   * @return {@code meter}
   */
  public <M extends Meter> M own(M meter) {
    synchronized (own) {
      own.add(meter.getId());
    }
    return meter;
  }

  /**
   * Removes one of this instance's own meters before close (for example the gauge of a shard that
   * closed).
   *
   * @param id the meter's id
   */
  public void removeOwn(Meter.Id id) {
    if (registry == null) {
      return;
    }
    synchronized (own) {
      own.remove(id);
    }
    registry.remove(id);
  }

  /**
   * Removes this instance's own meters and, when no other open writer or producer shares its meters
   * (same registry, stream and tags), the shared ones too (see the class doc). Idempotent.
   */
  @Override
  public void close() {
    MeterRegistry r = registry;
    if (r == null) {
      return;
    }
    synchronized (r) {
      if (closed) {
        return;
      }
      closed = true;
      synchronized (own) {
        for (Meter.Id id : own) {
          r.remove(id);
        }
        own.clear();
      }
      if (r.find(IN_FLIGHT).gauges().stream().anyMatch(g -> sharedTags(g.getId()).equals(group))) {
        return; // another user of the shared meters is still open
      }
      for (Meter m : r.getMeters()) {
        Meter.Id id = m.getId();
        if (id.getName().startsWith(PREFIX) && !id.getName().startsWith(LAMBDA_PREFIX)
            && id.getTag(CLIENT_ID_TAG) == null && sharedTags(id).equals(group)) {
          r.remove(id);
        }
      }
    }
  }

  /** A meter's tags without the library's own keys: the user's tags and {@code stream}. */
  private static Tags sharedTags(Meter.Id id) {
    List<Tag> tags = new ArrayList<>();
    for (Tag t : id.getTagsAsIterable()) {
      if (!LIBRARY_TAG_KEYS.contains(t.getKey())) {
        tags.add(t);
      }
    }
    return Tags.of(tags);
  }
}
