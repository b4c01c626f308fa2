package dev.kinesisresilient.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kinesisresilient.core.RetryBudget;
import org.junit.jupiter.api.Test;

final class RetryTokenBucketTest {

  @Test
  void budget_exhaustsThenRefillsFromAcknowledgements_cappedAtCapacity() {
    RetryTokenBucket b = new RetryTokenBucket(new RetryBudget(10, 0.1));
    assertThat(b.tryAcquire(4)).isEqualTo(4);
    assertThat(b.tryAcquire(20)).isEqualTo(6); // what is left
    assertThat(b.hasToken()).isFalse();
    assertThat(b.tryAcquire(1)).isZero();
    b.onAcknowledged(9);
    assertThat(b.hasToken()).isFalse(); // 0.9 tokens
    b.onAcknowledged(1);
    assertThat(b.tryAcquire(5)).isEqualTo(1);
    b.onAcknowledged(1_000_000);
    assertThat(b.available()).isEqualTo(10);
    b.giveBack(3);
    assertThat(b.available()).isEqualTo(10);
  }

  @Test
  void empty_nothingInFlight_oneGroupGoesAsAProbe_somethingInFlight_itWaits() {
    RetryTokenBucket b = new RetryTokenBucket(new RetryBudget(1, 0.1));
    int[] group = {0, 1, 2};
    RetryTokenBucket.Admission partial = b.admit(group, i -> true, 0);
    assertThat(partial.admitted()).containsExactly(0); // a token for one: the rest waits for its answer
    assertThat(partial.waiting()).containsExactly(1, 2);
    assertThat(b.mayResend(1)).isFalse();
    assertThat(b.admit(group, i -> true, 1).admitted()).isEmpty();
    assertThat(b.mayResend(0)).isTrue();
    RetryTokenBucket.Admission probe = b.admit(group, i -> true, 0);
    assertThat(probe.admitted()).containsExactly(0, 1, 2);
    assertThat(probe.waiting()).isEmpty();
    assertThat(b.available()).isZero(); // a probe takes no tokens it does not have
  }

  @Test
  void unlimited_neverRunsOut() {
    RetryTokenBucket b = new RetryTokenBucket(RetryBudget.unlimited());
    assertThat(b.tryAcquire(1_000_000)).isEqualTo(1_000_000);
    assertThat(b.hasToken()).isTrue();
    assertThat(b.available()).isInfinite();
  }

  @Test
  void retryBudget_validatesAndPrints() {
    assertThat(RetryBudget.defaults()).isEqualTo(new RetryBudget(5_000, 0.1));
    assertThat(RetryBudget.defaults().toString()).isEqualTo("RetryBudget[maxRecords=5000, refillPerAcknowledged=0.1]");
    assertThat(RetryBudget.unlimited().isUnlimited()).isTrue();
    assertThat(RetryBudget.unlimited().toString()).isEqualTo("RetryBudget[unlimited]");
    assertThatThrownBy(() -> new RetryBudget(0, 0.1))
        .hasMessage("retryBudget.maxRecords must be in 1..2147483647, was 0");
    assertThatThrownBy(() -> new RetryBudget(10, 0))
        .hasMessage("retryBudget.refillPerAcknowledged must be in 0.001..1000, was 0.0");
    assertThatThrownBy(() -> new RetryBudget(10, Double.NaN))
        .hasMessageContaining("refillPerAcknowledged");
  }
}
