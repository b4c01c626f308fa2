package dev.kinesisresilient.core;

/**
 * How a retry delay is randomised after it has been capped.
 *
 * <p>With {@code c = min(maxDelay, baseDelay * 2^(attempt-1))}, the cap applied first:
 *
 * <ul>
 *   <li>{@link #FULL}: uniform in {@code [0, c]}. The default: it spreads retries of many producers
 *       best, so a recovering shard is not hit by a synchronised burst.
 *   <li>{@link #EQUAL}: {@code c/2} plus uniform in {@code [0, c/2]}; never retries sooner than half
 *       the capped delay.
 *   <li>{@link #DECORRELATED}: uniform in {@code [baseDelay, 3 * previousDelay]}, then capped at
 *       {@code maxDelay}; grows from the previous delay rather than the attempt number.
 *   <li>{@link #NONE}: exactly {@code c}; for tests and single-producer setups only.
 * </ul>
 *
 * @since 0.1.0
 */
public enum Jitter {
  /** Uniform in [0, capped delay]. */
  FULL,
  /** Half the capped delay plus uniform in [0, half]. */
  EQUAL,
  /** Uniform in [base, 3 x previous delay], capped. */
  DECORRELATED,
  /** No randomness: the capped exponential delay. */
  NONE
}
