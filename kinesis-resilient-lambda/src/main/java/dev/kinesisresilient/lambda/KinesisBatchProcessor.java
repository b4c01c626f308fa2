package dev.kinesisresilient.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import dev.kinesisresilient.core.Jitter;
import dev.kinesisresilient.core.MetricsOptions;
import dev.kinesisresilient.core.RetryPolicy;
import dev.kinesisresilient.lambda.internal.DefaultKinesisBatchProcessor;
import dev.kinesisresilient.lambda.internal.ProcessorSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * Processes the records of a Kinesis event one by one with a per-record {@link RecordHandler} and
 * builds the partial batch response the Lambda event source mapping expects.
 *
 * <p><b>What a batch does.</b> Records are handled in event order. A record that the filter rejects is
 * skipped; one older than {@code maxRecordAge} is quarantined (or skipped). A record whose handler
 * throws is retried in process, with the capped, jittered backoff of the {@code retryPolicy}, as long
 * as the retry fits in the invocation's remaining time. A failure the {@code permanentFailure}
 * predicate accepts, or one still failing after {@code maxAttempts}, goes to the {@code
 * quarantineSink} and counts as handled, so the shard moves on. Without a sink, or when the sink
 * fails, or when time runs out, the record <b>fails</b>: processing stops and the response reports
 * exactly that record's sequence number. Lambda checkpoints before it and redelivers from it, so
 * handling later records would only duplicate them. Before each record, if the remaining time
 * ({@link Context#getRemainingTimeInMillis()}) is below the {@code safetyMargin}, processing stops and
 * the first unprocessed record is reported, so Lambda resumes there instead of timing out and
 * retrying the whole batch. The reported identifier is always a sequence number of the batch; an
 * empty or null event is a success.
 *
 * <p><b>Poison pills without a working sink.</b> A partial response makes the mapping retry from the
 * reported record with that record first, and BisectBatchOnFunctionError does not split a partial
 * response, only a failed invocation. So when a record failed <em>for good</em> (given up on by
 * retries, a permanent failure, its age or a throwing filter, and no sink took it) and its Kinesis
 * record is the <b>first</b> of a batch of several, {@link #process} throws {@link
 * BatchFailedException} instead of reporting it: a mapping with bisect on splits the batch until the
 * record is alone, then it is reported, retried and discarded alone to the on-failure destination,
 * and the healthy records around it are handled once and committed. Not first: it is reported (the
 * next batch starts with it). Alone in its batch: it is reported. A record that failed for lack of
 * time or an interrupt is always reported. See docs/lambda.md for the mapping settings this assumes.
 *
 * <p><b>KPL aggregates.</b> By default ({@link Builder#deaggregate(boolean)}) a Kinesis record that
 * is a KPL aggregate is opened and each of its user records goes through the steps above as a
 * record of its own ({@link StreamRecord#subSequenceNumber()}, {@link StreamRecord#idempotencyKey()}).
 * Lambda only accepts the aggregate's sequence number, so a sub-record that fails or is not reached
 * makes the processor report its aggregate's: Lambda redelivers the whole aggregate, and the
 * sub-records before it that had succeeded are handled again. Records that are not aggregates, and
 * malformed aggregates, are handled unchanged.
 *
 * <p>With {@code orderedParallelism}, records of different partition keys run concurrently on a
 * bounded executor, each key in order (a sub-record by its own key, so the sub-records of one
 * aggregate may run concurrently); the response reports the lowest sequence number (compared as
 * 128-bit numbers) among records with a failed or unprocessed (sub-)record, and records at or above a
 * known failure are not started. Results are collected from futures; no list is shared between threads.
 *
 * <p><b>Mapping settings.</b> The response only matters when the event source mapping has {@code
 * FunctionResponseTypes: [ReportBatchItemFailures]}; without it Lambda ignores the response and a
 * reported record is <em>not</em> retried. The processor cannot see the mapping: it logs this once per
 * instance at INFO. If your mapping lacks it, set {@code partialBatchResponse(false)} and a failure
 * throws {@link BatchFailedException} (the whole batch is retried) instead. See docs/lambda.md for
 * the recommended mapping settings.
 *
 * <p><b>Thread-safety and lifecycle.</b> Thread-safe. Build one per container (a field of the handler
 * class) and call {@link #process} from {@code handleRequest}. No thread is started, except the
 * executor that {@link Builder#orderedParallelism(int)} creates, which {@link #close()} shuts down.
 *
 * <pre>{@code
 * public final class OrdersHandler implements RequestHandler<KinesisEvent, StreamsEventResponse> {
 *   private final KinesisBatchProcessor processor = KinesisBatchProcessor.builder(this::handle)
 *       .quarantineSink(QuarantineSink.kinesis(quarantineWriter))
 *       .build();
 *
 *   public StreamsEventResponse handleRequest(KinesisEvent event, Context context) {
 *     return processor.handleRequest(event, context);
 *   }
 *
 *   private void handle(StreamRecord record) { ... }
 * }
 * }</pre>
 *
 * <p><b>How it fails.</b> Handler exceptions never escape: they are retried, quarantined or reported.
 * A malformed event (a record without sequence number, partition key or arrival time, which Lambda
 * never sends) throws {@link IllegalArgumentException}, failing the whole invocation. An {@link Error}
 * thrown by a handler propagates, and Lambda retries the batch.
 *
 * @since 0.1.0
 */
public interface KinesisBatchProcessor extends AutoCloseable {

  /**
   * Processes a batch.
   *
   * @param event the event Lambda passed to the handler; null or without records is a success
   * @param context the invocation's context, for the remaining time
   * @return the response and each record's outcome
   * @throws IllegalArgumentException when the event is malformed
   * @throws BatchFailedException when a record was not handled and {@code partialBatchResponse} is off,
   *     or when a record failed for good and its Kinesis record is the first of a batch of several
   *     (so that the mapping bisects the batch)
   */
  BatchResult process(@Nullable KinesisEvent event, Context context);

  /**
   * Processes a batch and returns only the response: what a {@code RequestHandler<KinesisEvent,
   * StreamsEventResponse>} returns.
   *
   * @param event the event
   * @param context the invocation's context
   * @return the partial batch response
   * @throws IllegalArgumentException when the event is malformed
   * @throws BatchFailedException when a record was not handled and {@code partialBatchResponse} is off,
   *     or when a record failed for good and its Kinesis record is the first of a batch of several
   */
  default StreamsEventResponse handleRequest(@Nullable KinesisEvent event, Context context) {
    return process(event, context).response();
  }

  /** Shuts down an executor the processor created; a caller's executor is left alone. Idempotent. */
  @Override
  void close();

  /**
   * A builder for a processor around a per-record handler.
   *
   * @param handler the per-record handler
   * @return a new builder
   */
  static Builder builder(RecordHandler handler) {
    return new Builder(handler);
  }

  /**
   * Builds a {@link KinesisBatchProcessor}. Setters validate at once and may each be called once
   * ({@link IllegalStateException} otherwise). Not thread-safe.
   *
   * @since 0.1.0
   */
  final class Builder {
    /** Default {@link #retryPolicy}: 3 attempts, 100 ms base, 1 s cap, full jitter, 10 s per record. */
    public static final RetryPolicy DEFAULT_RETRY_POLICY = RetryPolicy.builder()
        .maxAttempts(3)
        .baseDelay(Duration.ofMillis(100))
        .maxDelay(Duration.ofSeconds(1))
        .jitter(Jitter.FULL)
        .deadline(Duration.ofSeconds(10))
        .build();

    /** Default {@link #safetyMargin}: 1 s. */
    public static final Duration DEFAULT_SAFETY_MARGIN = Duration.ofSeconds(1);

    private static final Duration MAX_SAFETY_MARGIN = Duration.ofMinutes(15);
    private static final Duration MAX_RECORD_AGE = Duration.ofDays(365);

    private final RecordHandler handler;
    private @Nullable RetryPolicy retryPolicy;
    private @Nullable Predicate<? super Exception> permanentFailure;
    private @Nullable QuarantineSink quarantineSink;
    private @Nullable Duration maxRecordAge;
    private @Nullable ExpiredRecordAction expiredRecordAction;
    private @Nullable Predicate<? super StreamRecord> filter;
    private @Nullable Duration safetyMargin;
    private int parallelism;
    private @Nullable Executor executor;
    private @Nullable Boolean partialBatchResponse;
    private @Nullable Boolean deaggregate;
    private @Nullable Clock clock;
    private @Nullable Sleeper sleeper;
    private @Nullable Supplier<? extends RandomGenerator> random;
    private @Nullable MetricsOptions metrics;
    private @Nullable EmfWriter emf;

    private Builder(RecordHandler handler) {
      this.handler = Objects.requireNonNull(handler, "handler");
    }

    /**
     * In-process retries of a failing record: attempts (the first included), capped and jittered
     * backoff, and a time budget per record. A retry is only made if its delay ends before the
     * invocation's deadline (remaining time less the safety margin); otherwise the record is reported
     * failed and Lambda delivers it again.
     *
     * @param retryPolicy default {@link #DEFAULT_RETRY_POLICY}; {@code maxAttempts(1)} turns retries off
     * @return this builder
     * @throws IllegalStateException when already set
     */
    public Builder retryPolicy(RetryPolicy retryPolicy) {
      requireUnset(this.retryPolicy == null, "retryPolicy");
      this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
      return this;
    }

    /**
     * Which handler failures are permanent: such a record is quarantined at once, without retries
     * (or reported failed when there is no sink). Must be fast and must not throw.
     *
     * @param permanentFailure default: none is permanent
     * @return this builder
     * @throws IllegalStateException when already set
     */
    public Builder permanentFailure(Predicate<? super Exception> permanentFailure) {
      requireUnset(this.permanentFailure == null, "permanentFailure");
      this.permanentFailure = Objects.requireNonNull(permanentFailure, "permanentFailure");
      return this;
    }

    /**
     * Where poison pills (and, by default, over-age records) go so the shard moves on.
     *
     * @param sink default none: a record that cannot be handled is reported failed (or, when it is the
     *     first of its batch, the invocation fails so the mapping bisects), and the mapping's own
     *     retry, bisect and on-failure settings apply
     * @return this builder
     * @throws IllegalStateException when already set
     */
    public Builder quarantineSink(QuarantineSink sink) {
      requireUnset(this.quarantineSink == null, "quarantineSink");
      this.quarantineSink = Objects.requireNonNull(sink, "sink");
      return this;
    }

    /**
     * Records older than this (now minus arrival time) are not handled but quarantined or skipped,
     * see {@link #expiredRecordAction}. The mapping's {@code MaximumRecordAgeInSeconds} does the same
     * before invoking, but can only send batch metadata to its on-failure destination.
     *
     * @param maxRecordAge default none; range 1 ms..365 days
     * @return this builder
     * @throws IllegalArgumentException when out of range
     * @throws IllegalStateException when already set
     */
    public Builder maxRecordAge(Duration maxRecordAge) {
      Objects.requireNonNull(maxRecordAge, "maxRecordAge");
      if (maxRecordAge.compareTo(Duration.ofMillis(1)) < 0 || maxRecordAge.compareTo(MAX_RECORD_AGE) > 0) {
        throw new IllegalArgumentException("maxRecordAge must be in 1 ms..365 days, was " + maxRecordAge);
      }
      requireUnset(this.maxRecordAge == null, "maxRecordAge");
      this.maxRecordAge = maxRecordAge;
      return this;
    }

    /**
     * What happens to a record older than {@link #maxRecordAge}.
     *
     * @param action default {@link ExpiredRecordAction#QUARANTINE}, which needs a quarantine sink
     * @return this builder
     * @throws IllegalStateException when already set
     */
    public Builder expiredRecordAction(ExpiredRecordAction action) {
      requireUnset(this.expiredRecordAction == null, "expiredRecordAction");
      this.expiredRecordAction = Objects.requireNonNull(action, "action");
      return this;
    }

    /**
     * Which records to handle; the others are skipped and counted ({@code filtered}). If you can
     * express the rule as an event source mapping {@code FilterCriteria} on the JSON data, prefer
     * that: filtered records then never cost an invocation (see docs/lambda.md). A filter that throws
     * fails the record like a handler failure.
     *
     * @param filter default: every record is handled
     * @return this builder
     * @throws IllegalStateException when already set
     */
    public Builder filter(Predicate<? super StreamRecord> filter) {
      requireUnset(this.filter == null, "filter");
      this.filter = Objects.requireNonNull(filter, "filter");
      return this;
    }

    /**
     * How much of the invocation's time to leave unused: no record is started, and no retry delay
     * ends, later than the remaining time minus this margin. Make it longer than your slowest
     * record, or a record started just before the margin can still time the function out.
     *
     * @param margin default 1 s; range 0..15 min
     * @return this builder
     * @throws IllegalArgumentException when out of range
     * @throws IllegalStateException when already set
     */
    public Builder safetyMargin(Duration margin) {
      Objects.requireNonNull(margin, "margin");
      if (margin.isNegative() || margin.compareTo(MAX_SAFETY_MARGIN) > 0) {
        throw new IllegalArgumentException("safetyMargin must be in 0..15 min, was " + margin);
      }
      requireUnset(this.safetyMargin == null, "safetyMargin");
      this.safetyMargin = margin;
      return this;
    }

    /**
     * Handles different partition keys concurrently, each key in order, on a fixed pool of daemon
     * threads that the processor creates and {@link KinesisBatchProcessor#close()} shuts down.
     * Useful when records wait on I/O; keep the mapping's {@code ParallelizationFactor} in mind (it
     * multiplies).
     *
     * @param maxConcurrency at most this many keys at once; range 2..256
     * @return this builder
     * @throws IllegalArgumentException when out of range
     * @throws IllegalStateException when parallelism was already set
     */
    public Builder orderedParallelism(int maxConcurrency) {
      checkParallelism(maxConcurrency);
      this.parallelism = maxConcurrency;
      return this;
    }

    /**
     * Like {@link #orderedParallelism(int)} on a caller's executor (owned by the caller; not shut
     * down by the processor). The processor never submits more than {@code maxConcurrency} tasks per
     * batch.
     *
     * @param maxConcurrency at most this many keys at once; range 2..256
     * @param executor where the per-key tasks run
     * @return this builder
     * @throws IllegalArgumentException when out of range
     * @throws IllegalStateException when parallelism was already set
     */
    public Builder orderedParallelism(int maxConcurrency, Executor executor) {
      Objects.requireNonNull(executor, "executor");
      checkParallelism(maxConcurrency);
      this.parallelism = maxConcurrency;
      this.executor = executor;
      return this;
    }

    private void checkParallelism(int maxConcurrency) {
      if (maxConcurrency < 2 || maxConcurrency > 256) {
        throw new IllegalArgumentException("maxConcurrency must be in 2..256, was " + maxConcurrency);
      }
      requireUnset(this.parallelism == 0, "orderedParallelism");
    }

    /**
     * Whether the mapping has {@code ReportBatchItemFailures}. When {@code false}, a record that is
     * not handled makes {@link KinesisBatchProcessor#process} throw {@link BatchFailedException}
     * (Lambda then retries the whole batch) instead of returning a response Lambda would ignore.
     *
     * @param enabled default {@code true}
     * @return this builder
     * @throws IllegalStateException when already set
     */
    public Builder partialBatchResponse(boolean enabled) {
      requireUnset(this.partialBatchResponse == null, "partialBatchResponse");
      this.partialBatchResponse = enabled;
      return this;
    }

    /**
     * Whether KPL aggregated records are opened: the handler then sees each user record (sub-record)
     * with its own partition key and data, its {@link StreamRecord#subSequenceNumber()} and {@link
     * StreamRecord#idempotencyKey()}, and the aggregate's sequence number, shard, arrival time and
     * attempt. Filter, age, retries, quarantine and the deadline apply to each sub-record; a sub-record
     * that fails (or is not reached) makes the processor report the sequence number of its aggregate,
     * so Lambda redelivers the whole aggregate, including sub-records that had succeeded: make the
     * handler idempotent on {@code idempotencyKey()}. Records that are not aggregates, or are
     * malformed ones (bad MD5, truncated), are passed through unchanged. Turn it off to give the
     * handler the Kinesis records as Lambda delivers them (an aggregate's raw bytes).
     *
     * @param enabled default {@code true}
     * @return this builder
     * @throws IllegalStateException when already set
     */
    public Builder deaggregate(boolean enabled) {
      requireUnset(this.deaggregate == null, "deaggregate");
      this.deaggregate = enabled;
      return this;
    }

    /**
     * The clock for record ages, backoff budgets and durations.
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
     * How retry delays are waited out.
     *
     * @param sleeper default {@link Sleeper#system()}
     * @return this builder
     * @throws IllegalStateException when already set
     */
    public Builder sleeper(Sleeper sleeper) {
      requireUnset(this.sleeper == null, "sleeper");
      this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
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
     * Turns on Micrometer metrics per stream and shard (see docs/metrics.md).
     *
     * @param metrics default none
     * @return this builder
     * @throws IllegalStateException when already set
     */
    public Builder metrics(MetricsOptions metrics) {
      requireUnset(this.metrics == null, "metrics");
      this.metrics = Objects.requireNonNull(metrics, "metrics");
      return this;
    }

    /**
     * Writes one CloudWatch Embedded Metric Format line at the end of each invocation.
     *
     * @param emf default none
     * @return this builder
     * @throws IllegalStateException when already set
     */
    public Builder emf(EmfWriter emf) {
      requireUnset(this.emf == null, "emf");
      this.emf = Objects.requireNonNull(emf, "emf");
      return this;
    }

    /**
     * Builds the processor.
     *
     * @return the processor
     * @throws IllegalStateException when {@code maxRecordAge} is set with the QUARANTINE action but no
     *     quarantine sink, or {@code expiredRecordAction} is set without {@code maxRecordAge}
     */
    public KinesisBatchProcessor build() {
      ExpiredRecordAction action = expiredRecordAction == null ? ExpiredRecordAction.QUARANTINE : expiredRecordAction;
      if (maxRecordAge != null && action == ExpiredRecordAction.QUARANTINE && quarantineSink == null) {
        throw new IllegalStateException("maxRecordAge with expiredRecordAction QUARANTINE needs a "
            + "quarantineSink; set one, or expiredRecordAction(SKIP) to drop expired records on purpose");
      }
      if (maxRecordAge == null && expiredRecordAction != null) {
        throw new IllegalStateException("expiredRecordAction is set but maxRecordAge is not");
      }
      return new DefaultKinesisBatchProcessor(new ProcessorSettings(
          handler,
          retryPolicy == null ? DEFAULT_RETRY_POLICY : retryPolicy,
          permanentFailure == null ? e -> false : permanentFailure,
          quarantineSink,
          maxRecordAge,
          action,
          filter,
          safetyMargin == null ? DEFAULT_SAFETY_MARGIN : safetyMargin,
          parallelism <= 1 ? 1 : parallelism,
          executor,
          partialBatchResponse == null || partialBatchResponse,
          deaggregate == null || deaggregate,
          clock == null ? Clock.systemUTC() : clock,
          sleeper == null ? Sleeper.system() : sleeper,
          random == null ? ThreadLocalRandom::current : random,
          metrics,
          emf));
    }

    private static void requireUnset(boolean unset, String option) {
      if (!unset) {
        throw new IllegalStateException(option + " was already set");
      }
    }
  }
}
