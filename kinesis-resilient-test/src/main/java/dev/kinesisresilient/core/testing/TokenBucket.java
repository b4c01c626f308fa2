package dev.kinesisresilient.core.testing;

import java.time.Duration;
import java.time.Instant;

/**
 * A token bucket whose capacity is one second of its rate, refilled continuously from a clock.
 *
 * <p>Tokens are held in units of 1/1,000,000,000 token so refills are exact integer arithmetic. Not
 * thread-safe; the fake client guards it with its lock.
 */
final class TokenBucket {
  private static final long SCALE = 1_000_000_000L;

  private final long ratePerSecond;
  private final long capacityScaled;
  private long tokensScaled;
  private Instant last;

  TokenBucket(long ratePerSecond, Instant now) {
    this.ratePerSecond = ratePerSecond;
    this.capacityScaled = Math.multiplyExact(ratePerSecond, SCALE);
    this.tokensScaled = capacityScaled;
    this.last = now;
  }

  /** Adds the tokens earned since the last refill; a clock that went backwards adds nothing. */
  void refill(Instant now) {
    if (!now.isAfter(last)) {
      return;
    }
    Duration elapsed = Duration.between(last, now);
    last = now;
    if (elapsed.compareTo(Duration.ofSeconds(1)) >= 0) {
      tokensScaled = capacityScaled;
      return;
    }
    long earned = elapsed.toNanos() * ratePerSecond; // < 1e9 * rate, fits since rate * 1e9 fits
    tokensScaled = Math.min(capacityScaled, tokensScaled + earned);
  }

  boolean canTake(long tokens) {
    return tokens <= ratePerSecond && tokensScaled >= tokens * SCALE;
  }

  void take(long tokens) {
    tokensScaled -= tokens * SCALE;
  }

  /** Whole tokens available now (after the last refill). */
  long available() {
    return tokensScaled / SCALE;
  }
}
