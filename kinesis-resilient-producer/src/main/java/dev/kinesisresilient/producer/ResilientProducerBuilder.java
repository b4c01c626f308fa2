package dev.kinesisresilient.producer;

import static dev.kinesisresilient.producer.ProducerOptionRules.requireRange;

import dev.kinesisresilient.core.BatchLimits;
import dev.kinesisresilient.core.ErrorClassifier;
import dev.kinesisresilient.core.MetricsOptions;
import dev.kinesisresilient.core.RecordResult;
import dev.kinesisresilient.core.RetryBudget;
import dev.kinesisresilient.core.RetryPolicy;
import dev.kinesisresilient.core.StreamNames;
import dev.kinesisresilient.core.internal.putrecords.StreamRef;
import dev.kinesisresilient.producer.internal.DefaultResilientProducer;
import dev.kinesisresilient.producer.internal.ProducerSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/**
 * Builds a {@link ResilientProducer}. Get one with {@link ResilientProducer#builder(KinesisAsyncClient)}.
 *
 * <p>Each setter validates its argument at once and may be called only once ({@link
 * IllegalStateException} on a second call); {@link #build()} checks the options against each other and
 * throws, naming both options, rather than quietly adjusting them. Not thread-safe: use from one
 * thread.
 *
 * <pre>{@code
 * ResilientProducer p = ResilientProducer.builder(client)
 *     .streamName("orders")
 *     .lingerTime(Duration.ofMillis(20))
 *     .maxBufferedBytes(64 * BatchLimits.MIB)
 *     .deliveryTimeout(Duration.ofSeconds(30))
 *     .build();
 * }</pre>
 *
 * @since 0.1.0
 */
public final class ResilientProducerBuilder {

  /** Default {@link #lingerTime}: 20 ms. */
  public static final Duration DEFAULT_LINGER_TIME = Duration.ofMillis(20);
  /** Default {@link #maxBufferedBytes}: 32 MiB. */
  public static final long DEFAULT_MAX_BUFFERED_BYTES = 32 * BatchLimits.MIB;
  /** Default {@link #maxBlockTime}: 10 s. */
  public static final Duration DEFAULT_MAX_BLOCK_TIME = Duration.ofSeconds(10);
  /** Default {@link #deliveryTimeout}: 30 s. */
  public static final Duration DEFAULT_DELIVERY_TIMEOUT = Duration.ofSeconds(30);
  /** Default {@link #attemptTimeout}: 5 s. */
  public static final Duration DEFAULT_ATTEMPT_TIMEOUT = Duration.ofSeconds(5);
  /** Default {@link #maxInFlightRequests}: 8. */
  public static final int DEFAULT_MAX_IN_FLIGHT_REQUESTS = 8;
  /** Default {@link #maxAggregateBytes}: 50 KiB (51,200 bytes), as the KPL (why: docs/aggregation.md). */
  public static final long DEFAULT_MAX_AGGREGATE_BYTES = 50 * 1024;
  /** The smallest {@link #maxAggregateBytes}: 1 KiB. */
  public static final long MIN_AGGREGATE_BYTES = 1024;
  /** The service's per-shard write limit in records per second: 1,000. */
  public static final int SHARD_RECORDS_PER_SECOND = 1000;
  /** The service's per-shard write limit in bytes per second (data plus partition keys): 1 MiB. */
  public static final long SHARD_BYTES_PER_SECOND = BatchLimits.MIB;

  private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Duration MAX_LINGER = Duration.ofMinutes(1);
  private static final Duration MAX_BLOCK = Duration.ofMinutes(10);
  private static final Duration MAX_DELIVERY = Duration.ofDays(1);
  private static final Duration MAX_ATTEMPT = Duration.ofMinutes(10);
  private static final long MIN_BUFFER = BatchLimits.MIB;
  private static final long MAX_BUFFER = 64L * 1024 * BatchLimits.MIB;

