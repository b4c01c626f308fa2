package dev.kinesisresilient.lambda.testing;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.KinesisTimeWindowEvent;
import com.amazonaws.services.lambda.runtime.events.TimeWindowEventResponse;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import dev.kinesisresilient.core.BackoffStrategy;
import dev.kinesisresilient.core.StreamNames;
import dev.kinesisresilient.core.testing.ManualClock;
import dev.kinesisresilient.lambda.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/**
 * A local Kinesis event source mapping: reads a stream through any {@link KinesisAsyncClient} (the
 * core's {@code FakeKinesisAsyncClient}, kinesis-mock, LocalStack or AWS) and invokes a Lambda
 * handler with the mapping's semantics, recording a {@link SimulatorTrace} for assertions.
 *
 * <p>Reproduced (see docs/lambda.md and the project's ESM contract): batches of consecutive records of
 * one shard (BatchSize, batching window, the 6 MB payload cap); ParallelizationFactor as lanes per
 * shard ({@code hash(partitionKey) mod PF}, each with its own checkpoint and retry state: an
 * assumption, AWS does not document its scheme), so a key stays in order; MaximumRecordAgeInSeconds
 * checked before every attempt; function errors (a throw, or running past the function timeout on
 * the simulator's clock) with BisectBatchOnFunctionError (a split uses no attempt, as AWS documents;
 * see {@link BisectRetryCounting}) or the retry counter; MaximumRetryAttempts N meaning N+1 invocations; partial batch responses only
 * when ReportBatchItemFailures is on, with the response validation rules (an identifier must be a
 * sequence number of the batch; the lowest one is where the batch resumes; a partial failure counts
 * as an attempt); on-failure destination records in the documented JSON; FilterCriteria on JSON data
 * (a basic subset, see {@link FilterPattern}); throttled invocations that use no attempt.
 *
 * <p>Assumptions where AWS documents nothing, each a builder option: the delay between retries
 * (default none), what a partial failure retries without bisect ({@link PartialRetry}), and whether
 * the retry counter survives progress (it does: it is reset only by a full success or a discard),
 * whether a well-formed sequence number that is not in the batch fails it (it does, {@link
 * Builder#requireReportedIdInBatch}), and the {@code approximateInvokeCount} of a RecordAgeExceeded
 * record (deliveries so far plus one: AWS's recording for never-delivered records says 1).
 * Not modelled: resharding (child shards are not followed), enhanced fan-out, real concurrency (lanes
 * are invoked in turn on the caller's thread).
 *
 * <p>Tumbling windows ({@code TumblingWindowInSeconds} > 0): the handler gets a {@code
 * KinesisTimeWindowEvent} (use {@link #windowedBuilder}) with the window, the state the previous
 * invocation of the window returned, and the flags; a response without {@code state} fails the
 * invocation; a final invocation ends each window, retried until it succeeds; a state over 1 MB ends the
 * window early. The rules and the assumptions made where AWS documents nothing are in the package's
 * {@code TumblingWindows} model and docs/lambda.md; ParallelizationFactor > 1 with windows is rejected.
 *
 * <p>KPL aggregates are delivered unopened, as Lambda does: one record with the aggregate's sequence
 * number, partition key and bytes; lanes and filters see only those. AWS filters aggregated records
 * only for an enhanced fan-out consumer and does not support it with the standard iterator the
 * simulator models (https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis-filtering.html,
 * "Filtering Kinesis aggregated records"); here a {@code data} pattern never matches an aggregate,
 * whose bytes are not JSON. Opening them is the handler's job, which {@code KinesisBatchProcessor}
 * does by default.
 *
 * <p>Time: everything is measured on the injected clock. With a {@link ManualClock}, waits (batching
 * window, retry delay) advance it, so a test never sleeps; a handler can advance it to play a slow
 * record. Not thread-safe: drive it from one thread.
 *
 * <pre>{@code
 * EsmSimulator esm = EsmSimulator.builder(kinesis, "orders", handler)
 *     .mapping(EventSourceMappingConfig.recommended().batchSize(100).build())
 *     .clock(clock).functionTimeout(Duration.ofSeconds(30)).build();
 * esm.runUntilIdle();
 * assertThat(esm.trace().redelivered()).isEmpty();
 * }</pre>
 *
 * @since 0.1.0
 */
public final class EsmSimulator {

  /** Lambda's synchronous invocation payload limit, 6 MB. */
  public static final long MAX_PAYLOAD_BYTES = 6L * 1024 * 1024;

  /**
   * What is retried after a partial batch failure when bisect is off (AWS does not document it).
   *
   * @since 0.1.0
   */
  public enum PartialRetry {
    /** Re-read from the reported record: the next batch starts there and fills up to BatchSize. */
    REPOLL,
    /** Retry exactly the records from the reported one to the end of the failed batch. */
    EXACT_REMAINDER
  }

