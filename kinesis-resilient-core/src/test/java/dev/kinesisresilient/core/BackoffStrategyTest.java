package dev.kinesisresilient.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

final class BackoffStrategyTest {

  private static final Duration BASE = Duration.ofMillis(100);
  private static final Duration CAP = Duration.ofSeconds(2);

  @Test
  void none_growsExponentiallyThenCaps() {
    BackoffStrategy b = BackoffStrategy.exponential(BASE, CAP, Jitter.NONE, Random::new);
    assertThat(b.computeDelay(1, Duration.ZERO)).isEqualTo(Duration.ofMillis(100));
    assertThat(b.computeDelay(2, Duration.ZERO)).isEqualTo(Duration.ofMillis(200));
    assertThat(b.computeDelay(5, Duration.ZERO)).isEqualTo(Duration.ofMillis(1600));
    assertThat(b.computeDelay(6, Duration.ZERO)).isEqualTo(CAP);
    assertThat(b.computeDelay(63, Duration.ZERO)).isEqualTo(CAP);
    assertThat(b.computeDelay(Integer.MAX_VALUE, Duration.ZERO)).isEqualTo(CAP);
  }

  @Test
  void full_staysWithinCappedRangeAndIsJittered() {
    SplittableRandom seeded = new SplittableRandom(42);
    BackoffStrategy b = BackoffStrategy.exponential(BASE, CAP, Jitter.FULL, () -> seeded);
    Set<Duration> distinct = new HashSet<>();
    for (int attempt = 1; attempt <= 30; attempt++) {
      Duration capped = min(CAP, BASE.multipliedBy(1L << Math.min(attempt - 1, 20)));
      for (int k = 0; k < 200; k++) {
        Duration d = b.computeDelay(attempt, Duration.ZERO);
        assertThat(d).isBetween(Duration.ZERO, capped);
        distinct.add(d);
      }
    }
    assertThat(distinct).hasSizeGreaterThan(1000);
  }

  @Test
  void full_atCap_spreadOverWholeRangeNotPiledOnCap() {
    SplittableRandom seeded = new SplittableRandom(7);
    BackoffStrategy b = BackoffStrategy.exponential(BASE, CAP, Jitter.FULL, () -> seeded);
    int below = 0;
    int n = 10_000;
    long sumMillis = 0;
    for (int k = 0; k < n; k++) {
      Duration d = b.computeDelay(20, Duration.ZERO);
      sumMillis += d.toMillis();
      if (d.compareTo(CAP.dividedBy(2)) < 0) {
        below++;
      }
    }
    // uniform in [0, cap]: about half below cap/2 and a mean near cap/2 (cap-then-jitter)
    assertThat(below).isBetween(4500, 5500);
    assertThat(sumMillis / n).isBetween(900L, 1100L);
  }

  @Test
  void equal_staysInUpperHalf() {
    SplittableRandom seeded = new SplittableRandom(1);
    BackoffStrategy b = BackoffStrategy.exponential(BASE, CAP, Jitter.EQUAL, () -> seeded);
    for (int k = 0; k < 1000; k++) {
      assertThat(b.computeDelay(3, Duration.ZERO)).isBetween(Duration.ofMillis(200), Duration.ofMillis(400));
      assertThat(b.computeDelay(12, Duration.ZERO)).isBetween(Duration.ofSeconds(1), CAP);
    }
  }

  @Test
  void decorrelated_growsFromPreviousAndIsCapped() {
    SplittableRandom seeded = new SplittableRandom(3);
    BackoffStrategy b = BackoffStrategy.exponential(BASE, CAP, Jitter.DECORRELATED, () -> seeded);
    Duration prev = Duration.ZERO;
    for (int attempt = 1; attempt <= 50; attempt++) {
      Duration d = b.computeDelay(attempt, prev);
      Duration upper = min(CAP, (prev.isZero() ? BASE : prev).multipliedBy(3));
      assertThat(d).isBetween(BASE, upper.compareTo(BASE) < 0 ? BASE : upper);
      assertThat(d).isLessThanOrEqualTo(CAP);
      prev = d;
    }
  }

  @Test
  void seededRandom_sameSequence() {
    BackoffStrategy a = BackoffStrategy.exponential(BASE, CAP, Jitter.FULL, seededOnce(99));
    BackoffStrategy b = BackoffStrategy.exponential(BASE, CAP, Jitter.FULL, seededOnce(99));
    for (int attempt = 1; attempt < 10; attempt++) {
      assertThat(a.computeDelay(attempt, Duration.ZERO)).isEqualTo(b.computeDelay(attempt, Duration.ZERO));
    }
  }

  @Test
  void invalidArguments_rejected() {
    assertThatThrownBy(() -> BackoffStrategy.exponential(Duration.ZERO, CAP, Jitter.FULL, Random::new))
        .hasMessageContaining("baseDelay must be positive");
    assertThatThrownBy(() -> BackoffStrategy.exponential(CAP, BASE, Jitter.FULL, Random::new))
        .hasMessageContaining("maxDelay (PT0.1S) must be at least baseDelay (PT2S)");
    BackoffStrategy b = BackoffStrategy.exponential(BASE, CAP, Jitter.FULL, Random::new);
    assertThatThrownBy(() -> b.computeDelay(0, Duration.ZERO)).hasMessageContaining("attempt must be at least 1");
  }

  private static java.util.function.Supplier<SplittableRandom> seededOnce(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    return () -> r;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