  private final KinesisAsyncClient client;
  private final Set<String> set = new HashSet<>();
  private @Nullable StreamRef stream;
  private @Nullable String clientId;
  private BatchLimits limits = BatchLimits.defaults();
  private Duration lingerTime = DEFAULT_LINGER_TIME;
  private long maxBufferedBytes = DEFAULT_MAX_BUFFERED_BYTES;
  private Duration maxBlockTime = DEFAULT_MAX_BLOCK_TIME;
  private Duration deliveryTimeout = DEFAULT_DELIVERY_TIMEOUT;
  private Duration attemptTimeout = DEFAULT_ATTEMPT_TIMEOUT;
  private RetryPolicy retryPolicy = defaultRetryPolicy();
  private ErrorClassifier classifier = ErrorClassifier.defaults();
  private int maxInFlightRequests = DEFAULT_MAX_IN_FLIGHT_REQUESTS;
  private boolean preserveOrder;
  private int shardRecordsPerSecond = SHARD_RECORDS_PER_SECOND;
  private long shardBytesPerSecond = SHARD_BYTES_PER_SECOND;
  private @Nullable Consumer<? super RecordResult.Failed> failureHandler;
  private @Nullable Executor callbackExecutor;
  private Clock clock = Clock.systemUTC();
  private Supplier<? extends RandomGenerator> random = ThreadLocalRandom::current;
  private @Nullable MetricsOptions metrics;
  private boolean aggregation;
  private long maxAggregateBytes = DEFAULT_MAX_AGGREGATE_BYTES;
  private RetryBudget retryBudget = RetryBudget.defaults();
  private boolean adaptiveConcurrency = true;

  ResilientProducerBuilder(KinesisAsyncClient client) {
    this.client = Objects.requireNonNull(client, "client");
  }

  /**
   * The default retry policy of a producer: {@link RetryPolicy#defaults()} with 100 attempts, so that
   * in practice {@code deliveryTimeout} bounds retries.
   *
   * @return 100 attempts, 100 ms base delay, 2 s cap, full jitter
   */
  public static RetryPolicy defaultRetryPolicy() {
    return RetryPolicy.builder().maxAttempts(100).build();
  }

  private void once(String option) {
    if (!set.add(option)) {
      throw new IllegalStateException(option + " was already set");
    }
  }

  /**
   * The stream, by name. Exactly one of {@code streamName} and {@code streamArn} is required; no
   * default.
   *
   * @param streamName 1..128 characters of {@code [a-zA-Z0-9_.-]} ({@link StreamNames})
   * @return this builder
   * @throws IllegalArgumentException when it breaks that rule
   * @throws IllegalStateException when the stream was already set
   */
  public ResilientProducerBuilder streamName(String streamName) {
    StreamRef checked = StreamRef.ofName(streamName);
    once("streamName/streamArn");
    this.stream = checked;
    return this;
  }

  /**
   * The stream, by ARN ({@code arn:<partition>:kinesis:<region>:<12-digit account>:stream/<name>}).
   * Exactly one of {@code streamName} and {@code streamArn} is required; no default.
   *
   * @param streamArn the stream ARN; its name follows the {@link #streamName} rule ({@link
   *     StreamNames})
   * @return this builder
   * @throws IllegalArgumentException when it is not a Kinesis stream ARN
   * @throws IllegalStateException when the stream was already set
   */
  public ResilientProducerBuilder streamArn(String streamArn) {
    StreamRef checked = StreamRef.ofArn(streamArn);
    once("streamName/streamArn");
    this.stream = checked;
    return this;
  }

  /**
   * Names the sender thread ({@code kinesis-resilient-sender-<clientId>}) and prefixes log lines.
   *
   * @param clientId default: the stream name plus a random suffix; 1..64 characters of {@code
   *     [A-Za-z0-9._-]}
   * @return this builder
   * @throws IllegalArgumentException when malformed
   * @throws IllegalStateException when already set
   */
  public ResilientProducerBuilder clientId(String clientId) {
    Objects.requireNonNull(clientId, "clientId");
    if (!CLIENT_ID.matcher(clientId).matches()) {
      throw new IllegalArgumentException("clientId must be 1..64 characters of [A-Za-z0-9._-], was " + clientId);
    }
    once("clientId");
    this.clientId = clientId;
    return this;
  }

  /**
   * The PutRecords limits in force: records and bytes per request, bytes per record.
   *
   * @param limits default {@link BatchLimits#defaults()} (500 records, 5 MiB per request, 1 MiB per
   *     record, partition keys included)
   * @return this builder
   * @throws IllegalStateException when already set
   */
  public ResilientProducerBuilder limits(BatchLimits limits) {
    Objects.requireNonNull(limits, "limits");
    once("limits");
    this.limits = limits;
    return this;
  }

