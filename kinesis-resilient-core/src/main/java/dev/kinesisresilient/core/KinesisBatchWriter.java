package dev.kinesisresilient.core;

import dev.kinesisresilient.core.internal.ResilientBatchWriter;
import dev.kinesisresilient.core.internal.putrecords.StreamRef;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/**
 * Writes lists of records to one stream with PutRecords, respecting every service limit and retrying
 * only the entries that failed.
 *
 * <p><b>What a write does.</b> Records over the per-record limit fail at once with {@link
 * FailureReason#INVALID} and are never sent (one invalid entry would fail a whole request). The rest
 * are packed in order into requests within {@link BatchLimits} and sent with at most {@code
 * maxConcurrentRequests} requests in flight for the whole writer, fewer while the service shows
 * congestion ({@link Builder#adaptiveConcurrency}). From each response, the entries that failed with a
 * retriable code (throttling, internal failure) are re-planned into fresh requests and sent again after
 * a capped, jittered backoff, within the {@link Builder#retryBudget retry budget}; acknowledged entries
 * are never re-sent. A whole request that fails with a retriable error (throttling, 5xx, IO error,
 * attempt timeout) is retried the same way; a non-retriable one (e.g. ResourceNotFound, AccessDenied)
 * fails its records at once.
 * Every record ends with exactly one {@link RecordResult}, and the returned future completes once all
 * have, no later than the retry policy's deadline plus one attempt timeout.
 *
 * <p><b>Thread-safety.</b> Thread-safe; {@link #write} never blocks. The returned future completes on
 * the thread that handled the last response (an SDK event-loop thread, or the retry scheduler): keep
 * dependent actions short or use the {@code *Async} variants.
 *
 * <p><b>Ownership.</b> The writer does not own the client: the caller closes it, after the writer. A
 * scheduler passed to the builder belongs to the caller; one the writer creates is shut down when the
 * writer is closed and its writes have completed.
 *
 * <pre>{@code
 * try (KinesisAsyncClient client = KinesisClientFactory.create(KinesisClientConfig.builder().build());
 *      KinesisBatchWriter writer = KinesisBatchWriter.builder(client).streamName("orders").build()) {
 *   BatchWriteResult result = writer.write(records).join();
 *   result.failed().forEach(f -> deadLetters.add(f.record(), f.reason(), f.errorCode()));
 * }
 * }</pre>
 *
 * <p><b>How it fails.</b> {@link #write} throws only for misuse: a null list or element ({@link
 * NullPointerException}), or a closed writer ({@link IllegalStateException}). Service and delivery
 * failures are reported per record in the result; the future itself never completes exceptionally.
 *
 * @since 0.1.0
 */
public interface KinesisBatchWriter extends AutoCloseable {

  /**
   * Writes the records; every record ends acknowledged or failed with a reason.
   *
   * @param records the records, in the order they should be sent (PutRecords does not guarantee
   *     order within a request, and retries reorder)
   * @return a future of one result per record, in input order; completing it from outside has no
   *     effect on the writer
   * @throws NullPointerException when the list or one of its elements is null
   * @throws IllegalStateException when the writer is closed
   */
  CompletableFuture<BatchWriteResult> write(List<KinesisRecord> records);

  /**
   * Stops accepting writes. Writes already accepted go on to their results; then a scheduler the
   * writer created is shut down and its gauges are removed (its shared meters too, unless another
   * open writer or producer on the same registry, stream and tags still uses them). Does not block and
   * does not close the client.
   */
  @Override
  void close();

  /**
   * A builder for a writer over the given client.
   *
   * @param client the client, owned by the caller; should have the SDK's own retries off (see
   *     {@link KinesisClientFactory}), or every attempt of ours may be several of the SDK's
   * @return a new builder
   */
  static Builder builder(KinesisAsyncClient client) {
    return new Builder(client);
  }

  /**
   * Builds a {@link KinesisBatchWriter}. Setters validate at once and may each be called once.
   * Not thread-safe.
   *
   * @since 0.1.0
   */
  final class Builder {
    /** Default {@link #maxConcurrentRequests(int)}: 8. */
    public static final int DEFAULT_MAX_CONCURRENT_REQUESTS = 8;

    /** Default {@link #attemptTimeout(Duration)}: 5 s. */
    public static final Duration DEFAULT_ATTEMPT_TIMEOUT = Duration.ofSeconds(5);

    private static final java.util.regex.Pattern CLIENT_ID = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private final KinesisAsyncClient client;
    private @Nullable String streamName;
    private @Nullable String streamArn;
    private @Nullable BatchLimits limits;
    private @Nullable RetryPolicy retryPolicy;
    private @Nullable ErrorClassifier classifier;
    private int maxConcurrentRequests = -1;
    private @Nullable Duration attemptTimeout;
    private @Nullable ScheduledExecutorService scheduler;
    private @Nullable Clock clock;
    private @Nullable Supplier<? extends RandomGenerator> random;
    private @Nullable MetricsOptions metrics;
    private @Nullable String clientId;
    private @Nullable RetryBudget retryBudget;
    private @Nullable Boolean adaptiveConcurrency;