  /**
   * Whether a function error that makes the mapping split the batch (BisectBatchOnFunctionError)
   * uses a retry attempt. AWS documents that it does not: splitting a batch does not count towards
   * the retry quota (https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html,
   * and the error-handling section of https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html).
   * The other mode lets a test check that a design also holds if it did.
   *
   * @since 0.1.0
   */
  public enum BisectRetryCounting {
    /** As documented: a failed invocation that is split uses no attempt; the halves inherit the count. */
    SPLIT_USES_NO_ATTEMPT,
    /**
     * Every failed invocation uses an attempt, also one that is then split; the halves inherit the
     * count, and a batch whose attempts are exhausted is discarded instead of split.
     */
    SPLIT_USES_ATTEMPT
  }

  private final KinesisAsyncClient client;
  private final String streamName;
  private final RequestHandler<KinesisEvent, ?> handler;
  private final EventSourceMappingConfig mapping;
  private final Clock clock;
  private final Sleeper sleeper;
  private final Duration functionTimeout;
  private final String functionName;
  private final @Nullable BackoffStrategy retryBackoff;
  private final PartialRetry partialRetry;
  private final BisectRetryCounting bisectRetryCounting;
  private final boolean requireReportedIdInBatch;
  private final boolean unparsableResponseIsSuccess;
  private final int maxInvocations;
  private final @Nullable TumblingWindows windows;

  private final SimulatorTrace trace = new SimulatorTrace();
  private final OnFailureRecords onFailure = new OnFailureRecords();
  private final InvocationCounters counters = new InvocationCounters();
  private final List<ShardReader> shards = new ArrayList<>();
  private @Nullable String streamArn;

  private EsmSimulator(Builder b) {
    this.client = b.client;
    this.streamName = b.streamName;
    this.handler = b.handler;
    this.mapping = b.mapping;
    this.clock = b.clock;
    this.sleeper = b.sleeper != null ? b.sleeper
        : b.clock instanceof ManualClock mc ? d -> mc.advance(d) : Sleeper.system();
    this.functionTimeout = b.functionTimeout;
    this.functionName = b.functionName;
    this.retryBackoff = b.retryBackoff;
    this.partialRetry = b.partialRetry;
    this.bisectRetryCounting = b.bisectRetryCounting;
    this.requireReportedIdInBatch = b.requireReportedIdInBatch;
    this.unparsableResponseIsSuccess = b.unparsableResponseIsSuccess;
    this.maxInvocations = b.maxInvocations;
    if (mapping.tumblingWindowInSeconds() != 0 && mapping.parallelizationFactor() > 1) {
      throw new UnsupportedOperationException("the simulator does not model tumbling windows with "
          + "ParallelizationFactor > 1");
    }
    this.windows = mapping.tumblingWindowInSeconds() == 0 ? null
        : new TumblingWindows(mapping.tumblingWindowInSeconds(), b.maxWindowStateBytes);
  }

  /**
   * A builder for a simulator of one mapping from a stream to a handler.
   *
   * @param client the Kinesis client to read with; owned by the caller
   * @param streamName the stream; 1..128 characters of {@code [a-zA-Z0-9_.-]} ({@link StreamNames})
   * @param handler the function's handler; it may return a {@link StreamsEventResponse}, a {@code
   *     Map}/{@code List} (serialized as JSON, for raw responses), a {@code String} (serialized as a
   *     JSON string, as the Java runtime does) or null
   * @return a new builder
   * @throws IllegalArgumentException when {@code streamName} breaks that rule
   */
  public static Builder builder(KinesisAsyncClient client, String streamName, RequestHandler<KinesisEvent, ?> handler) {
    return new Builder(client, streamName, handler);
  }

  /**
   * A builder for a simulator of a mapping with a tumbling window ({@code TumblingWindowInSeconds} >
   * 0 in the {@link Builder#mapping mapping}) to a handler of {@code KinesisTimeWindowEvent}s.
   *
   * @param client the Kinesis client to read with; owned by the caller
   * @param streamName the stream
   * @param handler the function's handler; it may return a {@link TimeWindowEventResponse}, a {@code
   *     Map} (serialized as JSON) or null (a failed invocation: no state)
   * @return a new builder
   */
  public static Builder windowedBuilder(KinesisAsyncClient client, String streamName,
      RequestHandler<KinesisTimeWindowEvent, ?> handler) {
    Objects.requireNonNull(handler, "handler");
    RequestHandler<KinesisEvent, ?> adapted = (event, context) -> {
      if (!(event instanceof KinesisTimeWindowEvent w)) {
        throw new IllegalStateException("windowedBuilder needs a mapping with TumblingWindowInSeconds > 0");
      }
      return handler.handleRequest(w, context);
    };
    return new Builder(client, streamName, adapted);
  }

