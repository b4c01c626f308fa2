package dev.kinesisresilient.core.aggregation;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kinesisresilient.core.KinesisRecord;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;

/** {@link KplAggregation#decodeAggregate}, the SDK-free decoding the Lambda module's processors use. */
final class KplAggregationDecodeAggregateTest {

  private record Sub(String key, String ehk, String data, long sub) {}

  @Test
  void decodeAggregate_sameSubRecordsAsDecode() {
    byte[] aggregate = KplAggregation.encode(List.of(
        KinesisRecord.of("a", "one".getBytes(UTF_8), "1"),
        KinesisRecord.of("b", "two".getBytes(UTF_8)),
        KinesisRecord.of("a", "three".getBytes(UTF_8), "1")));

    List<Sub> decoded = KplAggregation.decodeAggregate(aggregate,
        (key, ehk, data, sub) -> new Sub(key, String.valueOf(ehk), new String(data, UTF_8), sub));

    List<Sub> expected = KplAggregation.decode(SdkBytes.fromByteArray(aggregate), "outer", null).stream()
        .map(u -> new Sub(u.partitionKey(), String.valueOf(u.explicitHashKey()), u.data().asUtf8String(),
            u.subSequenceNumber()))
        .toList();
    assertThat(decoded).isEqualTo(expected).containsExactly(new Sub("a", "1", "one", 0),
        new Sub("b", "null", "two", 1), new Sub("a", "1", "three", 2));
  }

  @Test
  void decodeAggregate_notAnAggregate_null() {
    byte[] plain = "{\"order\":1}".getBytes(UTF_8);
    byte[] magicOnly = KplAggregation.magic();

    assertThat(KplAggregation.decodeAggregate(plain, (key, ehk, data, sub) -> key)).isNull();
    assertThat(KplAggregation.decodeAggregate(magicOnly, (key, ehk, data, sub) -> key)).isNull();
  }
}
