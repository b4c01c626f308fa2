package dev.kinesisresilient.producer.internal;

import java.time.Duration;
import java.time.Instant;

/**
 * Two token buckets (records and bytes) for one shard, or for the whole stream when shards cannot be
 * predicted, with an AIMD factor on their rate: multiplied by {@value #DECREASE} when the service
 * throttles (at most once per {@link #DECREASE_SPACING}, so one throttling episode reported by many
 * responses counts once), increased by {@value #INCREASE} of the nominal rate per second's worth of
 * acknowledged records. The factor stays in {@value #MIN_FACTOR}..{@code maxFactor}; a per-shard
 * limiter's {@code maxFactor} is 1 (never above the shard's write limit); the stream-level limiter's is
 * higher and grows only while it is what holds records back.
 *
 * <p>Each bucket holds one second of its current rate (the service's burst allowance) and refills
 * continuously from the clock, in integer units of 1/1,000,000,000 token, as the service and the fake
 * do. A record larger than the byte bucket's whole capacity is let through when the bucket is full,
 * leaving it in debt, so nothing waits forever. Not thread-safe: used by the sender thread only.
 */
final class AdaptiveRateLimiter {
  static final double DECREASE = 0.7;
  static final double INCREASE = 0.2;
  static final double MIN_FACTOR = 0.05;
  static final Duration DECREASE_SPACING = Duration.ofMillis(100);
  private static final long SCALE = 1_000_000_000L;

  private final double nominalRecords;
  private final double nominalBytes;
  private final double maxFactor;
  private double factor = 1.0;
  private long rateRecords;
  private long rateBytes;
  private long tokRecords;
  private long tokBytes;
  private Instant last;
  private Instant lastDecrease = Instant.MIN;
  private boolean limited;

  AdaptiveRateLimiter(double recordsPerSecond, double bytesPerSecond, double maxFactor, Instant now) {
    this.nominalRecords = recordsPerSecond;
    this.nominalBytes = bytesPerSecond;
    this.maxFactor = maxFactor;
    this.last = now;
    applyFactor();
    this.tokRecords = rateRecords * SCALE;
    this.tokBytes = rateBytes * SCALE;
  }

  private void applyFactor() {
    rateRecords = Math.max(1, Math.round(nominalRecords * factor));
    rateBytes = Math.max(1, Math.round(nominalBytes * factor));
    tokRecords = Math.min(tokRecords, rateRecords * SCALE);
    tokBytes = Math.min(tokBytes, rateBytes * SCALE);
  }

  private void refill(Instant now) {
    // Called per record on the sender thread: plain arithmetic, no Duration allocated.
    long seconds = now.getEpochSecond() - last.getEpochSecond();
    if (seconds < 0) {
      return;
    }
    long elapsed = seconds >= 2 ? SCALE : seconds * SCALE + (now.getNano() - last.getNano());
    if (elapsed <= 0) {
      return;
    }
    last = now;
    if (elapsed >= SCALE) {
      tokRecords = rateRecords * SCALE;
      tokBytes = rateBytes * SCALE;
      return;
    }
    tokRecords = Math.min(rateRecords * SCALE, tokRecords + elapsed * rateRecords);
    tokBytes = Math.min(rateBytes * SCALE, tokBytes + elapsed * rateBytes);
  }

  private boolean bytesAvailable(long bytes) {
    return tokBytes >= bytes * SCALE || tokBytes >= rateBytes * SCALE;
  }

  /**
   * Whether {@code records} records of {@code bytes} bytes in all could be taken now (capped at one
   * bucket's capacity), without taking them.
   */
  boolean canTake(int records, long bytes, Instant now) {
    refill(now);
    long r = Math.min(records, rateRecords);
    boolean ok = tokRecords >= r * SCALE && bytesAvailable(Math.min(bytes, rateBytes));
    if (!ok) {
      limited = true;
    }
    return ok;
  }

  /** Takes one record of {@code bytes} bytes if the buckets allow it. */
  boolean tryAcquire(long bytes, Instant now) {
    refill(now);
    if (tokRecords >= SCALE && bytesAvailable(bytes)) {
      tokRecords -= SCALE;
      tokBytes -= bytes * SCALE;
      return true;
    }
    limited = true;
    return false;
  }

  /**
   * The byte bucket's whole tokens now (at most one second's worth), for sizing an aggregate so that
   * it never needs the debt a single oversized record may take. Takes nothing.
   */
  long availableBytes(Instant now) {
    refill(now);
    return Math.max(0, tokBytes / SCALE);
  }

  /** When {@link #canTake} will first be true for these amounts, if nothing else is taken. */
  Instant availableAt(int records, long bytes, Instant now) {
    refill(now);
    long needRecords = Math.min(records, rateRecords) * SCALE - tokRecords;
    long needBytes = Math.min(bytes, rateBytes) * SCALE - tokBytes;
    long nanos = 0;
    if (needRecords > 0) {
      nanos = Math.max(nanos, ceilDiv(needRecords, rateRecords));
    }
    if (needBytes > 0) {
      nanos = Math.max(nanos, ceilDiv(needBytes, rateBytes));
    }
    return now.plusNanos(nanos);
  }

  private static long ceilDiv(long a, long b) {
    return -Math.floorDiv(-a, b);
  }

  /** The service throttled records this limiter let through: slow down (multiplicative decrease). */
  void onThrottled(Instant now) {
    refill(now);
    tokRecords = Math.min(tokRecords, 0);
    tokBytes = Math.min(tokBytes, 0);
    if (now.isBefore(lastDecrease.plus(DECREASE_SPACING)) && !lastDecrease.equals(Instant.MIN)) {
      return;
    }
    lastDecrease = now;
    factor = Math.max(MIN_FACTOR, factor * DECREASE);
    applyFactor();
  }

  /** The service acknowledged {@code records} records: speed up (additive increase). */
  void onSuccess(int records) {
    if (factor >= maxFactor || (maxFactor > 1.0 && !limited)) {
      return;
    }
    factor = Math.min(maxFactor, factor + INCREASE * records / nominalRecords);
    limited = false;
    applyFactor();
  }

  /**
   * The service acknowledged one KPL aggregate of {@code bytes} bytes: speed up by its share of the
   * nominal capacity, whichever of records and bytes is larger. An aggregate is one record but up to
   * {@code maxAggregateBytes} of a shard's bytes/s; counted as one record only, a shard throttled once
   * would take minutes of aggregates to recover its rate.
   */
  void onAggregateSuccess(long bytes) {
    if (factor >= maxFactor || (maxFactor > 1.0 && !limited)) {
      return;
    }
    double share = Math.max(1 / nominalRecords, bytes / nominalBytes);
    factor = Math.min(maxFactor, factor + INCREASE * share);
    limited = false;
    applyFactor();
  }

  /** The current rate limit in records per second (a gauge). */
  double recordsPerSecond() {
    return rateRecords;
  }

  /** The current rate limit in bytes per second. */
  double bytesPerSecond() {
    return rateBytes;
  }

  double factor() {
    return factor;
  }

  @Override
  public String toString() {
    return "AdaptiveRateLimiter[" + rateRecords + " records/s, " + rateBytes + " bytes/s, factor=" + factor + "]";
  }
}
