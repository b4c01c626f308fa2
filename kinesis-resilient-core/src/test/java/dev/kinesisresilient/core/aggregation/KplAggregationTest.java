package dev.kinesisresilient.core.aggregation;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kinesisresilient.core.BatchLimits;
import dev.kinesisresilient.core.KinesisRecord;
import dev.kinesisresilient.core.Seeds;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
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

  /**
   * Issue 14: the builder writes into one array sized in advance; its bytes stay those protobuf writes
   * for the same tables, also where varints take several bytes (key index >= 128, data >= 16 KiB).
   */
  @Test
  void builder_byteIdenticalToProtobuf_multiByteVarints_andSizeExact() throws Exception {
    SplittableRandom random = new SplittableRandom(14);
    List<KinesisRecord> in = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      byte[] data = new byte[i % 100 == 7 ? 20_000 + random.nextInt(5000) : random.nextInt(200)];
      random.nextBytes(data);
      in.add(KinesisRecord.of("k" + random.nextInt(300) + (i % 3 == 0 ? "ü中" : ""), data,
          i % 4 == 0 ? Integer.toString(random.nextInt(200)) : null));
    }
    List<ProtobufReference.Sub> subs = in.stream()
        .map(r -> new ProtobufReference.Sub(r.partitionKey(), r.explicitHashKey(), r.data().asByteArray())).toList();
    byte[] expected = ProtobufReference.encode(subs, true, false);
    AggregateBuilder b = new AggregateBuilder(Long.MAX_VALUE);
    for (KinesisRecord r : in) {
      assertThat(b.tryAdd(r)).isTrue();
    }
    assertThat(b.build()).isEqualTo(expected);
    assertThat(b.sizeBytes()).isEqualTo(expected.length);
    assertThat(KplAggregation.encode(in)).isEqualTo(expected);
  }

  // ---- seeded property (Seeds: -Dseed=N re-runs one seed) ----

  /** Cases of {@link #roundTrip_bothWays}. */
  static final int ROUND_TRIP_CASES = 200;

  /** The largest generated aggregate, in user records. */
  static final int MAX_SUBS = 40;

  /** The largest generated user record data, in bytes. */
  static final int MAX_DATA_BYTES = 300;

  private static final String[] HASH_KEYS = {"0", "1", "340282366920938463463374607431768211455"};

  static LongStream roundTripSeeds() {
    return Seeds.of(ROUND_TRIP_CASES);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("roundTripSeeds")
  void roundTrip_bothWays(long seed, TestInfo info) {
    List<KinesisRecord> in = subs(seed);
    Seeds.check(seed, info, () -> describe(in), () -> checkRoundTrip(in));
  }

  private static void checkRoundTrip(List<KinesisRecord> in) throws Exception {
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

  /**
   * One input: 1-{@value #MAX_SUBS} user records with keys of 1-3 characters from a-e, 'ü' (2 UTF-8
   * bytes) and '中' (3 bytes), so keys repeat; 0-{@value #MAX_DATA_BYTES} bytes of data (random, or all
   * one of 0x00, 0xFF, 0x80, 0x7F); explicit hash keys 0, 1 or 2^128-1, absent half the time, and in one
   * case in ten on every record or on none.
   */
  static List<KinesisRecord> subs(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int n = Seeds.edgy(random, 1, MAX_SUBS);
    int hashKeyMode = random.nextInt(10);  // 0: none, 1: all, else half
    List<KinesisRecord> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int length = Seeds.edgy(random, 1, 3);
      boolean multiByteOnly = random.nextInt(8) == 0;
      StringBuilder key = new StringBuilder(length);
      for (int k = 0; k < length; k++) {
        int c = multiByteOnly ? 5 + random.nextInt(2) : random.nextInt(7);
        key.append(c < 5 ? (char) ('a' + c) : c == 5 ? 'ü' : '中');
      }
      byte[] data = new byte[Seeds.edgy(random, 0, MAX_DATA_BYTES)];
      if (random.nextInt(8) == 0) {
        Arrays.fill(data, new byte[] {0, -1, Byte.MIN_VALUE, Byte.MAX_VALUE}[random.nextInt(4)]);
      } else {
        random.nextBytes(data);
      }
      boolean withHashKey = hashKeyMode == 1 || (hashKeyMode != 0 && random.nextBoolean());
      out.add(KinesisRecord.of(key.toString(), data, withHashKey ? HASH_KEYS[random.nextInt(HASH_KEYS.length)] : null));
    }
    return List.copyOf(out);
  }

  private static String describe(List<KinesisRecord> in) {
    StringBuilder s = new StringBuilder().append(in.size()).append(" records:");
    for (KinesisRecord r : in) {
      s.append(" (").append(r.partitionKey()).append(", ").append(r.dataBytes()).append(" B, ehk=")
          .append(r.explicitHashKey()).append(')');
    }
    return s.toString();
  }

  /** The generator reaches the edges: if this fails, a generator change lost part of the input space. */
  @Test
  void generator_defaultSeeds_coversTheEdges() {
    boolean single = false;
    boolean max = false;
    boolean emptyData = false;
    boolean maxData = false;
    boolean constantData = false;
    boolean noHashKeys = false;
    boolean allHashKeys = false;
    boolean largestHashKey = false;
    boolean repeatedKey = false;
    boolean threeCharMultiByteKey = false;
    for (long seed = 0; seed < ROUND_TRIP_CASES; seed++) {
      List<KinesisRecord> in = subs(seed);
      single |= in.size() == 1;
      max |= in.size() == MAX_SUBS;
      noHashKeys |= in.size() > 1 && in.stream().allMatch(r -> r.explicitHashKey() == null);
      allHashKeys |= in.size() > 1 && in.stream().allMatch(r -> r.explicitHashKey() != null);
      repeatedKey |= in.stream().map(KinesisRecord::partitionKey).distinct().count() < in.size();
      for (KinesisRecord r : in) {
        emptyData |= r.dataBytes() == 0;
        maxData |= r.dataBytes() == MAX_DATA_BYTES;
        constantData |= r.dataBytes() > 1 && allSame(r.data().asByteArray());
        largestHashKey |= HASH_KEYS[2].equals(r.explicitHashKey());
        threeCharMultiByteKey |= r.partitionKey().length() == 3 && r.sizeBytes() - r.dataBytes() >= 6;
      }
    }
    assertThat(List.of(single, max, emptyData, maxData, constantData, noHashKeys, allHashKeys, largestHashKey,
        repeatedKey, threeCharMultiByteKey)).containsOnly(true);
  }

  private static boolean allSame(byte[] data) {
    for (byte b : data) {
      if (b != data[0]) {
        return false;
      }
    }
    return true;
  }

  private static byte[] withFraming(byte[] message) throws Exception {
    byte[] out = new byte[4 + message.length + 16];
    System.arraycopy(KplAggregation.magic(), 0, out, 0, 4);
    System.arraycopy(message, 0, out, 4, message.length);
    System.arraycopy(java.security.MessageDigest.getInstance("MD5").digest(message), 0, out, 4 + message.length, 16);
    return out;
  }
}
