package dev.kinesisresilient.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.KinesisTimeWindowEvent;
import com.amazonaws.services.lambda.runtime.events.TimeWindowEventResponse;
import dev.kinesisresilient.core.RetryPolicy;
import dev.kinesisresilient.lambda.internal.DefaultTumblingWindowProcessor;
import dev.kinesisresilient.lambda.internal.WindowSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * Aggregates a Kinesis stream over Lambda tumbling windows ({@code TumblingWindowInSeconds} on the
 * event source mapping): folds each record of a {@code KinesisTimeWindowEvent} into the window's
 * {@link WindowState} with a per-record {@link WindowRecordHandler}, returns the state (and a partial
 * batch response) in a {@code TimeWindowEventResponse}, and in the window's final invocation hands the
 * complete state to a {@link WindowEndHandler}.
 *
 * <p><b>What an invocation does.</b> Lambda passes the state the previous invocation of the same
 * window returned (empty for a new window). Records are folded in, in event order, with the same rules
 * as {@link KinesisBatchProcessor}: filter, in-process retries with the {@code retryPolicy} while they
 * fit in the remaining time, quarantine of permanent failures, a stop before the {@code safetyMargin},
 * and <b>stop at the first failure</b>: the response reports that record's sequence number and carries
 * the state with exactly the records before it folded in, so Lambda resumes at the failed record with
 * that state and nothing is counted twice. A record whose update would make the state larger than
 * {@code maxStateBytes} fails the same way, with a {@link WindowStateTooLargeException}. KPL aggregates
 * are opened (as {@link KinesisBatchProcessor.Builder#deaggregate(boolean)}); when a sub-record fails,
 * the whole aggregate is reported and none of its sub-records is in the returned state.
 * When a record given up on for good (permanent or out of attempts, no sink) is the first of a batch of
 * several, the invocation fails with {@link BatchFailedException} instead, so that a mapping with
 * {@code BisectBatchOnFunctionError} isolates it rather than discarding the records behind it with it.
 *
 * <p>In the final invocation ({@code isFinalInvokeForWindow}) the records it carries, if any, are folded
 * in first; then the {@code windowEndHandler} runs with the final state (retried in process like a
 * record). If it still fails, {@link #process} throws {@link WindowEndFailedException}: Lambda
 * suspends the shard and invokes the final invocation again until it succeeds (AWS, "Aggregation and
 * processing"). With {@code isWindowTerminatedEarly} the state covers only part of the window (it passed
 * 1 MB) and the window continues with an empty state; {@link WindowInfo#terminatedEarly()} tells the
 * handler.
 *
 * <p><b>Mapping settings.</b> Set {@code FunctionResponseTypes: [ReportBatchItemFailures]}: without
 * it Lambda ignores the reported record, and the records after it would be missing from the window.
 * If your mapping lacks it, use {@code partialBatchResponse(false)}: a failure then throws {@link
 * BatchFailedException} and Lambda retries the whole batch with the state it had. See docs/lambda.md,
 * and https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-windows.html.
 *
 * <p><b>Thread-safety and lifecycle.</b> Thread-safe and stateless between invocations (the state
 * travels through Lambda). Build one per container; no thread is started and nothing needs closing.
 *
 * <pre>{@code
 * public final class CountsHandler implements RequestHandler<KinesisTimeWindowEvent, TimeWindowEventResponse> {
 *   private final TumblingWindowProcessor processor = TumblingWindowProcessor
 *       .builder((state, record) -> state.with(record.partitionKey(),
 *           Long.toString(Long.parseLong(state.getOrDefault(record.partitionKey(), "0")) + 1)))
 *       .windowEndHandler((window, state) -> table.put(window.shardId(), window.start(), state.asMap()))
 *       .build();
 *
 *   public TimeWindowEventResponse handleRequest(KinesisTimeWindowEvent event, Context context) {
 *     return processor.handleRequest(event, context);
 *   }
 * }
 * }</pre>
 *
 * <p><b>How it fails.</b> Record handler exceptions never escape: they are retried, quarantined or
 * reported. An event without a {@code window} (a mapping without a tumbling window) or with a malformed
 * record throws {@link IllegalArgumentException}; a failing window-end action throws {@link
 * WindowEndFailedException}; an {@link Error} propagates.
 *
 * @since 0.1.0
 */
public interface TumblingWindowProcessor {

  /**
   * Processes one invocation of a window.
   *
   * @param event the event Lambda passed to the handler
   * @param context the invocation's context, for the remaining time
   * @return the response and what happened
   * @throws IllegalArgumentException when the event has no window or a malformed record
   * @throws WindowEndFailedException when the window-end handler failed in a final invocation
   * @throws BatchFailedException when a record failed and {@code partialBatchResponse} is off, or the
   *     first record of several was given up on for good
   */
  WindowBatchResult process(KinesisTimeWindowEvent event, Context context);

  /**
   * Processes one invocation and returns only the response: what a {@code
   * RequestHandler<KinesisTimeWindowEvent, TimeWindowEventResponse>} returns.
   *
   * @param event the event
   * @param context the invocation's context
   * @return the response, always with a state
   * @throws IllegalArgumentException when the event has no window or a malformed record
   * @throws WindowEndFailedException when the window-end handler failed in a final invocation
   * @throws BatchFailedException when a record failed and {@code partialBatchResponse} is off
   */
  default TimeWindowEventResponse handleRequest(KinesisTimeWindowEvent event, Context context) {
    return process(event, context).response();
  }

  /**
   * A builder for a processor around a per-record aggregation.
   *
   * @param handler folds one record into the state
   * @return a new builder
   */
  static Builder builder(WindowRecordHandler handler) {
    return new Builder(handler);
  }

  /**
   * Builds a {@link TumblingWindowProcessor}. Setters validate at once and may each be called once
   * ({@link IllegalStateException} otherwise). Not thread-safe.
   *
   * @since 0.1.0
   */
  final class Builder {
    /**
     * Default and largest {@link #maxStateBytes}: 1,000,000 bytes. AWS documents "1 MB" of state per
     * shard without saying 10^6 or 2^20 bytes; the smaller reading is safe under both.
     */
    public static final long DEFAULT_MAX_STATE_BYTES = 1_000_000;

    private final WindowRecordHandler handler;
    private @Nullable WindowEndHandler windowEndHandler;
    private @Nullable RetryPolicy retryPolicy;
    private @Nullable Predicate<? super Exception> permanentFailure;
    private @Nullable QuarantineSink quarantineSink;
    private @Nullable Predicate<? super StreamRecord> filter;
    private @Nullable Duration safetyMargin;
    private @Nullable Boolean partialBatchResponse;
    private @Nullable Boolean deaggregate;
    private long maxStateBytes;
    private @Nullable Clock clock;
    private @Nullable Sleeper sleeper;
    private @Nullable Supplier<? extends RandomGenerator> random;

    private Builder(WindowRecordHandler handler) {
      this.handler = Objects.requireNonNull(handler, "handler");
    }

    /**
     * What to do with the final state of each window.
     *
     * @param handler default none: the final invocation only folds in its records, if any
     * @return this builder
     * @throws IllegalStateException when already set
     */
    public Builder windowEndHandler(WindowEndHandler handler) {
      requireUnset(this.windowEndHandler == null, "windowEndHandler");
      this.windowEndHandler = Objects.requireNonNull(handler, "handler");
      return this;
    }

    /**
     * In-process retries of a failing record (and of the window-end handler), as {@link
     * KinesisBatchProcessor.Builder#retryPolicy}.
     *
     * @param retryPolicy default {@link KinesisBatchProcessor.Builder#DEFAULT_RETRY_POLICY}
     * @return this builder
     * @throws IllegalStateException when already set
     */
    public Builder retryPolicy(RetryPolicy retryPolicy) {
      requireUnset(this.retryPolicy == null, "retryPolicy");
      this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
      return this;
    }

    /**
     * Which record failures are permanent: quarantined at once (or reported without a sink).
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
     * Where poison pills go so the window moves on; a quarantined record is not in the state.
     *
     * @param sink default none: a record that cannot be handled is reported failed
     * @return this builder
     * @throws IllegalStateException when already set
     */
    public Builder quarantineSink(QuarantineSink sink) {
      requireUnset(this.quarantineSink == null, "quarantineSink");
      this.quarantineSink = Objects.requireNonNull(sink, "sink");
      return this;
    }

    /**
     * Which records to fold in; the others are skipped. Prefer the mapping's {@code FilterCriteria}.
     *
     * @param filter default: every record
     * @return this builder
     * @throws IllegalStateException when already set
     */
    public Builder filter(Predicate<? super StreamRecord> filter) {
      requireUnset(this.filter == null, "filter");
      this.filter = Objects.requireNonNull(filter, "filter");
      return this;
    }

    /**
     * How much of the invocation's time to leave unused, as {@link
     * KinesisBatchProcessor.Builder#safetyMargin}.
     *
     * @param margin default 1 s; range 0..15 min
     * @return this builder
     * @throws IllegalArgumentException when out of range
     * @throws IllegalStateException when already set
     */
    public Builder safetyMargin(Duration margin) {
      Objects.requireNonNull(margin, "margin");
      if (margin.isNegative() || margin.compareTo(Duration.ofMinutes(15)) > 0) {
        throw new IllegalArgumentException("safetyMargin must be in 0..15 min, was " + margin);
      }
      requireUnset(this.safetyMargin == null, "safetyMargin");
      this.safetyMargin = margin;
      return this;
    }

    /**
     * Whether the mapping has {@code ReportBatchItemFailures}; when {@code false} a failed record
     * throws {@link BatchFailedException} instead of being reported.
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
     * Whether KPL aggregates are opened into their user records, as {@link
     * KinesisBatchProcessor.Builder#deaggregate(boolean)}.
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
     * The largest state a record may produce, measured by {@link WindowState#sizeBytes()}; a record
     * whose update would pass it fails with {@link WindowStateTooLargeException}.
     *
     * @param bytes default {@link #DEFAULT_MAX_STATE_BYTES}; range 2..1,000,000 bytes
     * @return this builder
     * @throws IllegalArgumentException when out of range
     * @throws IllegalStateException when already set
     */
    public Builder maxStateBytes(long bytes) {
      if (bytes < 2 || bytes > DEFAULT_MAX_STATE_BYTES) {
        throw new IllegalArgumentException("maxStateBytes must be in 2.." + DEFAULT_MAX_STATE_BYTES
            + " (Lambda allows 1 MB of state), was " + bytes);
      }
      requireUnset(this.maxStateBytes == 0, "maxStateBytes");
      this.maxStateBytes = bytes;
      return this;
    }

    /**
     * The clock for retry budgets.
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
     * Builds the processor.
     *
     * @return the processor
     */
    public TumblingWindowProcessor build() {
      return new DefaultTumblingWindowProcessor(new WindowSettings(
          handler,
          windowEndHandler,
          retryPolicy == null ? KinesisBatchProcessor.Builder.DEFAULT_RETRY_POLICY : retryPolicy,
          permanentFailure == null ? e -> false : permanentFailure,
          quarantineSink,
          filter,
          safetyMargin == null ? KinesisBatchProcessor.Builder.DEFAULT_SAFETY_MARGIN : safetyMargin,
          partialBatchResponse == null || partialBatchResponse,
          deaggregate == null || deaggregate,
          maxStateBytes == 0 ? DEFAULT_MAX_STATE_BYTES : maxStateBytes,
          clock == null ? Clock.systemUTC() : clock,
          sleeper == null ? Sleeper.system() : sleeper,
          random == null ? ThreadLocalRandom::current : random));
    }

    private static void requireUnset(boolean unset, String option) {
      if (!unset) {
        throw new IllegalStateException(option + " was already set");
      }
    }
  }
}
