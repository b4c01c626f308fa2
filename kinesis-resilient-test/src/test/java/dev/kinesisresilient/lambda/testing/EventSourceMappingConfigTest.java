package dev.kinesisresilient.lambda.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

final class EventSourceMappingConfigTest {

  private static void rejects(Consumer<EventSourceMappingConfig.Builder> c, String name) {
    EventSourceMappingConfig.Builder b = EventSourceMappingConfig.builder();
    c.accept(b);
    assertThatThrownBy(b::build).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(name);
  }

  @Test
  void defaults_areTheServiceDefaults() {
    EventSourceMappingConfig d = EventSourceMappingConfig.defaults();
    assertThat(d.batchSize()).isEqualTo(100);
    assertThat(d.maximumBatchingWindow()).isZero();
    assertThat(d.parallelizationFactor()).isEqualTo(1);
    assertThat(d.maximumRetryAttempts()).isEqualTo(-1);
    assertThat(d.maximumRecordAgeInSeconds()).isEqualTo(-1);
    assertThat(d.bisectBatchOnFunctionError()).isFalse();
    assertThat(d.reportBatchItemFailures()).isFalse();
  }

  @Test
  void build_outOfRangeValues_rejectedNamingTheSetting() {
    rejects(b -> b.batchSize(0), "BatchSize");
    rejects(b -> b.batchSize(10_001), "BatchSize");
    rejects(b -> b.maximumBatchingWindow(Duration.ofSeconds(301)), "MaximumBatchingWindowInSeconds");
    rejects(b -> b.parallelizationFactor(11), "ParallelizationFactor");
    rejects(b -> b.maximumRetryAttempts(-2), "MaximumRetryAttempts");
    rejects(b -> b.maximumRetryAttempts(10_001), "MaximumRetryAttempts");
    rejects(b -> b.maximumRecordAgeInSeconds(59), "MaximumRecordAgeInSeconds");
    rejects(b -> b.maximumRecordAgeInSeconds(0), "MaximumRecordAgeInSeconds");
    rejects(b -> b.maximumRecordAgeInSeconds(604_801), "MaximumRecordAgeInSeconds");
    rejects(b -> b.tumblingWindowInSeconds(901), "TumblingWindowInSeconds");
    rejects(b -> {
      for (int i = 0; i < 6; i++) {
        b.filter("{\"data\":{\"a\":[" + i + "]}}");
      }
    }, "5 filters");
  }

  @Test
  void filterQuota_defaultFive_raisedUpToTen_validated() {
    EventSourceMappingConfig.Builder ten = EventSourceMappingConfig.builder().filterQuota(10);
    for (int i = 0; i < 10; i++) {
      ten.filter("{\"data\":{\"a\":[" + i + "]}}");
    }
    assertThat(ten.build().filters()).hasSize(10);
    assertThat(EventSourceMappingConfig.defaults().filterQuota()).isEqualTo(5);
    rejects(b -> {
      b.filterQuota(10);
      for (int i = 0; i < 11; i++) {
        b.filter("{\"data\":{\"a\":[" + i + "]}}");
      }
    }, "at most 10 filters");
    rejects(b -> b.filterQuota(4), "filterQuota");
    rejects(b -> b.filterQuota(11), "filterQuota");
  }

  @Test
  void recommended_theDocumentedMapping() {
    EventSourceMappingConfig r = EventSourceMappingConfig.recommended().build();
    assertThat(r.batchSize()).isEqualTo(100);
    assertThat(r.reportBatchItemFailures()).isTrue();
    assertThat(r.bisectBatchOnFunctionError()).isTrue();
    assertThat(r.maximumRetryAttempts()).isEqualTo(10);
    assertThat(r.maximumRecordAgeInSeconds()).isEqualTo(21_600);
    assertThat(r.onFailureDestination()).isEqualTo(EventSourceMappingConfig.DestinationType.SQS);
  }

  @Test
  void build_boundaryValues_accepted() {
    EventSourceMappingConfig c = EventSourceMappingConfig.builder().batchSize(10_000)
        .maximumBatchingWindow(Duration.ofSeconds(300)).parallelizationFactor(10).maximumRetryAttempts(10_000)
        .maximumRecordAgeInSeconds(60).tumblingWindowInSeconds(900).startingAt(Instant.EPOCH).build();
    assertThat(c.startingPosition()).isEqualTo(EventSourceMappingConfig.StartingPosition.AT_TIMESTAMP);
    assertThat(EventSourceMappingConfig.builder().maximumRecordAgeInSeconds(604_800).build()).isNotNull();
  }
}
