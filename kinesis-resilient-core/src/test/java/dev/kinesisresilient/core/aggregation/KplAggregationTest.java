package dev.kinesisresilient.core.aggregation;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kinesisresilient.core.BatchLimits;
import dev.kinesisresilient.core.KinesisRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;

final class KplAggregationTest {

  private static KinesisRecord rec(String key, String data, String ehk) {
    return KinesisRecord.of(key, data.getBytes(UTF_8), ehk);
  }

  @Test
  void encode_decodedByProtobufReference_keysDeduplicated() throws Exception {
    List<KinesisRecord> in = List.of(rec("a", "one", null), rec("b", "two", "12345"), rec("a", "three", "12345"),
        rec("ключ-😀", "four", null));
    byte[] agg = KplAggregation.encode(in);

    List<ProtobufReference.Sub> subs = ProtobufReference.decode(agg);
    assertThat(subs).hasSize(4);
    for (int i = 0; i < 4; i++) {
      assertThat(subs.get(i).partitionKey()).isEqualTo(in.get(i).partitionKey());
      assertThat(subs.get(i).explicitHashKey()).isEqualTo(in.get(i).explicitHashKey());
      assertThat(subs.get(i).data()).isEqualTo(in.get(i).data().asByteArray());
    }
    // the tables hold each key once
    var msg = com.google.protobuf.DynamicMessage.parseFrom(ProtobufReference.AGGREGATED,
        Arrays.copyOfRange(agg, 4, agg.length - 16));
    assertThat(msg.getRepeatedFieldCount(ProtobufReference.AGGREGATED.findFieldByName("partition_key_table")))
        .isEqualTo(3);
    assertThat(msg.getRepeatedFieldCount(ProtobufReference.AGGREGATED.findFieldByName("explicit_hash_key_table")))
        .isEqualTo(1);
  }

  @Test
  void encode_noExplicitHashKeys_emptyHashKeyTable() throws Exception {
    byte[] agg = KplAggregation.encode(List.of(rec("a", "x", null), rec("b", "y", null)));
    var msg = com.google.protobuf.DynamicMessage.parseFrom(ProtobufReference.AGGREGATED,
        Arrays.copyOfRange(agg, 4, agg.length - 16));
    assertThat(msg.getRepeatedFieldCount(ProtobufReference.AGGREGATED.findFieldByName("explicit_hash_key_table")))
        .isZero();
    assertThat(ProtobufReference.decode(agg)).extracting(ProtobufReference.Sub::explicitHashKey).containsOnlyNulls();
  }

  @Test
  void decode_referenceOutputWithDuplicateKeysAndTags_readHere() throws Exception {
    List<ProtobufReference.Sub> subs = List.of(
        new ProtobufReference.Sub("k1", null, "a".getBytes(UTF_8)),
        new ProtobufReference.Sub("k1", "99", "b".getBytes(UTF_8)),
        new ProtobufReference.Sub("é", "99", new byte[0]));
    for (boolean dedupe : new boolean[] {true, false}) {
      byte[] agg = ProtobufReference.encode(subs, dedupe, true);
      List<UserRecord> out = KplAggregation.decode(SdkBytes.fromByteArray(agg), "outer", null);
      assertThat(out).hasSize(3);
      for (int i = 0; i < 3; i++) {
        assertThat(out.get(i).partitionKey()).isEqualTo(subs.get(i).partitionKey());
        assertThat(out.get(i).explicitHashKey()).isEqualTo(subs.get(i).explicitHashKey());
        assertThat(out.get(i).data().asByteArray()).isEqualTo(subs.get(i).data());
        assertThat(out.get(i).subSequenceNumber()).isEqualTo(i);
        assertThat(out.get(i).aggregated()).isTrue();
      }
    }
  }

  @Test
  void encode_byteIdenticalToProtobufForSameTables() throws Exception {
    List<KinesisRecord> in = List.of(rec("a", "one", null), rec("b", "two", "7"), rec("a", "three", "7"));
    List<ProtobufReference.Sub> subs = in.stream()
        .map(r -> new ProtobufReference.Sub(r.partitionKey(), r.explicitHashKey(), r.data().asByteArray())).toList();
    assertThat(KplAggregation.encode(in)).isEqualTo(ProtobufReference.encode(subs, true, false));
  }

  @Test
  void decode_notAnAggregate_returnedUnchanged() {
    byte[] agg = KplAggregation.encode(List.of(rec("a", "x", null)));
    List<byte[]> bad = new ArrayList<>();
    bad.add("plain json".getBytes(UTF_8));                     // wrong magic
    bad.add(new byte[0]);                                      // empty
    bad.add(Arrays.copyOf(agg, 10));                           // truncated
    byte[] badMd5 = agg.clone();
    badMd5[badMd5.length - 1] ^= 1;
    bad.add(badMd5);                                           // MD5 mismatch
    byte[] wrongMagic = agg.clone();
    wrongMagic[0] = 0;
    bad.add(wrongMagic);
    for (byte[] data : bad) {
      List<UserRecord> out = KplAggregation.decode(SdkBytes.fromByteArray(data), "pk", "5");
      assertThat(out).hasSize(1);
      assertThat(out.get(0).aggregated()).isFalse();
      assertThat(out.get(0).partitionKey()).isEqualTo("pk");
      assertThat(out.get(0).explicitHashKey()).isEqualTo("5");
      assertThat(out.get(0).data().asByteArray()).isEqualTo(data);
    }
  }