  /**
   * How long a record may wait in the buffer for others to share its request. A request is sent
   * earlier when it is full, on {@link ResilientProducer#flush()}, on close, or when callers are
   * waiting for buffer space. Longer lingering means fuller requests (fewer calls) and more latency.
   *
   * @param lingerTime default 20 ms; range 0..1 min
   * @return this builder
   * @throws IllegalArgumentException when out of range
   * @throws IllegalStateException when already set
   */
  public ResilientProducerBuilder lingerTime(Duration lingerTime) {
    requireRange("lingerTime", Objects.requireNonNull(lingerTime, "lingerTime"), Duration.ZERO, MAX_LINGER);
    once("lingerTime");
    this.lingerTime = lingerTime;
    return this;
  }

  /**
   * The most memory pending records may hold: each accepted record is charged its size (data plus
   * partition key UTF-8 bytes) plus 128 bytes of bookkeeping from {@code send} until it completes
   * (acknowledged or failed), so records being retried still count.
   *
   * @param maxBufferedBytes default 32 MiB; range 1 MiB..64 GiB, and at least {@code
   *     limits.maxRecordBytes} + 128
   * @return this builder
   * @throws IllegalArgumentException when out of range
   * @throws IllegalStateException when already set
   */
  public ResilientProducerBuilder maxBufferedBytes(long maxBufferedBytes) {
    if (maxBufferedBytes < MIN_BUFFER || maxBufferedBytes > MAX_BUFFER) {
      throw new IllegalArgumentException(
          "maxBufferedBytes must be in " + MIN_BUFFER + ".." + MAX_BUFFER + " bytes, was " + maxBufferedBytes);
    }
    once("maxBufferedBytes");
    this.maxBufferedBytes = maxBufferedBytes;
    return this;
  }

  /**
   * How long {@link ResilientProducer#send} blocks for buffer space before throwing {@link
   * BufferFullException}. Measured with the JVM's monotonic clock.
   *
   * @param maxBlockTime default 10 s; range 0 (never block)..10 min
   * @return this builder
   * @throws IllegalArgumentException when out of range
   * @throws IllegalStateException when already set
   */
  public ResilientProducerBuilder maxBlockTime(Duration maxBlockTime) {
    requireRange("maxBlockTime", Objects.requireNonNull(maxBlockTime, "maxBlockTime"), Duration.ZERO, MAX_BLOCK);
    once("maxBlockTime");
    this.maxBlockTime = maxBlockTime;
    return this;
  }

  /**
   * The bound on each record from {@code send} to its result, everything included: lingering,
   * waiting for the shard's rate limit, every attempt and backoff. A record still not acknowledged
   * then fails with reason {@code DEADLINE_EXCEEDED} (error code: its last error, or {@code
   * DeadlineExceeded} when it has none, never sent or never answered). This replaces the retry policy's
   * deadline.
   *
   * @param deliveryTimeout default 30 s; range 1 ms..1 day, and at least {@code lingerTime +
   *     attemptTimeout}
   * @return this builder
   * @throws IllegalArgumentException when out of range
   * @throws IllegalStateException when already set
   */
  public ResilientProducerBuilder deliveryTimeout(Duration deliveryTimeout) {
    requireRange("deliveryTimeout", Objects.requireNonNull(deliveryTimeout, "deliveryTimeout"),
        Duration.ofMillis(1), MAX_DELIVERY);
    once("deliveryTimeout");
    this.deliveryTimeout = deliveryTimeout;
    return this;
  }

  /**
   * How long one PutRecords attempt may take before the producer counts it as overdue: a sign of
   * congestion (the in-flight bound shrinks, see {@link #adaptiveConcurrency}). The service may still
   * be working on an overdue attempt, so it keeps its in-flight slot and its records wait for its
   * answer for as long again; only then is it cancelled and its records retried ({@code
   * AttemptTimeout}, within the {@link #retryBudget}). The service may have stored the records of an
   * attempt given up on, so a retry can duplicate them.
   *
   * @param attemptTimeout default 5 s; range 1 ms..10 min
   * @return this builder
   * @throws IllegalArgumentException when out of range
   * @throws IllegalStateException when already set
   */
  public ResilientProducerBuilder attemptTimeout(Duration attemptTimeout) {
    requireRange("attemptTimeout", Objects.requireNonNull(attemptTimeout, "attemptTimeout"),
        Duration.ofMillis(1), MAX_ATTEMPT);
    once("attemptTimeout");
    this.attemptTimeout = attemptTimeout;
    return this;
  }

