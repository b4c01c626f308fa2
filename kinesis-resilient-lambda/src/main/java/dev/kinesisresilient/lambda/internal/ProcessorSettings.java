package dev.kinesisresilient.lambda.internal;

import dev.kinesisresilient.core.MetricsOptions;
import dev.kinesisresilient.core.RetryPolicy;
import dev.kinesisresilient.lambda.EmfWriter;
import dev.kinesisresilient.lambda.ExpiredRecordAction;
import dev.kinesisresilient.lambda.QuarantineSink;
import dev.kinesisresilient.lambda.RecordHandler;
import dev.kinesisresilient.lambda.Sleeper;
import dev.kinesisresilient.lambda.StreamRecord;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * The processor's validated settings, as the builder resolved them.
 *
 * @param handler the per-record handler
 * @param retryPolicy in-process retries
 * @param permanentFailure which failures are permanent
 * @param quarantineSink where pills go, or null
 * @param maxRecordAge the maximum age, or null
 * @param expiredRecordAction what to do with over-age records
 * @param filter which records to handle, or null for all
 * @param safetyMargin time to leave unused
 * @param parallelism 1 for sequential, else the most keys at once
 * @param executor the caller's executor, or null
 * @param partialBatchResponse whether to return partial responses (else throw)
 * @param deaggregate whether KPL aggregates are opened into their user records
 * @param clock the clock
 * @param sleeper the sleeper
 * @param random the jitter source
 * @param metrics Micrometer options, or null
 * @param emf the EMF writer, or null
 */
public record ProcessorSettings(
    RecordHandler handler,
    RetryPolicy retryPolicy,
    Predicate<? super Exception> permanentFailure,
    @Nullable QuarantineSink quarantineSink,
    @Nullable Duration maxRecordAge,
    ExpiredRecordAction expiredRecordAction,
    @Nullable Predicate<? super StreamRecord> filter,
    Duration safetyMargin,
    int parallelism,
    @Nullable Executor executor,
    boolean partialBatchResponse,
    boolean deaggregate,
    Clock clock,
    Sleeper sleeper,
    Supplier<? extends RandomGenerator> random,
    @Nullable MetricsOptions metrics,
    @Nullable EmfWriter emf) {

  /** Lists every setting; collaborators by kind only. */
  @Override
  public String toString() {
    return "retryPolicy=" + retryPolicy
        + ", quarantineSink=" + (quarantineSink == null ? "none" : quarantineSink.getClass().getSimpleName())
        + ", maxRecordAge=" + (maxRecordAge == null ? "none" : maxRecordAge)
        + ", expiredRecordAction=" + (maxRecordAge == null ? "n/a" : expiredRecordAction)
        + ", filter=" + (filter == null ? "none" : "set")
        + ", safetyMargin=" + safetyMargin
        + ", orderedParallelism=" + (parallelism <= 1 ? "off" : parallelism
            + (executor == null ? " (own executor)" : " (caller's executor)"))
        + ", partialBatchResponse=" + partialBatchResponse
        + ", deaggregate=" + deaggregate
        + ", metrics=" + (metrics == null ? "off" : "on")
        + ", emf=" + (emf == null ? "off" : emf);
  }
}
