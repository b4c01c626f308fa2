package dev.kinesisresilient.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

final class BatchLimitsTest {

  @Test
  void defaults_areClassicServiceLimits() {
    BatchLimits d = BatchLimits.defaults();
    assertThat(d.maxRecordsPerRequest()).isEqualTo(500);
    assertThat(d.maxRequestBytes()).isEqualTo(5L * 1024 * 1024);
    assertThat(d.maxRecordBytes()).isEqualTo(1024L * 1024);
  }

  @Test
  void withers_selectLargeLimits() {
    BatchLimits large = BatchLimits.defaults()
        .withMaxRequestBytes(BatchLimits.LARGE_MAX_REQUEST_BYTES)
        .withMaxRecordBytes(10 * BatchLimits.MIB);
    assertThat(large.maxRequestBytes()).isEqualTo(10L * 1024 * 1024);
    assertThat(large.maxRecordBytes()).isEqualTo(10L * 1024 * 1024);
    assertThat(large.withMaxRecordsPerRequest(10).maxRecordsPerRequest()).isEqualTo(10);
  }

  @Test
  void create_outOfRange_namesFieldValueAndRange() {
    assertThatThrownBy(() -> BatchLimits.defaults().withMaxRecordsPerRequest(501))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxRecordsPerRequest must be in 1..500, was 501");
    assertThatThrownBy(() -> BatchLimits.defaults().withMaxRecordsPerRequest(0))
        .hasMessageContaining("was 0");
    assertThatThrownBy(() -> BatchLimits.defaults().withMaxRequestBytes(10 * BatchLimits.MIB + 1))
        .hasMessageContaining("maxRequestBytes must be in 1..10485760 bytes, was 10485761");
    assertThatThrownBy(() -> BatchLimits.defaults().withMaxRecordBytes(0))
        .hasMessageContaining("maxRecordBytes must be in 1..10485760 bytes, was 0");
    assertThatThrownBy(() -> BatchLimits.defaults().withMaxRecordBytes(6 * BatchLimits.MIB))
        .hasMessageContaining("maxRecordBytes (6291456 bytes) must not exceed maxRequestBytes (5242880 bytes)");
  }

  @Test
  void check_recordAtLimitCountingKey_passesAndOneByteMoreFails() {
    BatchLimits d = BatchLimits.defaults();
    KinesisRecord atLimit = KinesisRecord.of("key", new byte[(int) BatchLimits.MIB - 3]);
    d.check(atLimit);
    KinesisRecord over = KinesisRecord.of("key", new byte[(int) BatchLimits.MIB - 2]);
    assertThatThrownBy(() -> d.check(over))
        .isInstanceOf(RecordTooLargeException.class)
        .hasMessage("record size 1048577 bytes (data + partitionKey UTF-8) exceeds maxRecordBytes 1048576 bytes")
        .satisfies(e -> {
          RecordTooLargeException t = (RecordTooLargeException) e;
          assertThat(t.sizeBytes()).isEqualTo(1048577);
          assertThat(t.limitBytes()).isEqualTo(1048576);
          assertThat(t.field()).isEqualTo("record");
          assertThat(t.isRetryable()).isFalse();
        });
  }
}