  /**
   * Reads and invokes until every shard is idle: no record is left to deliver or retry. Waits for
   * batching windows and retry delays with the sleeper (on a manual clock: by advancing it).
   *
   * @return the number of invocation attempts made (throttled ones included)
   * @throws IllegalStateException when more than {@code maxInvocations} attempts were needed (a shard
   *     stuck behind a record that always fails, with infinite retries)
   */
  public int runUntilIdle() {
    int start = counters.invocations();
    while (true) {
      if (step()) {
        continue;
      }
      Instant now = clock.instant();
      Instant due = null;
      for (ShardReader sr : shards) {
        for (ShardLane lane : sr.lanes()) {
          Instant d = lane.dueAt();
          if (d != null && (due == null || d.isBefore(due))) {
            due = d;
          }
        }
      }
      if (due == null) {
        return counters.invocations() - start;
      }
      Duration wait = Duration.between(now, due);
      try {
        sleeper.sleep(wait.isNegative() ? Duration.ZERO : wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while simulating", e);
      }
      if (!clock.instant().isAfter(now) && !wait.isNegative() && !wait.isZero()) {
        throw new IllegalStateException("the clock did not move while waiting " + wait);
      }
    }
  }

  /**
   * One round: reads new records from every shard, then gives every lane that is ready one
   * invocation attempt.
   *
   * @return whether anything was invoked
   * @throws IllegalStateException when {@code maxInvocations} is exceeded
   */
  public boolean step() {
    ensureStarted();
    for (ShardReader sr : shards) {
      sr.fetch();
    }
    boolean did = false;
    for (ShardReader sr : shards) {
      for (ShardLane lane : sr.lanes()) {
        if (lane.tryInvoke()) {
          did = true;
          if (counters.invocations() > maxInvocations) {
            throw new IllegalStateException("more than " + maxInvocations + " invocations: a shard seems stuck ("
                + trace + ")");
          }
        }
      }
    }
    return did;
  }

  /**
   * The trace so far.
   *
   * @return the live trace (read it from the driving thread)
   */
  public SimulatorTrace trace() {
    return trace;
  }

  /**
   * The records sent to the on-failure destination, as JSON documents, in order.
   *
   * @return a copy; empty when the destination type is NONE
   */
  public List<String> onFailureRecords() {
    return onFailure.snapshot();
  }

  /**
   * Makes the next {@code n} invocation attempts throttled: the function does not run and no retry
   * attempt is used.
   *
   * @param n how many, at least 1
   */
  public void throttleNextInvocations(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("n must be at least 1, was " + n);
    }
    counters.throttleNext(n);
  }

  /**
   * Makes the next successful batch be delivered again, as when a checkpoint is lost: the
   * at-least-once case handlers must tolerate.
   */
  public void loseNextCheckpoint() {
    counters.loseNextCheckpoint();
  }

  /**
   * The stream's ARN, once the simulator has started.
   *
   * @return the ARN, or null before the first step
   */
  public @Nullable String streamArn() {
    return streamArn;
  }

  private void ensureStarted() {
    if (streamArn != null) {
      return;
    }
    String arn = client.describeStreamSummary(b -> b.streamName(streamName)).join()
        .streamDescriptionSummary().streamARN();
    String region = KinesisEvents.DEFAULT_REGION;
    String account = KinesisEvents.DEFAULT_ACCOUNT_ID;
    String[] parts = arn.split(":");
    if (parts.length > 4) {
      region = parts[3];
      account = parts[4];
    }
    LaneContext context = new LaneContext(handler, mapping, clock, functionTimeout, functionName, arn, region,
        account, retryBackoff, partialRetry, bisectRetryCounting, requireReportedIdInBatch,
        unparsableResponseIsSuccess, windows, trace, onFailure, counters);
    shards.addAll(ShardReader.openAll(client, streamName, context));
    streamArn = arn;
  }

