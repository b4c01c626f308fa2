package dev.kinesisresilient.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

final class LatencyEstimatorTest {

  @Test
  void estimate_smoothedLatencyPlusOneDeviation() {
    LatencyEstimator e = new LatencyEstimator();
    assertThat(e.estimate()).isZero();
    e.sample(Duration.ofMillis(800));
    assertThat(e.estimate()).isEqualTo(Duration.ofMillis(1200)); // 800 + 400
    for (int i = 0; i < 200; i++) {
      e.sample(Duration.ofMillis(100));
    }
    assertThat(e.estimate().toMillis()).isBetween(100L, 101L); // converges; the deviation decays
    e.sample(Duration.ofMillis(900));
    assertThat(e.estimate().toMillis()).isBetween(390L, 400L); // 200 + 200: one slow answer widens it
  }
}
