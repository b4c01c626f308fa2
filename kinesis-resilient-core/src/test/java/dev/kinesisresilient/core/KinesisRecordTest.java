package dev.kinesisresilient.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;

final class KinesisRecordTest {

  @Test
  void of_validFields_keepsThemAndCopiesData() {
    byte[] data = {1, 2, 3};
    KinesisRecord r = KinesisRecord.of("key", data);
    data[0] = 9;
    assertThat(r.partitionKey()).isEqualTo("key");
    assertThat(r.data().asByteArray()).containsExactly(1, 2, 3);
    assertThat(r.explicitHashKey()).isNull();
    assertThat(r.sizeBytes()).isEqualTo(6);
    assertThat(r.dataBytes()).isEqualTo(3);
  }

  @Test
  void of_byteBuffer_copiesRemainingBytesWithoutMovingPosition() {
    ByteBuffer buf = ByteBuffer.wrap(new byte[] {0, 1, 2, 3});
    buf.position(1);
    KinesisRecord r = KinesisRecord.of("k", buf);
    assertThat(r.data().asByteArray()).containsExactly(1, 2, 3);
    assertThat(buf.position()).isEqualTo(1);
  }

  @Test
  void sizeBytes_multiByteKey_countsUtf8Bytes() {
    // "é" is 2 bytes, "€" 3 bytes, "😀" (a surrogate pair) 4 bytes in UTF-8
    String key = "é€😀a";
    KinesisRecord r = KinesisRecord.of(key, new byte[10]);
    assertThat(r.sizeBytes()).isEqualTo(10 + key.getBytes(UTF_8).length).isEqualTo(20);
  }

  @Test
  void create_nullPartitionKey_namesField() {
    assertThatThrownBy(() -> KinesisRecord.of(null, new byte[0]))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("partitionKey")
        .extracting(e -> ((InvalidRecordException) e).field()).isEqualTo("partitionKey");
  }

  @Test
  void create_nullData_namesField() {
    assertThatThrownBy(() -> KinesisRecord.of("k", (byte[]) null))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("data");
    assertThatThrownBy(() -> KinesisRecord.of("k", (ByteBuffer) null))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("data");
    assertThatThrownBy(() -> new KinesisRecord("k", null, null))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("data");
  }

  @Test
  void create_emptyPartitionKey_namesSizeAndLimit() {
    assertThatThrownBy(() -> KinesisRecord.of("", new byte[1]))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("partitionKey length 0")
        .hasMessageContaining("minimum of 1");
  }

  @Test
  void create_partitionKeyOf256Characters_accepted() {
    assertThat(KinesisRecord.of("a".repeat(256), new byte[0]).partitionKey()).hasSize(256);
    // 128 emoji are 256 UTF-16 characters
    assertThat(KinesisRecord.of("😀".repeat(128), new byte[0]).sizeBytes()).isEqualTo(512);
  }

  @Test
  void create_partitionKeyOf257Characters_namesSizeAndLimit() {
    assertThatThrownBy(() -> KinesisRecord.of("a".repeat(257), new byte[1]))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("partitionKey length 257 characters")
        .hasMessageContaining("maximum of 256");
    // 129 emoji are 258 UTF-16 characters: refused, as kinesis-mock (and, we assume, the service) would
    assertThatThrownBy(() -> KinesisRecord.of("😀".repeat(129), new byte[1]))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("258 characters (UTF-16 code units)");
    assertThatThrownBy(() -> KinesisRecord.of("a".repeat(10_000), new byte[1]))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("10000 characters");
  }

  @Test
  void create_unpairedSurrogateInKey_rejected() {
    assertThatThrownBy(() -> KinesisRecord.of("a\uD83D", new byte[1]))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("unpaired surrogate at index 1");
    assertThatThrownBy(() -> KinesisRecord.of("\uDE00b", new byte[1]))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("unpaired surrogate at index 0");
  }

  @Test
  void create_explicitHashKeyBounds_acceptedAndRejected() {
    assertThat(KinesisRecord.of("k", new byte[0], "0").explicitHashKey()).isEqualTo("0");
    String max = BatchLimits.MAX_HASH_KEY.toString();
    assertThat(max).isEqualTo("340282366920938463463374607431768211455");
    assertThat(KinesisRecord.of("k", new byte[0], max).explicitHashKey()).isEqualTo(max);
    String overMax = BatchLimits.MAX_HASH_KEY.add(java.math.BigInteger.ONE).toString();
    assertThatThrownBy(() -> KinesisRecord.of("k", new byte[0], overMax))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("explicitHashKey value exceeds the maximum 2^128-1");
  }

  @Test
  void create_malformedExplicitHashKey_namesField() {
    assertThatThrownBy(() -> KinesisRecord.of("k", new byte[0], ""))
        .hasMessageContaining("explicitHashKey").hasMessageContaining("was empty");
    assertThatThrownBy(() -> KinesisRecord.of("k", new byte[0], "-1"))
        .hasMessageContaining("non-digit at index 0");
    assertThatThrownBy(() -> KinesisRecord.of("k", new byte[0], "12a"))
        .hasMessageContaining("non-digit at index 2");
    assertThatThrownBy(() -> KinesisRecord.of("k", new byte[0], "007"))
        .hasMessageContaining("leading zeros");
    assertThatThrownBy(() -> KinesisRecord.of("k", new byte[0], "1".repeat(40)))
        .hasMessageContaining("length 40").hasMessageContaining("39 digits");
  }

  @Test
  void create_overAbsoluteMaximum_recordTooLarge() {
    int tenMib = (int) BatchLimits.LARGEST_MAX_RECORD_BYTES;
    assertThat(KinesisRecord.of("k", new byte[tenMib - 1]).sizeBytes()).isEqualTo(tenMib);
    assertThatThrownBy(() -> KinesisRecord.of("k", new byte[tenMib]))
        .isInstanceOf(RecordTooLargeException.class)
        .hasMessageContaining("record size 10485761 bytes")
        .hasMessageContaining("10485760 bytes");
  }

  @Test
  void toString_neverShowsKeyOrData() {
    KinesisRecord r = KinesisRecord.of("secret-user-id", "payload-pii".getBytes(UTF_8));
    assertThat(r.toString()).doesNotContain("secret").doesNotContain("payload").contains("dataBytes=11");
  }

  @Test
  void equals_sameContent_equal() {
    assertThat(KinesisRecord.of("k", new byte[] {1}, "5"))
        .isEqualTo(new KinesisRecord("k", SdkBytes.fromByteArray(new byte[] {1}), "5"))
        .hasSameHashCodeAs(new KinesisRecord("k", SdkBytes.fromByteArray(new byte[] {1}), "5"));
  }
}
