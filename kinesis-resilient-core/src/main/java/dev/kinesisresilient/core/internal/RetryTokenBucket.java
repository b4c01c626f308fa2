package dev.kinesisresilient.core.internal;

import dev.kinesisresilient.core.RetryBudget;
import java.util.function.IntPredicate;
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
   * Whether a record that needs a token may be re-sent now: a token is there, or nothing of its writer
   * or producer is in flight. The bucket refills only from acknowledgements, so with nothing in flight
   * none can come and waiting would only run the record into its deadline: the next request goes as a
   * probe, without tokens. A failing endpoint still sees at most one such request at a time.
   *
   * @param requestsInFlight requests of this writer or producer in flight (held slots included)
   * @return true when the record may go
   */
  public boolean mayResend(int requestsInFlight) {
    return hasToken() || requestsInFlight == 0;
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
   * Takes the tokens for re-sending a group of records (a token for each record that {@code
   * needsToken}; see {@link #needsToken(String)}). With fewer tokens than needed the group is split:
   * the records that need none and as many of the others as there are tokens are admitted, in order;
   * the rest wait. With no token at all and nothing in flight, the whole group goes as a probe (see
   * {@link #mayResend(int)}).
   *
   * @param records the records, by index
   * @param needsToken whether a record needs a token
   * @param requestsInFlight requests of this writer in flight (held slots included)
   * @return the admitted and the waiting records, each in the order given
   */
  public Admission admit(int[] records, IntPredicate needsToken, int requestsInFlight) {
    int need = 0;
    for (int i : records) {
      need += needsToken.test(i) ? 1 : 0;
    }
    int granted = tryAcquire(need);
    if (granted == need || (granted == 0 && requestsInFlight == 0)) {
      return new Admission(records, NONE);
    }
    int[] admitted = new int[records.length - (need - granted)];
    int[] waiting = new int[need - granted];
    int a = 0;
    int w = 0;
    int left = granted;
    for (int i : records) {
      if (!needsToken.test(i)) {
        admitted[a++] = i;
      } else if (left > 0) {
        left--;
        admitted[a++] = i;
      } else {
        waiting[w++] = i;
      }
    }
    return new Admission(admitted, waiting);
  }

  private static final int[] NONE = new int[0];

  /**
   * The outcome of {@link #admit}.
   *
   * @param admitted the records that may be re-sent now
   * @param waiting the records that wait for tokens
   */
  public record Admission(int[] admitted, int[] waiting) {}

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
