package dev.kinesisresilient.core.internal;

import dev.kinesisresilient.core.RetryBudget;
import org.jspecify.annotations.Nullable;

/**
 * The token bucket of a {@link RetryBudget}: one token per re-sent record, refilled by acknowledged
 * records. Not thread-safe: confine to one thread (the producer's sender thread) or to the tasks of one
 * serial executor (the writer).
 */
public final class RetryTokenBucket {
  private final boolean unlimited;
  private final double capacity;
  private final double refill;
  private double tokens;

  /**
   * A full bucket.
   *
   * @param budget its capacity and refill
   */
  public RetryTokenBucket(RetryBudget budget) {
    this.unlimited = budget.isUnlimited();
    this.capacity = budget.maxRecords();
    this.refill = budget.refillPerAcknowledged();
    this.tokens = capacity;
  }

  /**
   * Whether re-sending a record whose last error had this metric code takes a token. Throttling does
   * not: the service refused the entry without doing its work, and backoff (and the producer's per-shard
   * adaptive rate limits) already pace those re-sends; every other retriable error does (timeouts, 5xx,
   * InternalFailure, IO errors, unknown codes).
   *
   * @param lastMetricCode the record's last error, as a metric code; null when unknown
   * @return true when a re-send takes a token
   */
  public static boolean needsToken(@Nullable String lastMetricCode) {
    return !DefaultErrorClassifier.isThrottling(lastMetricCode);
  }

  /**
   * Whether one record could be re-sent now.
   *
   * @return true when a token is available (always, when unlimited)
   */
  public boolean hasToken() {
    return unlimited || tokens >= 1;
  }

  /**
   * Takes up to {@code records} tokens, one per record to re-send.
   *
   * @param records records that would be re-sent, at least 0
   * @return how many may be re-sent now, 0..records
   */
  public int tryAcquire(int records) {
    if (unlimited) {
      return records;
    }
    int n = (int) Math.min(records, Math.floor(tokens));
    tokens -= n;
    return n;
  }

  /**
   * Puts back tokens taken for records that were not re-sent after all.
   *
   * @param records tokens to return
   */
  public void giveBack(int records) {
    if (!unlimited) {
      tokens = Math.min(capacity, tokens + records);
    }
  }

  /**
   * Refills the bucket for acknowledged records.
   *
   * @param records records acknowledged
   */
  public void onAcknowledged(int records) {
    if (!unlimited) {
      tokens = Math.min(capacity, tokens + records * refill);
    }
  }

  /**
   * The tokens in the bucket now (for tests and logs).
   *
   * @return the tokens, possibly fractional; {@link Double#POSITIVE_INFINITY} when unlimited
   */
  public double available() {
    return unlimited ? Double.POSITIVE_INFINITY : tokens;
  }

  @Override
  public String toString() {
    return unlimited ? "RetryTokenBucket[unlimited]" : "RetryTokenBucket[" + tokens + "/" + capacity + "]";
  }
}
