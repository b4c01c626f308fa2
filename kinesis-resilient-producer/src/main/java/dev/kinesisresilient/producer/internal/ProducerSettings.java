package dev.kinesisresilient.producer.internal;

import dev.kinesisresilient.core.BatchLimits;
import dev.kinesisresilient.core.ErrorClassifier;
import dev.kinesisresilient.core.MetricsOptions;
import dev.kinesisresilient.core.RecordResult;
import dev.kinesisresilient.core.RetryBudget;
import dev.kinesisresilient.core.RetryPolicy;
import dev.kinesisresilient.core.internal.putrecords.StreamRef;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * The validated, immutable settings of one producer. Public only for {@link
 * dev.kinesisresilient.producer.ResilientProducerBuilder}, which validates every value before it builds one.
 */
public record ProducerSettings(
    StreamRef streamRef,
    String clientId,
    BatchLimits limits,
    Duration lingerTime,
    long maxBufferedBytes,
    Duration maxBlockTime,
    Duration deliveryTimeout,
    Duration attemptTimeout,
    RetryPolicy retryPolicy,
    ErrorClassifier classifier,
    int maxInFlightRequests,
    boolean preserveOrder,
    int shardRecordsPerSecond,
    long shardBytesPerSecond,
    @Nullable Consumer<? super RecordResult.Failed> failureHandler,
    @Nullable Executor callbackExecutor,
    Clock clock,
    Supplier<? extends RandomGenerator> random,
    @Nullable MetricsOptions metrics,
    boolean aggregation,
    long maxAggregateBytes,
    RetryBudget retryBudget,
    boolean adaptiveConcurrency) {

  /** Bytes charged per record on top of its data and partition key, for the producer's bookkeeping. */
  public static final long RECORD_OVERHEAD_BYTES = 128;

  /** The stream as a tag and log value: the name, or the name part of the ARN. */
  String stream() {
    return streamRef.name();
  }

  /** Lists every setting; logged once at INFO on start. */
  @Override
  public String toString() {
    return "ResilientProducer[stream=" + streamRef.label()
        + ", clientId=" + clientId
        + ", limits=" + limits
        + ", lingerTime=" + lingerTime
        + ", maxBufferedBytes=" + maxBufferedBytes
        + ", maxBlockTime=" + maxBlockTime
        + ", deliveryTimeout=" + deliveryTimeout
        + ", attemptTimeout=" + attemptTimeout
        + ", retryPolicy=" + retryPolicy
        + ", errorClassifier=" + classifier.getClass().getSimpleName()
        + ", maxInFlightRequests=" + maxInFlightRequests
        + ", adaptiveConcurrency=" + adaptiveConcurrency
        + ", retryBudget=" + retryBudget
        + ", preserveOrder=" + preserveOrder
        + ", shardLimits=" + shardRecordsPerSecond + " records/s, " + shardBytesPerSecond + " bytes/s"
        + ", failureHandler=" + (failureHandler == null ? "none" : "set")
        + ", callbackExecutor=" + (callbackExecutor == null ? "sender thread" : callbackExecutor.getClass().getSimpleName())
        + ", clock=" + clock
        + ", metrics=" + (metrics == null ? "off" : metrics)
        + ", aggregation=" + (aggregation ? "on, maxAggregateBytes=" + maxAggregateBytes : "off") + "]";
  }
}
