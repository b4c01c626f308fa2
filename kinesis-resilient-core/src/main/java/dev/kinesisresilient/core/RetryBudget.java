package dev.kinesisresilient.core;

/**
 * A limit on re-sends: a token bucket refilled by acknowledged records, so that a slow or failing
 * service never receives an unbounded multiple of new work (the idea behind the AWS SDK's retry
 * quota, counted here per record rather than per call).
 *
 * <p>The bucket starts full with {@link #maxRecords()} tokens. Re-sending one record after an attempt
 * that timed out, failed with a 5xx, an IO error, {@code InternalFailure} or any other retriable error
 * takes one token; every acknowledged record puts back {@link #refillPerAcknowledged()} tokens, up to the
 * capacity. First attempts never need a token, and neither do re-sends of throttled entries
 * ({@code ProvisionedThroughputExceededException}, {@code LimitExceededException}, {@code
 * ThrottlingException}, {@code KMSThrottlingException}): the service refused those without doing their
 * work, and backoff (and in the producer the per-shard adaptive rate limits) already paces them.
 * With the defaults, a burst of up to 5,000 re-sends goes at once (ten full requests: a brief outage
 * that fails every request of a writer with 8 requests of 500 in flight is retried without waiting),
 * and in the long run re-sends are at most one tenth of the records acknowledged: entries sent per
 * record acknowledged stay at or below about 1.1. The bucket refills only from acknowledgements, as the
 * SDK's retry quota does: after a long outage, retries resume as new records get through. Since only
 * acknowledgements refill it, a writer or producer with nothing in flight (no acknowledgement can come)
 * sends one request of waiting retries as a probe without tokens, one at a time: records never wait for
 * a refill that cannot happen, and a failing endpoint still sees at most one re-send request at a time.
 *
 * <p>A record whose retry finds the bucket empty is not failed and not dropped: it waits, in its turn,
 * until acknowledgements of other records refill the bucket, within its own deadline (the writer's
 * {@code retryPolicy.deadline}, the producer's {@code deliveryTimeout}). If the deadline passes first it
 * fails with {@code DEADLINE_EXCEEDED}, its last error code, and a message that names the retry budget.
 *
 * <p>Immutable and thread-safe. Each writer or producer has a bucket of its own.
 *
 * <pre>{@code
 * KinesisBatchWriter.builder(client).streamName("orders")
 *     .retryBudget(new RetryBudget(1_000, 0.2)) // bursts of 1,000 re-sends, then 20% of acknowledged
 *     .build();
 * }</pre>
 *
 * @param maxRecords the bucket's capacity and initial content, in records (tokens). Default 5,000 (ten full requests); range
 *     1..{@value #UNLIMITED_RECORDS}, where {@value #UNLIMITED_RECORDS} ({@link #unlimited()}) turns the
 *     budget off
 * @param refillPerAcknowledged tokens put back per acknowledged record. Default 0.1; range 0.001..1,000
 * @since 0.1.0
 */
public record RetryBudget(int maxRecords, double refillPerAcknowledged) {

  /** Default {@link #maxRecords()}: 500. */
  public static final int DEFAULT_MAX_RECORDS = 5_000;

  /** Default {@link #refillPerAcknowledged()}: 0.1. */
  public static final double DEFAULT_REFILL_PER_ACKNOWLEDGED = 0.1;

  /** The {@link #maxRecords()} that turns the budget off: {@value}. */
  public static final int UNLIMITED_RECORDS = Integer.MAX_VALUE;

  /**
   * Validates both components.
   *
   * @throws IllegalArgumentException naming the component, its value and its range
   */
  public RetryBudget {
    if (maxRecords < 1) {
      throw new IllegalArgumentException("retryBudget.maxRecords must be in 1.." + UNLIMITED_RECORDS + ", was "
          + maxRecords);
    }
    if (!(refillPerAcknowledged >= 0.001 && refillPerAcknowledged <= 1000)) {
      throw new IllegalArgumentException("retryBudget.refillPerAcknowledged must be in 0.001..1000, was "
          + refillPerAcknowledged);
    }
  }

  /**
   * The default budget: 5,000 records, 0.1 per acknowledged record.
   *
   * @return the default budget
   */
  public static RetryBudget defaults() {
    return new RetryBudget(DEFAULT_MAX_RECORDS, DEFAULT_REFILL_PER_ACKNOWLEDGED);
  }

  /**
   * No budget: every retriable failure is re-sent, bounded only by the retry policy's attempts and the
   * deadline (the behaviour before the budget existed).
   *
   * @return the unlimited budget
   */
  public static RetryBudget unlimited() {
    return new RetryBudget(UNLIMITED_RECORDS, DEFAULT_REFILL_PER_ACKNOWLEDGED);
  }

  /**
   * Whether this budget is off ({@link #maxRecords()} is {@value #UNLIMITED_RECORDS}).
   *
   * @return true when re-sends are not limited
   */
  public boolean isUnlimited() {
    return maxRecords == UNLIMITED_RECORDS;
  }

  @Override
  public String toString() {
    return isUnlimited() ? "RetryBudget[unlimited]"
        : "RetryBudget[maxRecords=" + maxRecords + ", refillPerAcknowledged=" + refillPerAcknowledged + "]";
  }
}
