package dev.kinesisresilient.core;

import io.github.resilience4j.core.IntervalBiFunction;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * How often, how fast and for how long failed entries are tried again.
 *
 * <p>Four bounds act together: an entry is retried only while its error is retriable, it has
 * attempts left ({@link #maxAttempts()}, counting the first), and the retry would start before its
 * {@link #deadline()} (see there for when each engine starts counting). Delays grow exponentially from {@link #baseDelay()}, are capped at
 * {@link #maxDelay()} and then jittered ({@link #jitter()}).
 *
 * <p>Why not the SDK's defaults: the SDK retries a failed call a few times, but never a partially
 * failed PutRecords (it is an HTTP 200), has no overall deadline by default, and stacked with an
 * application's own retries can keep a record in flight for minutes. This policy is the only retry
 * layer: the {@link KinesisClientFactory} turns the SDK's off.
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * RetryPolicy p = RetryPolicy.builder()
 *     .maxAttempts(5)
 *     .baseDelay(Duration.ofMillis(50))
 *     .maxDelay(Duration.ofSeconds(1))
 *     .deadline(Duration.ofSeconds(10))
 *     .build();
 * }</pre>
 *
 * @param maxAttempts attempts per record, the first included. Default 8; range 1..100.
 * @param baseDelay delay before the first retry, before jitter. Default 100 ms; range 1 ms..1 min.
 * @param maxDelay cap on any delay, applied before jitter. Default 2 s; range baseDelay..10 min.
 * @param jitter randomisation of each capped delay. Default {@link Jitter#FULL}.
 * @param deadline how long a record may be retried, measured from when the engine takes it up: a
 *     retry that would start at or after it is not made (reason {@code DEADLINE_EXCEEDED}). The
 *     {@link KinesisBatchWriter} takes up every record of a {@code write} call at the call, so for it
 *     this bounds the whole write (waiting, sending, retries and backoff, to every record's result).
 *     The Lambda module's processors take up each record when they start on it, so it bounds that
 *     record's in-process retries. The producer does not read it: its records are bounded by its
 *     {@code deliveryTimeout}, measured from {@code send} (buffering included). Default 30 s; range
 *     1 ms..1 day.
 * @since 0.1.0
 */
public record RetryPolicy(
    int maxAttempts, Duration baseDelay, Duration maxDelay, Jitter jitter, Duration deadline) {

  /** Default {@link #maxAttempts()}: 8. */
  public static final int DEFAULT_MAX_ATTEMPTS = 8;

  /** Default {@link #baseDelay()}: 100 ms. */
  public static final Duration DEFAULT_BASE_DELAY = Duration.ofMillis(100);

  /** Default {@link #maxDelay()}: 2 s. */
  public static final Duration DEFAULT_MAX_DELAY = Duration.ofSeconds(2);

  /** Default {@link #deadline()}: 30 s. */
  public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(30);

  private static final Duration MIN_DELAY = Duration.ofMillis(1);
  private static final Duration MAX_BASE_DELAY = Duration.ofMinutes(1);
  private static final Duration MAX_MAX_DELAY = Duration.ofMinutes(10);
  private static final Duration MAX_DEADLINE = Duration.ofDays(1);

  /**
   * Validates every component.
   *
   * @throws IllegalArgumentException naming the component, its value and its range
   * @throws NullPointerException when a component is null
   */
  public RetryPolicy {
    Objects.requireNonNull(baseDelay, "baseDelay");
    Objects.requireNonNull(maxDelay, "maxDelay");
    Objects.requireNonNull(jitter, "jitter");
    Objects.requireNonNull(deadline, "deadline");
    if (maxAttempts < 1 || maxAttempts > 100) {
      throw new IllegalArgumentException("maxAttempts must be in 1..100, was " + maxAttempts);
    }
    requireRange("baseDelay", baseDelay, MIN_DELAY, MAX_BASE_DELAY);
    requireRange("maxDelay", maxDelay, MIN_DELAY, MAX_MAX_DELAY);
    requireRange("deadline", deadline, MIN_DELAY, MAX_DEADLINE);
    if (maxDelay.compareTo(baseDelay) < 0) {
      throw new IllegalArgumentException(
          "maxDelay (" + maxDelay + ") must be at least baseDelay (" + baseDelay + ")");
    }
  }

  /**
   * The default policy: 8 attempts, 100 ms base, 2 s cap, full jitter, 30 s deadline.
   *
   * @return the default policy
   */
  public static RetryPolicy defaults() {
    return builder().build();
  }

  /**
   * A builder starting from the defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder starting from this policy.
   *
   * @return a new builder holding this policy's values
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.maxAttempts = maxAttempts;
    b.baseDelay = baseDelay;
    b.maxDelay = maxDelay;
    b.jitter = jitter;
    b.deadline = deadline;
    return b;
  }

  /**
   * The backoff strategy this policy describes.
   *
   * @param random the random source for jitter
   * @return a capped-then-jittered exponential strategy
   */
  public BackoffStrategy backoff(Supplier<? extends RandomGenerator> random) {
    return BackoffStrategy.exponential(baseDelay, maxDelay, jitter, random);
  }

  /**
   * This policy's delays as a resilience4j interval function, for code that retries whole calls with
   * resilience4j's {@code Retry}. Decorrelated jitter needs the previous delay, so the returned
   * function keeps none and uses {@code baseDelay} as the previous one (i.e. behaves as FULL jitter
   * between base and 3 x base at every attempt).
   *
   * <p>{@code io.github.resilience4j:resilience4j-retry} is an optional dependency: add it to call this.
   *
   * @param <T> the call's result type
   * @param random the random source for jitter
   * @return a function from resilience4j's attempt number (starting at 1) to milliseconds
   */
  public <T> IntervalBiFunction<T> toIntervalBiFunction(Supplier<? extends RandomGenerator> random) {
    BackoffStrategy backoff = backoff(random);
    return (attempt, ignored) -> backoff.computeDelay(Math.max(1, attempt), Duration.ZERO).toMillis();
  }

  /**
   * A resilience4j retry configuration with this policy's attempts and delays. The deadline is not
   * part of resilience4j's model; callers that need it check it in {@code retryOn}.
   *
   * <p>{@code io.github.resilience4j:resilience4j-retry} is an optional dependency: add it to call this.
   *
   * @param <T> the call's result type
   * @param retryOn which exceptions to retry, e.g. {@code e -> ErrorClassifier.defaults()
   *     .classifyFailure(e).retriable()}
   * @param random the random source for jitter
   * @return the configuration
   */
  public <T> RetryConfig toRetryConfig(
      Predicate<Throwable> retryOn, Supplier<? extends RandomGenerator> random) {
    Objects.requireNonNull(retryOn, "retryOn");
    return RetryConfig.<T>custom()
        .maxAttempts(maxAttempts)
        .intervalBiFunction(toIntervalBiFunction(random))
        .retryOnException(retryOn)
        .failAfterMaxAttempts(false)
        .build();
  }

  private static void requireRange(String name, Duration value, Duration min, Duration max) {
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw new IllegalArgumentException(
          name + " must be in " + min + ".." + max + ", was " + value);
    }
  }

  /**
   * Builds a {@link RetryPolicy}. Each setter validates its argument at once; {@link #build()} checks
   * the options against each other. Not thread-safe.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private Duration baseDelay = DEFAULT_BASE_DELAY;
    private Duration maxDelay = DEFAULT_MAX_DELAY;
    private Jitter jitter = Jitter.FULL;
    private Duration deadline = DEFAULT_DEADLINE;

    private Builder() {}

    /**
     * Attempts per record, the first included.
     *
     * @param maxAttempts default 8; range 1..100 (1 means no retry)
     * @return this builder
     * @throws IllegalArgumentException when out of range
     */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1 || maxAttempts > 100) {
        throw new IllegalArgumentException("maxAttempts must be in 1..100, was " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /**
     * Delay before the first retry, before jitter; doubles per attempt up to {@code maxDelay}.
     *
     * @param baseDelay default 100 ms; range 1 ms..1 min
     * @return this builder
     * @throws IllegalArgumentException when out of range
     */
    public Builder baseDelay(Duration baseDelay) {
      requireRange("baseDelay", Objects.requireNonNull(baseDelay, "baseDelay"), MIN_DELAY, MAX_BASE_DELAY);
      this.baseDelay = baseDelay;
      return this;
    }

    /**
     * Cap on any delay, applied before jitter.
     *
     * @param maxDelay default 2 s; range 1 ms..10 min, at least {@code baseDelay}
     * @return this builder
     * @throws IllegalArgumentException when out of range
     */
    public Builder maxDelay(Duration maxDelay) {
      requireRange("maxDelay", Objects.requireNonNull(maxDelay, "maxDelay"), MIN_DELAY, MAX_MAX_DELAY);
      this.maxDelay = maxDelay;
      return this;
    }

    /**
     * Randomisation of each capped delay.
     *
     * @param jitter default {@link Jitter#FULL}
     * @return this builder
     */
    public Builder jitter(Jitter jitter) {
      this.jitter = Objects.requireNonNull(jitter, "jitter");
      return this;
    }

    /**
     * How long a record may be retried, from when the engine takes it up (the writer: the {@code write}
     * call, so it bounds the whole write; the Lambda processors: the start of the record's processing;
     * the producer does not read it, see {@link RetryPolicy#deadline()}).
     *
     * @param deadline default 30 s; range 1 ms..1 day
     * @return this builder
     * @throws IllegalArgumentException when out of range
     */
    public Builder deadline(Duration deadline) {
      requireRange("deadline", Objects.requireNonNull(deadline, "deadline"), MIN_DELAY, MAX_DEADLINE);
      this.deadline = deadline;
      return this;
    }

    /**
     * Builds the policy.
     *
     * @return the policy
     * @throws IllegalArgumentException when {@code maxDelay < baseDelay}, naming both
     */
    public RetryPolicy build() {
      return new RetryPolicy(maxAttempts, baseDelay, maxDelay, jitter, deadline);
    }
  }
}
