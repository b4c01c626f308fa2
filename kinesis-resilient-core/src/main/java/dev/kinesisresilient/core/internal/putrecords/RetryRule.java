package dev.kinesisresilient.core.internal.putrecords;

import dev.kinesisresilient.core.BackoffStrategy;
import dev.kinesisresilient.core.FailureReason;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * When a failed attempt is tried again: Kafka's {@code canRetry} plus the backoff, in one place. A
 * record is retried only when all of these hold, checked in this order:
 *
 * <ol>
 *   <li>its error is retriable, else {@link FailureReason#NOT_RETRIABLE};
 *   <li>it has attempts left ({@code attempts < maxAttempts}), else {@link
 *       FailureReason#RETRIES_EXHAUSTED};
 *   <li>the backoff delay ({@link BackoffStrategy}: capped, then jittered) ends before its deadline,
 *       else the engine's out-of-time reason.
 * </ol>
 *
 * <p>The deadline is the caller's: whatever bound its engine puts on a record (see docs/design.md,
 * "Deadlines"). A retry that would start exactly at the deadline is not made, so a record never starts
 * an attempt with no time left.
 *
 * <p>Thread-safe when the backoff strategy is (the built-in ones are).
 */
public final class RetryRule {

  private final int maxAttempts;
  private final BackoffStrategy backoff;
  private final FailureReason outOfTime;

  /**
   * A rule.
   *
   * @param maxAttempts attempts per record, the first included; at least 1
   * @param backoff the delays
   * @param outOfTime the reason given when the retry would start at or after the deadline: every engine
   *     passes {@link FailureReason#DEADLINE_EXCEEDED}, the one reason for running out of time
   * @throws IllegalArgumentException when {@code maxAttempts < 1}
   */
  public RetryRule(int maxAttempts, BackoffStrategy backoff, FailureReason outOfTime) {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
    }
    this.maxAttempts = maxAttempts;
    this.backoff = Objects.requireNonNull(backoff, "backoff");
    this.outOfTime = Objects.requireNonNull(outOfTime, "outOfTime");
  }

  /**
   * Attempts per record, the first included.
   *
   * @return at least 1
   */
  public int maxAttempts() {
    return maxAttempts;
  }

  /**
   * The first two checks alone (no backoff drawn): why a record cannot be retried whatever the time.
   * For a caller that backs off a group of records with one delay (the writer).
   *
   * @param retriable whether its last error is retriable
   * @param attempts attempts made, the failed one included
   * @return {@link FailureReason#NOT_RETRIABLE}, {@link FailureReason#RETRIES_EXHAUSTED}, or null when it
   *     may be retried
   */
  public @Nullable FailureReason giveUpReason(boolean retriable, int attempts) {
    if (!retriable) {
      return FailureReason.NOT_RETRIABLE;
    }
    return attempts >= maxAttempts ? FailureReason.RETRIES_EXHAUSTED : null;
  }

  /**
   * Whether and when to try a failed record again.
   *
   * @param attempts attempts made, the failed one included (at least 1)
   * @param previousDelay the delay before the failed attempt, {@link Duration#ZERO} after the first
   * @param retriable whether its last error is retriable
   * @param now the time of the decision
   * @param deadline the record's deadline
   * @return {@link Retry} with the time and delay, or {@link GiveUp} with the reason
   */
  public Decision next(int attempts, Duration previousDelay, boolean retriable, Instant now, Instant deadline) {
    FailureReason reason = giveUpReason(retriable, attempts);
    if (reason != null) {
      return new GiveUp(reason);
    }
    Duration delay = backoff.computeDelay(attempts, previousDelay);
    Instant at = now.plus(delay);
    if (!at.isBefore(deadline)) {
      return new GiveUp(outOfTime);
    }
    return new Retry(at, delay);
  }

  /**
   * {@link #next(int, Duration, boolean, Instant, Instant)} for a rejected PutRecords entry.
   *
   * @param attempts attempts made, the failed one included (at least 1)
   * @param previousDelay the delay before the failed attempt, {@link Duration#ZERO} after the first
   * @param verdict the entry's verdict
   * @param now the time of the decision
   * @param deadline the record's deadline
   * @return {@link Retry} or {@link GiveUp}
   */
  public Decision next(int attempts, Duration previousDelay, EntryVerdict.Rejected verdict, Instant now,
      Instant deadline) {
    return next(attempts, previousDelay, verdict.retriable(), now, deadline);
  }

  /** The rule's answer. */
  public sealed interface Decision permits Retry, GiveUp {}

  /**
   * Try again at {@code at}.
   *
   * @param at when the next attempt may start
   * @param delay the backoff drawn (the next decision's {@code previousDelay})
   */
  public record Retry(Instant at, Duration delay) implements Decision {}

  /**
   * Stop: the record fails.
   *
   * @param reason why
   */
  public record GiveUp(FailureReason reason) implements Decision {}

  @Override
  public String toString() {
    return "RetryRule[maxAttempts=" + maxAttempts + ", outOfTime=" + outOfTime + "]";
  }
}