    private Builder(KinesisAsyncClient client) {
      this.client = Objects.requireNonNull(client, "client");
    }

    /**
     * The stream, by name. Exactly one of {@code streamName} and {@code streamArn} is required.
     *
     * @param streamName 1..128 characters of {@code [a-zA-Z0-9_.-]} ({@link StreamNames})
     * @return this builder
     * @throws IllegalArgumentException when it breaks that rule
     * @throws IllegalStateException when the stream was already set
     */
    public Builder streamName(String streamName) {
      StreamNames.requireValidName(streamName, "streamName");
      requireUnset(this.streamName == null && this.streamArn == null, "streamName/streamArn");
      this.streamName = streamName;
      return this;
    }

    /**
     * The stream, by ARN ({@code arn:<partition>:kinesis:<region>:<12-digit account>:stream/<name>}).
     * Exactly one of {@code streamName} and {@code streamArn} is required.
     *
     * @param streamArn the stream ARN; its name follows the {@link #streamName} rule ({@link
     *     StreamNames})
     * @return this builder
     * @throws IllegalArgumentException when it is not a Kinesis stream ARN
     * @throws IllegalStateException when the stream was already set
     */
    public Builder streamArn(String streamArn) {
      StreamNames.requireValidArn(streamArn, "streamArn");
      requireUnset(this.streamName == null && this.streamArn == null, "streamName/streamArn");
      this.streamArn = streamArn;
      return this;
    }

    /**
     * Identifies this writer among the writers and producers sharing a meter registry: the {@code
     * client.id} tag of its gauges (see docs/metrics.md).
     *
     * @param clientId default: the stream name plus a random suffix (for example {@code
     *     orders-1a2b3}); 1..64 characters of {@code [A-Za-z0-9._-]}, unique per registry
     * @return this builder
     * @throws IllegalArgumentException when malformed
     * @throws IllegalStateException when already set
     */
    public Builder clientId(String clientId) {
      Objects.requireNonNull(clientId, "clientId");
      if (!CLIENT_ID.matcher(clientId).matches()) {
        throw new IllegalArgumentException("clientId must be 1..64 characters of [A-Za-z0-9._-], was \""
            + clientId + "\"");
      }
      requireUnset(this.clientId == null, "clientId");
      this.clientId = clientId;
      return this;
    }

    /**
     * The service limits in force.
     *
     * @param limits default {@link BatchLimits#defaults()} (500 records, 5 MiB, 1 MiB per record)
     * @return this builder
     * @throws IllegalStateException when already set
     */
    public Builder limits(BatchLimits limits) {
      requireUnset(this.limits == null, "limits");
      this.limits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    /**
     * Attempts, backoff and the per-write deadline.
     *
     * @param retryPolicy default {@link RetryPolicy#defaults()}
     * @return this builder
     * @throws IllegalStateException when already set
     */
    public Builder retryPolicy(RetryPolicy retryPolicy) {
      requireUnset(this.retryPolicy == null, "retryPolicy");
      this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
      return this;
    }

    /**
     * Which errors are retried.
     *
     * @param classifier default {@link ErrorClassifier#defaults()}
     * @return this builder
     * @throws IllegalStateException when already set
     */
    public Builder errorClassifier(ErrorClassifier classifier) {
      requireUnset(this.classifier == null, "errorClassifier");
      this.classifier = Objects.requireNonNull(classifier, "classifier");
      return this;
    }

    /**
     * Most PutRecords requests in flight at once, across all writes of this writer. Keep it at or
     * below the HTTP client's max concurrency, or requests wait for a connection. With {@link
     * #adaptiveConcurrency(boolean)} on (the default) it is the ceiling of an adaptive bound.
     *
     * @param max default 8; range 1..1,000
     * @return this builder
     * @throws IllegalArgumentException when out of range
     * @throws IllegalStateException when already set
     */
    public Builder maxConcurrentRequests(int max) {
      if (max < 1 || max > 1000) {
        throw new IllegalArgumentException("maxConcurrentRequests must be in 1..1000, was " + max);
      }
      requireUnset(this.maxConcurrentRequests < 0, "maxConcurrentRequests");
      this.maxConcurrentRequests = max;
      return this;
    }

    /**
     * How long one PutRecords attempt may take before the writer gives up on it and treats it as a
     * retriable failure ({@code AttemptTimeout}). A safety net for clients built without the SDK's
     * attempt timeout; it is also cut short by the write's deadline. The service may still have
     * stored the records of a timed-out attempt, so a retry can duplicate them.
     *
     * @param timeout default 5 s; range 1 ms..10 min
     * @return this builder
     * @throws IllegalArgumentException when out of range
     * @throws IllegalStateException when already set
     */
    public Builder attemptTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.compareTo(Duration.ofMillis(1)) < 0 || timeout.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new IllegalArgumentException("attemptTimeout must be in 1 ms..10 min, was " + timeout);
      }
      requireUnset(this.attemptTimeout == null, "attemptTimeout");
      this.attemptTimeout = timeout;
      return this;
    }