  /**
   * Attempts per record and the backoff between them (the policy's {@code deadline} is not used:
   * {@code deliveryTimeout} bounds each record).
   *
   * @param retryPolicy default {@link #defaultRetryPolicy()}: 100 attempts, 100 ms base delay, 2 s
   *     cap, full jitter
   * @return this builder
   * @throws IllegalStateException when already set
   */
  public ResilientProducerBuilder retryPolicy(RetryPolicy retryPolicy) {
    Objects.requireNonNull(retryPolicy, "retryPolicy");
    once("retryPolicy");
    this.retryPolicy = retryPolicy;
    return this;
  }

  /**
   * Which errors are retried.
   *
   * @param classifier default {@link ErrorClassifier#defaults()}
   * @return this builder
   * @throws IllegalStateException when already set
   */
  public ResilientProducerBuilder errorClassifier(ErrorClassifier classifier) {
    Objects.requireNonNull(classifier, "classifier");
    once("errorClassifier");
    this.classifier = classifier;
    return this;
  }

  /**
   * Most PutRecords requests in flight at once. Keep it at or below the HTTP client's max
   * concurrency. With {@link #adaptiveConcurrency} on (the default) it is the ceiling of an adaptive
   * bound.
   *
   * @param maxInFlightRequests default 8; range 1..1,000
   * @return this builder
   * @throws IllegalArgumentException when out of range
   * @throws IllegalStateException when already set
   */
  public ResilientProducerBuilder maxInFlightRequests(int maxInFlightRequests) {
    if (maxInFlightRequests < 1 || maxInFlightRequests > 1000) {
      throw new IllegalArgumentException("maxInFlightRequests must be in 1..1000, was " + maxInFlightRequests);
    }
    once("maxInFlightRequests");
    this.maxInFlightRequests = maxInFlightRequests;
    return this;
  }

  /**
   * Whether the in-flight bound adapts to congestion (AIMD, as TCP): the producer starts with {@code
   * maxInFlightRequests} requests in flight, halves that bound when a request is overdue, fails with a
   * 5xx or a connection error (once per episode, never below 1), and grows it back by one request per
   * bound's worth of answered requests. Congestion episodes are shared by every producer and writer
   * built on the same client instance (the endpoint): each halves its own bound once when any of them
   * sees a new episode. Off, {@code maxInFlightRequests} is a fixed bound. Either way an
   * overdue request keeps its slot (see {@link #attemptTimeout}), and a request ended by the SDK's own
   * timeout keeps its slot for as long again as it ran, since the service may still be working on it.
   *
   * @param adaptiveConcurrency default true
   * @return this builder
   * @throws IllegalStateException when already set
   */
  public ResilientProducerBuilder adaptiveConcurrency(boolean adaptiveConcurrency) {
    once("adaptiveConcurrency");
    this.adaptiveConcurrency = adaptiveConcurrency;
    return this;
  }

  /**
   * The limit on re-sends: a token bucket of records refilled by acknowledged records (see {@link
   * RetryBudget}), so that a slow service never receives an unbounded multiple of new work. A retry
   * that finds it empty waits in its shard's queue, within its {@code deliveryTimeout}, for
   * acknowledgements to refill it; if the deadline comes first the record fails {@code DEADLINE_EXCEEDED} with a
   * message naming the budget. Re-sends of throttled entries need no token.
   *
   * @param retryBudget default {@link RetryBudget#defaults()}: 5,000 records, 0.1 per acknowledged
   *     record; {@link RetryBudget#unlimited()} turns it off
   * @return this builder
   * @throws IllegalStateException when already set
   */
  public ResilientProducerBuilder retryBudget(RetryBudget retryBudget) {
    Objects.requireNonNull(retryBudget, "retryBudget");
    once("retryBudget");
    this.retryBudget = retryBudget;
    return this;
  }

