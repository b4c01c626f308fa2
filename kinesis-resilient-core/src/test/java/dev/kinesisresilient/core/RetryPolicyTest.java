package dev.kinesisresilient.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

final class RetryPolicyTest {

  @Test
  void defaults_documentedValues() {
    RetryPolicy p = RetryPolicy.defaults();
    assertThat(p.maxAttempts()).isEqualTo(8);
    assertThat(p.baseDelay()).isEqualTo(Duration.ofMillis(100));
    assertThat(p.maxDelay()).isEqualTo(Duration.ofSeconds(2));
    assertThat(p.jitter()).isEqualTo(Jitter.FULL);
    assertThat(p.deadline()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void builder_setsEveryOptionAndToBuilderCopies() {
    RetryPolicy p = RetryPolicy.builder().maxAttempts(3).baseDelay(Duration.ofMillis(10))
        .maxDelay(Duration.ofMillis(50)).jitter(Jitter.EQUAL).deadline(Duration.ofSeconds(1)).build();
    assertThat(p).isEqualTo(new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(50), Jitter.EQUAL,
        Duration.ofSeconds(1)));
    assertThat(p.toBuilder().maxAttempts(4).build().maxAttempts()).isEqualTo(4);
    assertThat(p.toString()).contains("maxAttempts=3", "baseDelay=PT0.01S", "maxDelay=PT0.05S", "jitter=EQUAL",
        "deadline=PT1S");
  }

  @Test
  void builder_outOfRange_namesOption() {
    assertThatThrownBy(() -> RetryPolicy.builder().maxAttempts(0))
        .hasMessage("maxAttempts must be in 1..100, was 0");
    assertThatThrownBy(() -> RetryPolicy.builder().baseDelay(Duration.ZERO))
        .hasMessageContaining("baseDelay must be in PT0.001S..PT1M, was PT0S");
    assertThatThrownBy(() -> RetryPolicy.builder().maxDelay(Duration.ofHours(1)))
        .hasMessageContaining("maxDelay must be in");
    assertThatThrownBy(() -> RetryPolicy.builder().deadline(Duration.ofMillis(-1)))
        .hasMessageContaining("deadline must be in");
    assertThatThrownBy(() -> RetryPolicy.builder().baseDelay(Duration.ofSeconds(5)).maxDelay(Duration.ofSeconds(1)).build())
        .hasMessage("maxDelay (PT1S) must be at least baseDelay (PT5S)");
  }

  @Test
  void toRetryConfig_resilience4jRetryUsesAttemptsAndCappedDelays() {
    RetryPolicy p = RetryPolicy.builder().maxAttempts(4).baseDelay(Duration.ofMillis(100))
        .maxDelay(Duration.ofMillis(250)).jitter(Jitter.NONE).build();
    RetryConfig config = p.toRetryConfig(e -> e instanceof IllegalStateException, SplittableRandom::new);
    assertThat(config.getMaxAttempts()).isEqualTo(4);
    assertThat(config.getIntervalBiFunction().apply(1, null)).isEqualTo(100L);
    assertThat(config.getIntervalBiFunction().apply(2, null)).isEqualTo(200L);
    assertThat(config.getIntervalBiFunction().apply(3, null)).isEqualTo(250L);

    AtomicInteger calls = new AtomicInteger();
    Retry retry = Retry.of("test", RetryConfig.from(config).intervalBiFunction((n, e) -> 0L).build());
    assertThatThrownBy(() -> retry.executeRunnable(() -> {
      calls.incrementAndGet();
      throw new IllegalStateException("boom");
    })).isInstanceOf(IllegalStateException.class);
    assertThat(calls).hasValue(4);

    AtomicInteger fatal = new AtomicInteger();
    assertThatThrownBy(() -> retry.executeRunnable(() -> {
      fatal.incrementAndGet();
      throw new IllegalArgumentException("not retried");
    })).isInstanceOf(IllegalArgumentException.class);
    assertThat(fatal).hasValue(1);
  }
}