  @Test
  void decode_validMd5ButMalformedMessage_returnedUnchanged() throws Exception {
    byte[] message = {0x1A, 0x05, 0x08};      // records field claiming 5 bytes, only 1 present
    byte[] data = withFraming(message);
    assertThat(KplAggregation.isAggregate(data)).isTrue();
    List<UserRecord> out = KplAggregation.decode(SdkBytes.fromByteArray(data), "pk", null);
    assertThat(out).singleElement().satisfies(u -> assertThat(u.aggregated()).isFalse());
    // key index out of the table's range
    byte[] badIndex = withFraming(new byte[] {0x1A, 0x04, 0x08, 0x03, 0x1A, 0x00});
    assertThat(KplAggregation.decode(SdkBytes.fromByteArray(badIndex), "pk", null).get(0).aggregated()).isFalse();
  }

  @Test
  void builder_sizeExactAndLimitRespected() {
    AggregateBuilder b = new AggregateBuilder(BatchLimits.MIB);
    SplittableRandom random = new SplittableRandom(1);
    int added = 0;
    while (b.tryAdd(KinesisRecord.of("key-" + random.nextInt(50), new byte[100 + random.nextInt(50)],
        random.nextBoolean() ? Integer.toString(random.nextInt(1000)) : null))) {
      added++;
      assertThat(b.build().length).isEqualTo(b.sizeBytes());
    }
    assertThat(added).isGreaterThan(5000);
    assertThat(b.count()).isEqualTo(added);
    assertThat(b.recordSizeBytes()).isLessThanOrEqualTo(BatchLimits.MIB);
    KinesisRecord outer = b.toKinesisRecord();
    assertThat(outer.sizeBytes()).isEqualTo(b.recordSizeBytes());
    assertThat(outer.partitionKey()).isEqualTo(b.records().get(0).partitionKey());
    assertThat(KplAggregation.decode(outer.data(), outer.partitionKey(), null)).hasSize(added);
  }

  @Test
  void builder_misuse_rejected() {
    assertThatThrownBy(() -> new AggregateBuilder(0)).hasMessageContaining("maxRecordBytes must be positive");
    assertThatThrownBy(() -> new AggregateBuilder(100).build()).hasMessageContaining("no records");
    assertThatThrownBy(() -> KplAggregation.encode(List.of())).hasMessageContaining("must not be empty");
    assertThat(new AggregateBuilder(30).tryAdd(KinesisRecord.of("k", new byte[100]))).isFalse();
  }

  @Property(tries = 200)
  void roundTrip_bothWays(@ForAll("subs") List<KinesisRecord> in) throws Exception {
    byte[] ours = KplAggregation.encode(in);
    List<ProtobufReference.Sub> ref = ProtobufReference.decode(ours);
    List<UserRecord> back = KplAggregation.decode(SdkBytes.fromByteArray(ours), "x", null);
    assertThat(ref).hasSize(in.size());
    assertThat(back).hasSize(in.size());
    for (int i = 0; i < in.size(); i++) {
      assertThat(ref.get(i).partitionKey()).isEqualTo(in.get(i).partitionKey());
      assertThat(ref.get(i).data()).isEqualTo(in.get(i).data().asByteArray());
      assertThat(back.get(i).partitionKey()).isEqualTo(in.get(i).partitionKey());
      assertThat(back.get(i).explicitHashKey()).isEqualTo(in.get(i).explicitHashKey());
      assertThat(back.get(i).data()).isEqualTo(in.get(i).data());
    }
    byte[] theirs = ProtobufReference.encode(ref, false, false);
    assertThat(KplAggregation.decode(SdkBytes.fromByteArray(theirs), "x", null))
        .extracting(UserRecord::data).containsExactlyElementsOf(in.stream().map(KinesisRecord::data).toList());
  }

  @Provide
  Arbitrary<List<KinesisRecord>> subs() {
    Arbitrary<String> keys = Arbitraries.strings().withCharRange('a', 'e').withChars('ü', '中').ofMinLength(1).ofMaxLength(3);
    Arbitrary<byte[]> data = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
    Arbitrary<String> ehk = Arbitraries.of("0", "1", "340282366920938463463374607431768211455").injectNull(0.5);
    return Combinators.combine(keys, data, ehk).as(KinesisRecord::of).list().ofMinSize(1).ofMaxSize(40);
  }

  private static byte[] withFraming(byte[] message) throws Exception {
    byte[] out = new byte[4 + message.length + 16];
    System.arraycopy(KplAggregation.magic(), 0, out, 0, 4);
    System.arraycopy(message, 0, out, 4, message.length);
    System.arraycopy(java.security.MessageDigest.getInstance("MD5").digest(message), 0, out, 4 + message.length, 16);
    return out;
  }
}