  /**
   * Keeps the records of each partition key in {@code send} order: at most one request in flight per
   * shard, at most one record per partition key per request, and a shard's retries go before its
   * newer records. Costs throughput: each shard gets one round trip at a time, and a hot key one
   * record per round trip. Records that fail (e.g. expire) are reported, and later records of the
   * same key still go.
   *
   * @param preserveOrder default {@code false}
   * @return this builder
   * @throws IllegalStateException when already set
   */
  public ResilientProducerBuilder preserveOrder(boolean preserveOrder) {
    once("preserveOrder");
    this.preserveOrder = preserveOrder;
    return this;
  }

  /**
   * The write limit of each shard, which the producer's per-shard rate limiters start from and never
   * exceed (they adapt down on throttling and back up on success). Change it only for tests or
   * services with other limits.
   *
   * @param recordsPerSecond default 1,000; range 1..1,000,000
   * @param bytesPerSecond default 1 MiB (data plus partition keys); range 1,024..1 GiB
   * @return this builder
   * @throws IllegalArgumentException when out of range
   * @throws IllegalStateException when already set
   */
  public ResilientProducerBuilder shardLimits(int recordsPerSecond, long bytesPerSecond) {
    if (recordsPerSecond < 1 || recordsPerSecond > 1_000_000) {
      throw new IllegalArgumentException("recordsPerSecond must be in 1..1000000, was " + recordsPerSecond);
    }
    if (bytesPerSecond < 1024 || bytesPerSecond > 1024 * BatchLimits.MIB) {
      throw new IllegalArgumentException(
          "bytesPerSecond must be in 1024.." + 1024 * BatchLimits.MIB + ", was " + bytesPerSecond);
    }
    once("shardLimits");
    this.shardRecordsPerSecond = recordsPerSecond;
    this.shardBytesPerSecond = bytesPerSecond;
    return this;
  }

  /**
   * Called once for every record that ends failed (e.g. to write it to a dead-letter store), before
   * its future completes, on the sender thread: it must be fast and must not block. An exception it
   * throws is logged at WARN and changes nothing.
   *
   * @param failureHandler default none
   * @return this builder
   * @throws IllegalStateException when already set
   */
  public ResilientProducerBuilder failureHandler(Consumer<? super RecordResult.Failed> failureHandler) {
    Objects.requireNonNull(failureHandler, "failureHandler");
    once("failureHandler");
    this.failureHandler = failureHandler;
    return this;
  }

  /**
   * Where record futures are completed (so where dependent actions run). Owned by the caller. If it
   * rejects a task, the future is completed on the sender thread.
   *
   * @param executor default: the sender thread itself
   * @return this builder
   * @throws IllegalStateException when already set
   */
  public ResilientProducerBuilder callbackExecutor(Executor executor) {
    Objects.requireNonNull(executor, "executor");
    once("callbackExecutor");
    this.callbackExecutor = executor;
    return this;
  }

  /**
   * The clock for linger, delivery deadlines, rate limits and latencies.
   *
   * @param clock default {@link Clock#systemUTC()}
   * @return this builder
   * @throws IllegalStateException when already set
   */
  public ResilientProducerBuilder clock(Clock clock) {
    Objects.requireNonNull(clock, "clock");
    once("clock");
    this.clock = clock;
    return this;
  }

  /**
   * The random source for backoff jitter.
   *
   * @param random default {@code ThreadLocalRandom::current}
   * @return this builder
   * @throws IllegalStateException when already set
   */
  public ResilientProducerBuilder random(Supplier<? extends RandomGenerator> random) {
    Objects.requireNonNull(random, "random");
    once("random");
    this.random = random;
    return this;
  }

  /**
   * Turns on Micrometer metrics (see {@code docs/metrics.md}).
   *
   * @param metrics default none: no meters are registered
   * @return this builder
   * @throws IllegalStateException when already set
   */
  public ResilientProducerBuilder metrics(MetricsOptions metrics) {
    Objects.requireNonNull(metrics, "metrics");
    once("metrics");
    this.metrics = metrics;
    return this;
  }