  /**
   * Builds an {@link EsmSimulator}. Not thread-safe.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private final KinesisAsyncClient client;
    private final String streamName;
    private final RequestHandler<KinesisEvent, ?> handler;
    private EventSourceMappingConfig mapping = EventSourceMappingConfig.defaults();
    private Clock clock = Clock.systemUTC();
    private @Nullable Sleeper sleeper;
    private Duration functionTimeout = Duration.ofSeconds(3);
    private String functionName = "test-function";
    private @Nullable BackoffStrategy retryBackoff;
    private PartialRetry partialRetry = PartialRetry.REPOLL;
    private BisectRetryCounting bisectRetryCounting = BisectRetryCounting.SPLIT_USES_NO_ATTEMPT;
    private boolean requireReportedIdInBatch = true;
    private boolean unparsableResponseIsSuccess;
    private int maxInvocations = 100_000;
    private long maxWindowStateBytes = TumblingWindows.DEFAULT_MAX_STATE_BYTES;

    private Builder(KinesisAsyncClient client, String streamName, RequestHandler<KinesisEvent, ?> handler) {
      this.client = Objects.requireNonNull(client, "client");
      this.streamName = StreamNames.requireValidName(streamName, "streamName");
      this.handler = Objects.requireNonNull(handler, "handler");
    }

    /**
     * The mapping's settings.
     *
     * @param mapping default {@link EventSourceMappingConfig#defaults()}
     * @return this builder
     */
    public Builder mapping(EventSourceMappingConfig mapping) {
      this.mapping = Objects.requireNonNull(mapping, "mapping");
      return this;
    }

    /**
     * The clock for timeouts, ages, windows and delays; a {@link ManualClock} makes the simulation
     * deterministic and sleep-free.
     *
     * @param clock default {@link Clock#systemUTC()}
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * How waits are made.
     *
     * @param sleeper default: advance the clock when it is a {@link ManualClock}, else sleep
     * @return this builder
     */
    public Builder sleeper(Sleeper sleeper) {
      this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
      return this;
    }

    /**
     * The function's timeout: an invocation that runs longer (on the clock) is a function error.
     *
     * @param timeout default 3 s (Lambda's default); range 1 s..15 min
     * @return this builder
     */
    public Builder functionTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.compareTo(Duration.ofSeconds(1)) < 0 || timeout.compareTo(Duration.ofMinutes(15)) > 0) {
        throw new IllegalArgumentException("functionTimeout must be in 1 s..15 min, was " + timeout);
      }
      this.functionTimeout = timeout;
      return this;
    }

    /**
     * The function's name, in contexts and on-failure records.
     *
     * @param name default {@code test-function}
     * @return this builder
     */
    public Builder functionName(String name) {
      this.functionName = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * The delay before a failed batch is retried (undocumented by AWS).
     *
     * @param backoff default none: retry at once
     * @return this builder
     */
    public Builder retryBackoff(BackoffStrategy backoff) {
      this.retryBackoff = Objects.requireNonNull(backoff, "backoff");
      return this;
    }

    /**
     * What a partial failure retries when bisect is off.
     *
     * @param mode default {@link PartialRetry#REPOLL}
     * @return this builder
     */
    public Builder partialFailureRetry(PartialRetry mode) {
      this.partialRetry = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /**
     * Whether a function error that splits the batch (BisectBatchOnFunctionError) uses a retry attempt.
     *
     * @param counting default {@link BisectRetryCounting#SPLIT_USES_NO_ATTEMPT}, as AWS documents
     * @return this builder
     */
    public Builder bisectRetryCounting(BisectRetryCounting counting) {
      this.bisectRetryCounting = Objects.requireNonNull(counting, "counting");
      return this;
    }

    /**
     * Whether a reported identifier must be a sequence number of the batch (else any decimal number
     * is accepted and records from it on are retried).
     *
     * @param require default true
     * @return this builder
     */
    public Builder requireReportedIdInBatch(boolean require) {
      this.requireReportedIdInBatch = require;
      return this;
    }

    /**
     * How a response that is not JSON, or neither an object nor an empty list, is read (AWS does not
     * document it).
     *
     * @param success default false: the whole batch fails
     * @return this builder
     */
    public Builder unparsableResponseIsSuccess(boolean success) {
      this.unparsableResponseIsSuccess = success;
      return this;
    }

    /**
     * A guard against a simulation that never ends.
     *
     * @param max default 100,000; at least 1
     * @return this builder
     */
    public Builder maxInvocations(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxInvocations must be at least 1, was " + max);
      }
      this.maxInvocations = max;
      return this;
    }

    /**
     * The tumbling-window state size over which the window ends early (AWS: "1 MB" per shard).
     *
     * @param bytes default 1,000,000 (the JSON of the state in UTF-8); at least 2
     * @return this builder
     */
    public Builder maxWindowStateBytes(long bytes) {
      if (bytes < 2) {
        throw new IllegalArgumentException("maxWindowStateBytes must be at least 2, was " + bytes);
      }
      this.maxWindowStateBytes = bytes;
      return this;
    }

    /**
     * Builds the simulator; nothing is read until the first {@link EsmSimulator#step()}.
     *
     * @return the simulator
     * @throws UnsupportedOperationException when the mapping has a tumbling window and a
     *     ParallelizationFactor above 1
     */
    public EsmSimulator build() {
      return new EsmSimulator(this);
    }
  }
}
