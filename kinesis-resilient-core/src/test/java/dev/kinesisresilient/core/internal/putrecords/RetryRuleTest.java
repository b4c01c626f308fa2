package dev.kinesisresilient.core.internal.putrecords;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kinesisresilient.core.BackoffStrategy;
import dev.kinesisresilient.core.FailureReason;
import dev.kinesisresilient.core.Jitter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

final class RetryRuleTest {

  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration BASE = Duration.ofMillis(100);
  private static final Duration CAP = Duration.ofSeconds(1);

  /** No jitter: the delay is min(cap, base * 2^(attempt-1)). */
  private final RetryRule rule = new RetryRule(4,
      BackoffStrategy.exponential(BASE, CAP, Jitter.NONE, () -> new SplittableRandom(1)),
      FailureReason.DEADLINE_EXCEEDED);

  @Test
  void next_retriableWithAttemptsAndTimeLeft_retriesAfterTheBackoff() {
    RetryRule.Decision d = rule.next(2, BASE, true, NOW, NOW.plusSeconds(10));

    assertThat(d).isEqualTo(new RetryRule.Retry(NOW.plusMillis(200), Duration.ofMillis(200)));
  }

  @Test
  void next_notRetriable_givesUpNotRetriableEvenWithAttemptsLeft() {
    assertThat(rule.next(1, Duration.ZERO, false, NOW, NOW.plusSeconds(10)))
        .isEqualTo(new RetryRule.GiveUp(FailureReason.NOT_RETRIABLE));
  }

  @Test
  void next_attemptsUsed_givesUpRetriesExhausted() {
    assertThat(rule.next(4, BASE, true, NOW, NOW.plusSeconds(10)))
        .isEqualTo(new RetryRule.GiveUp(FailureReason.RETRIES_EXHAUSTED));
  }

  @Test
  void next_notRetriableAndAttemptsUsed_notRetriableWins() {
    assertThat(rule.next(4, BASE, false, NOW, NOW.plusSeconds(10)))
        .isEqualTo(new RetryRule.GiveUp(FailureReason.NOT_RETRIABLE));
  }

  @Test
  void next_retryWouldStartAtOrAfterTheDeadline_givesUpWithTheOutOfTimeReason() {
    // attempt 3: 400 ms
    assertThat(rule.next(3, BASE, true, NOW, NOW.plusMillis(400)))
        .isEqualTo(new RetryRule.GiveUp(FailureReason.DEADLINE_EXCEEDED));
    assertThat(rule.next(3, BASE, true, NOW, NOW.plusMillis(399)))
        .isEqualTo(new RetryRule.GiveUp(FailureReason.DEADLINE_EXCEEDED));
    assertThat(rule.next(3, BASE, true, NOW, NOW.plusMillis(401)))
        .isEqualTo(new RetryRule.Retry(NOW.plusMillis(400), Duration.ofMillis(400)));
  }

  @Test
  void next_outOfTimeReasonIsTheEnginesOwn() {
    RetryRule producerRule = new RetryRule(4,
        BackoffStrategy.exponential(BASE, CAP, Jitter.NONE, () -> new SplittableRandom(1)), FailureReason.DEADLINE_EXCEEDED);

    assertThat(producerRule.next(1, Duration.ZERO, true, NOW, NOW))
        .isEqualTo(new RetryRule.GiveUp(FailureReason.DEADLINE_EXCEEDED));
  }

  @Test
  void next_delayIsCappedBeforeTheDeadlineCheck() {
    RetryRule many = new RetryRule(100,
        BackoffStrategy.exponential(BASE, CAP, Jitter.NONE, () -> new SplittableRandom(1)),
        FailureReason.DEADLINE_EXCEEDED);

    assertThat(many.next(30, CAP, true, NOW, NOW.plusSeconds(2)))
        .isEqualTo(new RetryRule.Retry(NOW.plus(CAP), CAP));
  }

  @Test
  void next_fullJitter_delaysWithinTheCappedRangeAndPassedOnAsPreviousDelay() {
    SplittableRandom random = new SplittableRandom(42);
    RetryRule jittered = new RetryRule(50,
        BackoffStrategy.exponential(BASE, CAP, Jitter.FULL, () -> random), FailureReason.DEADLINE_EXCEEDED);
    List<Duration> delays = new ArrayList<>();
    Duration previous = Duration.ZERO;
    for (int attempt = 1; attempt < 20; attempt++) {
      RetryRule.Retry retry = (RetryRule.Retry) jittered.next(attempt, previous, true, NOW, NOW.plusSeconds(60));
      assertThat(retry.at()).isEqualTo(NOW.plus(retry.delay()));
      delays.add(retry.delay());
      previous = retry.delay();
    }
    assertThat(delays).allSatisfy(d -> assertThat(d).isBetween(Duration.ZERO, CAP));
    assertThat(delays).doesNotHaveDuplicates();
  }

  @Test
  void next_rejectedVerdict_usesItsRetriability() {
    EntryVerdict.Rejected fatal = new EntryVerdict.Rejected("AccessDeniedException", "AccessDeniedException", "no",
        null, false, false, null);
    EntryVerdict.Rejected throttled = new EntryVerdict.Rejected("ProvisionedThroughputExceededException",
        "ProvisionedThroughputExceededException", "slow down", null, true, true, null);

    assertThat(rule.next(1, Duration.ZERO, fatal, NOW, NOW.plusSeconds(10)))
        .isEqualTo(new RetryRule.GiveUp(FailureReason.NOT_RETRIABLE));
    assertThat(rule.next(1, Duration.ZERO, throttled, NOW, NOW.plusSeconds(10)))
        .isEqualTo(new RetryRule.Retry(NOW.plus(BASE), BASE));
  }

  @Test
  void giveUpReason_checksWithoutDrawingABackoff() {
    int[] draws = {0};
    RetryRule counting = new RetryRule(3, (attempt, previous) -> {
      draws[0]++;
      return BASE;
    }, FailureReason.DEADLINE_EXCEEDED);

    assertThat(counting.giveUpReason(true, 2)).isNull();
    assertThat(counting.giveUpReason(true, 3)).isEqualTo(FailureReason.RETRIES_EXHAUSTED);
    assertThat(counting.giveUpReason(false, 1)).isEqualTo(FailureReason.NOT_RETRIABLE);
    assertThat(counting.next(3, BASE, true, NOW, NOW.plusSeconds(1))).isInstanceOf(RetryRule.GiveUp.class);
    assertThat(draws[0]).isZero();
  }

  @Test
  void constructor_maxAttemptsBelowOne_rejected() {
    assertThatThrownBy(() -> new RetryRule(0, (a, p) -> BASE, FailureReason.DEADLINE_EXCEEDED))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxAttempts");
  }
}