  /**
   * Packs small records bound for the same shard into KPL aggregates (the format the Kinesis Producer
   * Library writes, which KCL, Lambda deaggregators and this library's Lambda wrapper unpack). A shard
   * takes 1,000 records/s but 1 MiB/s, so records much smaller than 1 KiB leave most of its bandwidth
   * unused; packed, one shard carries about 9,000 100-byte user records/s instead of 1,000.
   *
   * <p>Records lingering for the same predicted shard are packed, in order, up to {@link
   * #maxAggregateBytes}; a record alone, or larger than that, is sent as it is. Each record's future
   * completes with the aggregate's sequence number and the record's {@link
   * RecordResult.Acknowledged#subSequenceNumber() subSequenceNumber}; a failed aggregate's records are
   * retried one by one, each within its own {@code deliveryTimeout}. How aggregates are built, routed
   * and checked after a reshard: {@code docs/aggregation.md}.
   *
   * <p>Aggregation turns itself off (logged once at WARN, gauge {@code
   * kinesis.resilient.producer.aggregation.enabled} 0) while shards cannot be predicted: on streams
   * with AUTO record distribution and without a shard map (ListShards denied or failing).
   *
   * <p>Off by default because every consumer of the stream must deaggregate: a consumer that reads raw
   * records sees one aggregate instead of the records in it. Not supported together with {@link
   * #preserveOrder}.
   *
   * @param aggregation default {@code false}
   * @return this builder
   * @throws IllegalStateException when already set
   */
  public ResilientProducerBuilder aggregation(boolean aggregation) {
    once("aggregation");
    this.aggregation = aggregation;
    return this;
  }

  /**
   * The largest aggregate (its data plus the carrying record's partition key, as Kinesis counts a
   * record) when {@link #aggregation} is on; ignored otherwise.
   *
   * @param maxAggregateBytes default {@value #DEFAULT_MAX_AGGREGATE_BYTES} (50 KiB, as the KPL); range
   *     1 KiB..{@code limits.maxRecordBytes} (1 MiB by default), checked by {@link #build()}; the
   *     default is lowered to {@code limits.maxRecordBytes} when that is smaller
   * @return this builder
   * @throws IllegalArgumentException when below 1 KiB or above 1 MiB
   * @throws IllegalStateException when already set
   */
  public ResilientProducerBuilder maxAggregateBytes(long maxAggregateBytes) {
    if (maxAggregateBytes < MIN_AGGREGATE_BYTES || maxAggregateBytes > BatchLimits.MIB) {
      throw new IllegalArgumentException("maxAggregateBytes must be in " + MIN_AGGREGATE_BYTES + ".."
          + BatchLimits.MIB + ", was " + maxAggregateBytes);
    }
    once("maxAggregateBytes");
    this.maxAggregateBytes = maxAggregateBytes;
    return this;
  }

  /**
   * Checks the options against each other, starts the producer's sender thread and logs the
   * settings once at INFO.
   *
   * @return the running producer
   * @throws IllegalStateException when no stream was set, when {@code deliveryTimeout < lingerTime +
   *     attemptTimeout}, or when {@code maxBufferedBytes} cannot hold one record of {@code
   *     limits.maxRecordBytes}, when {@code maxAggregateBytes > limits.maxRecordBytes}, or when
   *     {@code aggregation} and {@code preserveOrder} are both on; the message names both options
   */
  public ResilientProducer build() {
    return DefaultResilientProducer.start(settings(), client);
  }

  /** Validates and builds the settings without starting anything; for tests that drive the sender. */
  ProducerSettings settings() {
    StreamRef stream = this.stream;
    if (stream == null) {
      throw new IllegalStateException("streamName or streamArn is required");
    }
    ProducerOptionRules.checkAcrossOptions(deliveryTimeout, lingerTime, attemptTimeout, maxBufferedBytes, limits,
        set.contains("maxAggregateBytes"), maxAggregateBytes, aggregation, preserveOrder);
    String id = clientId != null ? clientId : ProducerOptionRules.defaultClientId(stream.name());
    return new ProducerSettings(stream, id, limits, lingerTime, maxBufferedBytes, maxBlockTime,
        deliveryTimeout, attemptTimeout, retryPolicy, classifier, maxInFlightRequests, preserveOrder,
        shardRecordsPerSecond, shardBytesPerSecond, failureHandler, callbackExecutor, clock, random, metrics,
        aggregation, Math.min(maxAggregateBytes, limits.maxRecordBytes()), retryBudget, adaptiveConcurrency);
  }

  /** Lists the options set so far. */
  @Override
  public String toString() {
    return "ResilientProducerBuilder" + set;
  }
}