    /**
     * Whether the in-flight bound adapts to congestion (AIMD, as TCP): the writer starts with {@code
     * maxConcurrentRequests} requests in flight, halves that bound when a request times out, fails with
     * a 5xx or a connection error (once per episode, never below 1), and grows it back by one request
     * per bound's worth of successful requests. Congestion episodes are shared by every writer and
     * producer built on the same client instance (the endpoint): each halves its own bound once when any
     * of them sees a new episode. Off, {@code maxConcurrentRequests} is a fixed bound.
     *
     * <p>Either way, an attempt that passes its {@code attemptTimeout} keeps its slot and its records
     * wait for its answer for as long again (cut to the deadline), since the service may still be
     * working on it; only then is it cancelled and its records retried. An attempt that the SDK's own
     * timeout ended keeps its slot for as long again as it ran.
     *
     * @param adaptive default true
     * @return this builder
     * @throws IllegalStateException when already set
     */
    public Builder adaptiveConcurrency(boolean adaptive) {
      requireUnset(this.adaptiveConcurrency == null, "adaptiveConcurrency");
      this.adaptiveConcurrency = adaptive;
      return this;
    }

    /**
     * The limit on re-sends: a token bucket refilled by acknowledged records (see {@link RetryBudget}).
     * A retry that finds it empty waits, within the write's deadline, for acknowledgements to refill it.
     *
     * @param retryBudget default {@link RetryBudget#defaults()}: 5,000 records, 0.1 per acknowledged
     *     record; {@link RetryBudget#unlimited()} turns it off
     * @return this builder
     * @throws IllegalStateException when already set
     */
    public Builder retryBudget(RetryBudget retryBudget) {
      requireUnset(this.retryBudget == null, "retryBudget");
      this.retryBudget = Objects.requireNonNull(retryBudget, "retryBudget");
      return this;
    }

    /**
     * Where backoff delays and attempt timeouts are scheduled. Owned by the caller.
     *
     * @param scheduler default: one daemon thread created by the writer and shut down by it
     * @return this builder
     * @throws IllegalStateException when already set
     */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      requireUnset(this.scheduler == null, "scheduler");
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * The clock that deadlines and latencies are measured with.
     *
     * @param clock default {@link Clock#systemUTC()}
     * @return this builder
     * @throws IllegalStateException when already set
     */
    public Builder clock(Clock clock) {
      requireUnset(this.clock == null, "clock");
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The random source for jitter.
     *
     * @param random default {@code ThreadLocalRandom::current}
     * @return this builder
     * @throws IllegalStateException when already set
     */
    public Builder random(Supplier<? extends RandomGenerator> random) {
      requireUnset(this.random == null, "random");
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * Turns on Micrometer metrics (see {@code docs/metrics.md}).
     *
     * @param metrics default none: no meters are registered
     * @return this builder
     * @throws IllegalStateException when already set
     */
    public Builder metrics(MetricsOptions metrics) {
      requireUnset(this.metrics == null, "metrics");
      this.metrics = Objects.requireNonNull(metrics, "metrics");
      return this;
    }

    /**
     * Builds the writer and logs its settings once at INFO.
     *
     * @return the writer
     * @throws IllegalStateException when no stream was set, or the attempt timeout is longer than
     *     the retry policy's deadline (naming both)
     */
    public KinesisBatchWriter build() {
      if (streamName == null && streamArn == null) {
        throw new IllegalStateException("streamName or streamArn is required");
      }
      RetryPolicy policy = retryPolicy == null ? RetryPolicy.defaults() : retryPolicy;
      Duration timeout = attemptTimeout == null ? DEFAULT_ATTEMPT_TIMEOUT : attemptTimeout;
      if (attemptTimeout != null && timeout.compareTo(policy.deadline()) > 0) {
        throw new IllegalStateException("attemptTimeout (" + timeout
            + ") must not exceed retryPolicy.deadline (" + policy.deadline() + ")");
      }
      return new ResilientBatchWriter(
          client,
          StreamRef.of(streamName, streamArn),
          limits == null ? BatchLimits.defaults() : limits,
          policy,
          classifier == null ? ErrorClassifier.defaults() : classifier,
          maxConcurrentRequests < 0 ? DEFAULT_MAX_CONCURRENT_REQUESTS : maxConcurrentRequests,
          timeout.compareTo(policy.deadline()) > 0 ? policy.deadline() : timeout,
          scheduler,
          clock == null ? Clock.systemUTC() : clock,
          random == null ? ThreadLocalRandom::current : random,
          metrics,
          clientId,
          retryBudget == null ? RetryBudget.defaults() : retryBudget,
          adaptiveConcurrency == null || adaptiveConcurrency);
    }

    private static void requireUnset(boolean unset, String option) {
      if (!unset) {
        throw new IllegalStateException(option + " was already set");
      }
    }
  }
}
