package dev.kinesisresilient.core;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Computes the delay before a retry.
 *
 * <p>Implementations must be thread-safe. The built-in strategy ({@link #exponential}) caps the
 * exponential delay first and applies jitter second, so a delay never exceeds {@code maxDelay} and is
 * still spread over its whole range at the cap (jitter-then-cap would pile every late retry onto
 * exactly {@code maxDelay}).
 *
 * <pre>{@code
 * BackoffStrategy b = BackoffStrategy.exponential(
 *     Duration.ofMillis(100), Duration.ofSeconds(2), Jitter.FULL, ThreadLocalRandom::current);
 * Duration d = b.computeDelay(1, Duration.ZERO);   // in [0, 100 ms]
 * }</pre>
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface BackoffStrategy {

  /**
   * The delay to wait after failed attempt number {@code attempt} before the next one.
   *
   * @param attempt the number of the attempt that just failed, starting at 1
   * @param previousDelay the delay this strategy returned for {@code attempt - 1}, or
   *     {@link Duration#ZERO} for the first retry; only {@link Jitter#DECORRELATED} uses it
   * @return the delay, never negative
   * @throws IllegalArgumentException if {@code attempt < 1}
   */
  Duration computeDelay(int attempt, Duration previousDelay);

  /**
   * Exponential backoff, capped, then jittered.
   *
   * @param baseDelay the delay before the first retry (before jitter); positive
   * @param maxDelay the cap applied before jitter; at least {@code baseDelay}
   * @param jitter how the capped delay is randomised
   * @param random the random source; called on every computation, so a {@code
   *     ThreadLocalRandom::current} supplier is thread-safe and a seeded generator makes tests
   *     repeatable
   * @return the strategy
   * @throws IllegalArgumentException when {@code baseDelay} is not positive or {@code maxDelay <
   *     baseDelay}
   */
  static BackoffStrategy exponential(
      Duration baseDelay, Duration maxDelay, Jitter jitter, Supplier<? extends RandomGenerator> random) {
    Objects.requireNonNull(baseDelay, "baseDelay");
    Objects.requireNonNull(maxDelay, "maxDelay");
    Objects.requireNonNull(jitter, "jitter");
    Objects.requireNonNull(random, "random");
    if (baseDelay.isNegative() || baseDelay.isZero()) {
      throw new IllegalArgumentException("baseDelay must be positive, was " + baseDelay);
    }
    if (maxDelay.compareTo(baseDelay) < 0) {
      throw new IllegalArgumentException(
          "maxDelay (" + maxDelay + ") must be at least baseDelay (" + baseDelay + ")");
    }
    long baseNanos = baseDelay.toNanos();
    long maxNanos = maxDelay.toNanos();
    return (attempt, previousDelay) -> {
      if (attempt < 1) {
        throw new IllegalArgumentException("attempt must be at least 1, was " + attempt);
      }
      long capped = cappedExponentialNanos(baseNanos, maxNanos, attempt);
      long nanos;
      switch (jitter) {
        case FULL:
          nanos = uniform(random.get(), 0, capped);
          break;
        case EQUAL:
          nanos = capped / 2 + uniform(random.get(), 0, capped - capped / 2);
          break;
        case DECORRELATED:
          long prev = previousDelay == null || previousDelay.isZero() || previousDelay.isNegative()
              ? baseNanos
              : previousDelay.toNanos();
          long upper = prev > Long.MAX_VALUE / 3 ? Long.MAX_VALUE : prev * 3;
          nanos = Math.min(maxNanos, uniform(random.get(), baseNanos, Math.max(baseNanos, upper)));
          break;
        case NONE:
        default:
          nanos = capped;
          break;
      }
      return Duration.ofNanos(nanos);
    };
  }

  /**
   * {@code min(max, base * 2^(attempt-1))} without overflow.
   *
   * @param baseNanos the base delay in nanoseconds
   * @param maxNanos the cap in nanoseconds
   * @param attempt the attempt number, at least 1
   * @return the capped delay in nanoseconds
   */
  private static long cappedExponentialNanos(long baseNanos, long maxNanos, int attempt) {
    int shift = attempt - 1;
    if (shift >= 62 || baseNanos > (maxNanos >> Math.min(shift, 62))) {
      return maxNanos;
    }
    return Math.min(maxNanos, baseNanos << shift);
  }

  private static long uniform(RandomGenerator random, long lowInclusive, long highInclusive) {
    if (highInclusive <= lowInclusive) {
      return lowInclusive;
    }
    if (highInclusive == Long.MAX_VALUE) {
      return random.nextLong(lowInclusive, highInclusive);
    }
    return random.nextLong(lowInclusive, highInclusive + 1);
  }
}
