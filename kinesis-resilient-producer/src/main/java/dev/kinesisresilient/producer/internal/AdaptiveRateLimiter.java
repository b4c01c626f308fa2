package dev.kinesisresilient.producer.internal;

import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Two token buckets (records and bytes) for one shard, or for the whole stream when shards cannot be
 * predicted, with an AIMD factor on their rate. The factor stays in {@value #MIN_FACTOR}..{@code
 * maxFactor}; a per-shard limiter's {@code maxFactor} is 1 (never above the shard's write limit); the
 * stream-level limiter's is higher and grows only while it is what holds records back.
 *
 * <p><b>Decrease.</b> When the service throttles (at most once per {@link #DECREASE_SPACING}, so one
 * throttling episode reported by many responses counts once), the factor becomes {@value #DECREASE}
 * of the rate this limiter actually let through over the last half second to second (two {@link
 * #WINDOW} windows), when that is below {@value #USED_BELOW} of the factor (else of the factor); but
 * at least {@value #USED_FLOOR} of the factor,
 * since a few records after a quiet spell are no measure. A producer using a quarter of a shard it
 * shares with three others thus slows down from what it sends, not from a full limit it did not use
 * (which took four decreases to bind).
 *
 * <p><b>Increase.</b> By {@value #INCREASE} of the nominal rate per second's worth of acknowledged
 * records (an aggregate counts its bytes' share), only while the limiter held records back (refused
 * them, or made the sender wait for tokens) within the last {@link #LIMITED_MEMORY}: no probing with
 * capacity nobody asks for. A throttle while this limiter had been letting through less than {@value
 * #SHARED_BELOW} of the nominal rate means the shard is shared with other writers (alone, a producer
 * is throttled only near the full rate, or by late answers to what it sent at that rate); each of
 * them probes, and together they would overshoot the shard several times as fast, so for {@link
 * #SHARED_SLOW_FOR} after such a decrease the limiter grows
 * {@value #SHARED_INCREASE_DIVISOR} times slower. Once no decrease came for that long, or the factor
 * is back above {@value #SHARED_BELOW}, it grows at the full rate again (the others may have gone).
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
  /** Length of the windows that measure the rate actually let through. */
  static final Duration WINDOW = Duration.ofMillis(500);
  /** How long after it last held a record back a limiter still counts as limited (may grow). */
  static final Duration LIMITED_MEMORY = Duration.ofSeconds(1);
  /**
   * A decrease from a rate below this share of the nominal one means others write to the shard too
   * (alone, a producer is throttled only near the full rate).
   */
  static final double SHARED_BELOW = 0.6;
  /**
   * A decrease starts from at least this share of the current factor, however little was let through:
   * a few records after a quiet spell are no measure of what the shard can take.
   */
  static final double USED_FLOOR = 0.25;
  /** A decrease starts from the rate let through only when that is below this share of the factor. */
  static final double USED_BELOW = 0.8;
  /** How many times slower a limiter grows while it shares its shard. */
  static final int SHARED_INCREASE_DIVISOR = 4;
  /**
   * How long after a decrease a limiter that shares its shard grows slowly: contention shows up as
   * decreases closer together than this; once none came for this long the other writers have likely
   * gone and it grows at the full rate to take their share.
   */
  static final Duration SHARED_SLOW_FOR = Duration.ofSeconds(4);
  private static final long SCALE = 1_000_000_000L;
  private static final long WINDOW_NANOS = WINDOW.toNanos();
  private static final long SPACING_NANOS = DECREASE_SPACING.toNanos();
  private static final long LIMITED_NANOS = LIMITED_MEMORY.toNanos();
  private static final long SHARED_SLOW_NANOS = SHARED_SLOW_FOR.toNanos();

  private final double nominalRecords;
  private final double nominalBytes;
  private final double maxFactor;
  private double factor = 1.0;
  private long rateRecords;
  private long rateBytes;
  private long tokRecords;
  private long tokBytes;
  private Instant last;
  private @Nullable Instant lastDecrease;
  /** Set when a request was refused; reset by each increase of the stream-level limiter. */
  private boolean limited;
  /** When records were last held back (refused, or told to wait), null before the first time. */
  private @Nullable Instant lastRefused;
  /** Whether the last decrease came from well below the nominal rate (the shard is shared). */
  private boolean shared;
  // What was let through: in the current window (from curStart) and the one before (from prevStart).
  private Instant curStart;
  private Instant prevStart;
  private long curRecords;
  private long curBytes;
  private long prevRecords;
  private long prevBytes;

  AdaptiveRateLimiter(double recordsPerSecond, double bytesPerSecond, double maxFactor, Instant now) {
    this.nominalRecords = recordsPerSecond;
    this.nominalBytes = bytesPerSecond;
    this.maxFactor = maxFactor;
    this.last = now;
    this.curStart = now;
    this.prevStart = now;
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

  /** Nanoseconds from {@code from} to {@code to}, negative when {@code to} is earlier; no allocation. */
  private static long nanosBetween(Instant from, Instant to) {
    return (to.getEpochSecond() - from.getEpochSecond()) * SCALE + (to.getNano() - from.getNano());
  }

  private void refused(Instant now) {
    limited = true;
    lastRefused = now;
  }

  /** Counts what was let through into the rate windows, starting a new window every {@link #WINDOW}. */
  private void count(long records, long bytes, Instant now) {
    long inWindow = nanosBetween(curStart, now);
    if (inWindow >= WINDOW_NANOS) {
      boolean idle = inWindow >= 2 * WINDOW_NANOS;
      prevRecords = idle ? 0 : curRecords;
      prevBytes = idle ? 0 : curBytes;
      prevStart = idle ? now.minusNanos(WINDOW_NANOS) : curStart;
      curRecords = 0;
      curBytes = 0;
      curStart = now;
    }
    curRecords += records;
    curBytes += bytes;
  }

  /**
   * The share of the nominal rate let through recently (records or bytes, whichever is larger), or
   * -1 when too little time has passed to say.
   */
  private double usedShare(Instant now) {
    long nanos = nanosBetween(prevStart, now);
    if (nanos < SPACING_NANOS) {
      return -1;
    }
    double seconds = nanos / (double) SCALE;
    double records = (prevRecords + curRecords) / seconds / nominalRecords;
    double bytes = (prevBytes + curBytes) / seconds / nominalBytes;
    return Math.max(records, bytes);
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
      refused(now);
    }
    return ok;
  }

  /** Takes one record of {@code bytes} bytes if the buckets allow it. */
  boolean tryAcquire(long bytes, Instant now) {
    refill(now);
    if (tokRecords >= SCALE && bytesAvailable(bytes)) {
      tokRecords -= SCALE;
      tokBytes -= bytes * SCALE;
      count(1, bytes, now);
      return true;
    }
    refused(now);
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

  /**
   * When {@link #canTake} will first be true for these amounts, if nothing else is taken. A time
   * later than {@code now} counts as holding records back (the caller waits for this limiter), as a
   * refused {@link #canTake} or {@link #tryAcquire} does.
   */
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
    if (nanos > 0) {
      refused(now); // records wait for this limiter: it holds them back
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
    Instant previous = lastDecrease;
    if (previous != null && nanosBetween(previous, now) < SPACING_NANOS) {
      return;
    }
    lastDecrease = now;
    double used = usedShare(now);
    // Only a rate well below the limit says the limit was not used; a limit that grew lately is ahead of
    // the rate measured over the last second, and cutting from that lagging rate would cut too deep.
    double from = used < 0 || used >= factor * USED_BELOW ? factor : Math.max(factor * USED_FLOOR, used);
    // What it actually sent decides, not the factor: a producer alone is cut several times in a row by
    // the throttles of requests it sent before its first cut, but it was sending at the full rate.
    shared = maxFactor <= 1.0 && used >= 0 && used < SHARED_BELOW;
    factor = Math.max(MIN_FACTOR, from * DECREASE);
    applyFactor();
  }

  /** Whether this limiter may grow now: below its maximum, and holding records back lately. */
  private boolean mayGrow() {
    if (factor >= maxFactor) {
      return false;
    }
    if (maxFactor > 1.0) {
      return limited;
    }
    Instant refusedAt = lastRefused;
    return refusedAt != null && nanosBetween(refusedAt, last) < LIMITED_NANOS;
  }

  private void grow(double share) {
    Instant decreased = lastDecrease;
    boolean slow = shared && decreased != null && nanosBetween(decreased, last) < SHARED_SLOW_NANOS;
    double step = INCREASE * share / (slow ? SHARED_INCREASE_DIVISOR : 1);
    factor = Math.min(maxFactor, factor + step);
    shared &= factor < SHARED_BELOW;
    limited = false;
    applyFactor();
  }

  /** The service acknowledged {@code records} records: speed up (additive increase). */
  void onSuccess(int records) {
    if (!mayGrow()) {
      return;
    }
    grow(records / nominalRecords);
  }

  /**
   * The service acknowledged one KPL aggregate of {@code bytes} bytes: speed up by its share of the
   * nominal capacity, whichever of records and bytes is larger. An aggregate is one record but up to
   * {@code maxAggregateBytes} of a shard's bytes/s; counted as one record only, a shard throttled once
   * would take minutes of aggregates to recover its rate.
   */
  void onAggregateSuccess(long bytes) {
    if (!mayGrow()) {
      return;
    }
    grow(Math.max(1 / nominalRecords, bytes / nominalBytes));
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
    return "AdaptiveRateLimiter[" + rateRecords + " records/s, " + rateBytes + " bytes/s, factor=" + factor
        + (shared ? ", shared" : "") + "]";
  }
}
