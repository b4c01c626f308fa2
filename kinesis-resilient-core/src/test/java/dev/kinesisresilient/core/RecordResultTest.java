package dev.kinesisresilient.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

final class RecordResultTest {
  private static final KinesisRecord R = KinesisRecord.of("k", new byte[] {1});

  @Test
  void acknowledged_fourArguments_notAggregated() {
    RecordResult.Acknowledged a = new RecordResult.Acknowledged(R, "49", "shardId-000000000000", 1);
    assertThat(a.subSequenceNumber()).isZero();
    assertThat(a.aggregated()).isFalse();
    assertThat(a).isEqualTo(new RecordResult.Acknowledged(R, "49", "shardId-000000000000", 1, 0, false));
  }

  @Test
  void acknowledged_aggregated_carriesSubSequenceNumber() {
    RecordResult.Acknowledged a = new RecordResult.Acknowledged(R, "49", "shardId-000000000000", 2, 7, true);
    assertThat(a.subSequenceNumber()).isEqualTo(7);
    assertThat(a.aggregated()).isTrue();
    assertThat(a.isAcknowledged()).isTrue();
  }

  @Test
  void acknowledged_rejectsNegativeOrStraySubSequenceNumbers() {
    assertThatThrownBy(() -> new RecordResult.Acknowledged(R, "49", "s", 1, -1, true))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RecordResult.Acknowledged(R, "49", "s", 1, 3, false))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
