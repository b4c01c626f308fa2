package dev.kinesisresilient.lambda.internal;

import dev.kinesisresilient.core.RetryPolicy;
import dev.kinesisresilient.lambda.QuarantineSink;
import dev.kinesisresilient.lambda.Sleeper;
import dev.kinesisresilient.lambda.StreamRecord;
import dev.kinesisresilient.lambda.WindowEndHandler;
import dev.kinesisresilient.lambda.WindowRecordHandler;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * The tumbling-window processor's validated settings, as the builder resolved them.
 *
 * @param handler the per-record aggregation
 * @param windowEndHandler the final-state action, or null
 * @param retryPolicy in-process retries
 * @param permanentFailure which failures are permanent
 * @param quarantineSink where pills go, or null
 * @param filter which records to fold in, or null for all
 * @param safetyMargin time to leave unused
 * @param partialBatchResponse whether to report failures (else throw)
 * @param deaggregate whether KPL aggregates are opened
 * @param maxStateBytes the largest state a record may produce
 * @param clock the clock
 * @param sleeper the sleeper
 * @param random the jitter source
 */
public record WindowSettings(
    WindowRecordHandler handler,
    @Nullable WindowEndHandler windowEndHandler,
    RetryPolicy retryPolicy,
    Predicate<? super Exception> permanentFailure,
    @Nullable QuarantineSink quarantineSink,
    @Nullable Predicate<? super StreamRecord> filter,
    Duration safetyMargin,
    boolean partialBatchResponse,
    boolean deaggregate,
    long maxStateBytes,
    Clock clock,
    Sleeper sleeper,
    Supplier<? extends RandomGenerator> random) {

  /** Lists every setting; collaborators by kind only. */
  @Override
  public String toString() {
    return "windowEndHandler=" + (windowEndHandler == null ? "none" : "set")
        + ", retryPolicy=" + retryPolicy
        + ", quarantineSink=" + (quarantineSink == null ? "none" : quarantineSink.getClass().getSimpleName())
        + ", filter=" + (filter == null ? "none" : "set")
        + ", safetyMargin=" + safetyMargin
        + ", partialBatchResponse=" + partialBatchResponse
        + ", deaggregate=" + deaggregate
        + ", maxStateBytes=" + maxStateBytes;
  }
}
