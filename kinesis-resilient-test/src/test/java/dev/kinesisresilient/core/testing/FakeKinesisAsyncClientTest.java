package dev.kinesisresilient.core.testing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kinesisresilient.core.BatchLimits;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.model.AccessDeniedException;
import software.amazon.awssdk.services.kinesis.model.ChildShard;
import software.amazon.awssdk.services.kinesis.model.EncryptionType;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.InternalFailureException;
import software.amazon.awssdk.services.kinesis.model.InvalidArgumentException;
import software.amazon.awssdk.services.kinesis.model.KinesisException;
import software.amazon.awssdk.services.kinesis.model.KmsDisabledException;
import software.amazon.awssdk.services.kinesis.model.KmsThrottlingException;
import software.amazon.awssdk.services.kinesis.model.LimitExceededException;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.awssdk.services.kinesis.model.ListStreamsResponse;
import software.amazon.awssdk.services.kinesis.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.kinesis.model.PutRecordResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.RecordDistributionStrategy;
import software.amazon.awssdk.services.kinesis.model.ResourceInUseException;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;
import software.amazon.awssdk.services.kinesis.model.ScalingType;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardFilterType;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.services.kinesis.model.StreamDescriptionSummary;
import software.amazon.awssdk.services.kinesis.model.StreamMode;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;
import software.amazon.awssdk.services.kinesis.model.ValidationException;

final class FakeKinesisAsyncClientTest {

  private static final String STREAM = "orders";
  private static final BigInteger TWO_TO_128 = BigInteger.ONE.shiftLeft(128);
  private static final BigInteger MAX_HASH = TWO_TO_128.subtract(BigInteger.ONE);

  private final ManualClock clock = ManualClock.create();

  private FakeKinesisAsyncClient client(int shards) {
    return FakeKinesisAsyncClient.builder().clock(clock).stream(STREAM, shards).build();
  }

  // ------------------------------------------------------------------ helpers

  private static PutRecordsRequestEntry entry(String key, String data) {
    return PutRecordsRequestEntry.builder().partitionKey(key).data(SdkBytes.fromUtf8String(data)).build();
  }

  private static PutRecordsRequestEntry entryWithSize(String key, int totalBytes) {
    return PutRecordsRequestEntry.builder()
        .partitionKey(key)
        .data(SdkBytes.fromByteArray(new byte[totalBytes - key.getBytes(UTF_8).length]))
        .build();
  }

  private static PutRecordsRequestEntry toHashKey(BigInteger hashKey, String data) {
    return PutRecordsRequestEntry.builder()
        .partitionKey("k")
        .explicitHashKey(hashKey.toString())
        .data(SdkBytes.fromUtf8String(data))
        .build();
  }

  private static List<PutRecordsRequestEntry> entries(int n, BigInteger hashKey) {
    List<PutRecordsRequestEntry> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(toHashKey(hashKey, "r" + i));
    }
    return list;
  }

  private static PutRecordsResponse put(FakeKinesisAsyncClient kinesis, List<PutRecordsRequestEntry> entries) {
    return kinesis.putRecords(b -> b.streamName(STREAM).records(entries)).join();
  }

  /** The raw exception a future failed with (handle() sees it unwrapped when failedFuture was used). */
  private static Throwable failure(CompletableFuture<?> future) {
    assertThat(future).isCompletedExceptionally();
    return future.handle((r, t) -> t).join();
  }

  private static KinesisException serviceFailure(CompletableFuture<?> future) {
    Throwable t = failure(future);
    assertThat(t).isInstanceOf(KinesisException.class);
    return (KinesisException) t;
  }

  /** MD5 of the key read as an unsigned big-endian 128-bit integer, computed here, not by the fake. */
  private static BigInteger md5(String partitionKey) throws Exception {
    byte[] digest = MessageDigest.getInstance("MD5").digest(partitionKey.getBytes(UTF_8));
    BigInteger value = BigInteger.ZERO;
    for (byte b : digest) {
      value = value.shiftLeft(8).or(BigInteger.valueOf(b & 0xff));
    }
    return value;
  }

  private static String expectedShardId(BigInteger hashKey, int shardCount) {
    BigInteger width = TWO_TO_128.divide(BigInteger.valueOf(shardCount));
    int index = Math.min(hashKey.divide(width).intValueExact(), shardCount - 1);
    return String.format("shardId-%012d", index);
  }

  private static List<Shard> shards(FakeKinesisAsyncClient kinesis) {
    return kinesis.listShards(b -> b.streamName(STREAM)).join().shards();
  }

  private static String iterator(FakeKinesisAsyncClient kinesis, String shardId, ShardIteratorType type) {
    return kinesis.getShardIterator(b -> b.streamName(STREAM).shardId(shardId).shardIteratorType(type))
        .join()
        .shardIterator();
  }

  // ------------------------------------------------------------------ shards and routing

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 7, 16, 100})
  void listShards_newStream_rangesAreContiguousAndCoverHashSpace(int shardCount) {
    FakeKinesisAsyncClient kinesis = client(shardCount);

    List<Shard> shards = shards(kinesis);

    assertThat(shards).hasSize(shardCount);
    BigInteger expectedStart = BigInteger.ZERO;
    for (int i = 0; i < shardCount; i++) {
      Shard s = shards.get(i);
      assertThat(s.shardId()).isEqualTo(String.format("shardId-%012d", i));
      assertThat(new BigInteger(s.hashKeyRange().startingHashKey())).isEqualTo(expectedStart);
      BigInteger end = new BigInteger(s.hashKeyRange().endingHashKey());
      assertThat(end).isGreaterThanOrEqualTo(expectedStart);
      assertThat(s.parentShardId()).isNull();
      assertThat(s.sequenceNumberRange().startingSequenceNumber()).isNotNull();
      assertThat(s.sequenceNumberRange().endingSequenceNumber()).isNull();
      expectedStart = end.add(BigInteger.ONE);
    }
    assertThat(expectedStart).isEqualTo(TWO_TO_128);
  }

  @Test
  void listShards_threeShards_matchesServiceSplit() {
    List<Shard> shards = shards(client(3));

    assertThat(shards.get(0).hashKeyRange().endingHashKey())
        .isEqualTo("113427455640312821154458202477256070484");
    assertThat(shards.get(1).hashKeyRange().startingHashKey())
        .isEqualTo("113427455640312821154458202477256070485");
    assertThat(shards.get(1).hashKeyRange().endingHashKey())
        .isEqualTo("226854911280625642308916404954512140969");
    assertThat(shards.get(2).hashKeyRange().startingHashKey())
        .isEqualTo("226854911280625642308916404954512140970");
    assertThat(shards.get(2).hashKeyRange().endingHashKey()).isEqualTo(MAX_HASH.toString());
  }

  @Test
  void putRecords_partitionKeys_routedToShardHoldingTheirMd5() throws Exception {
    FakeKinesisAsyncClient kinesis = client(5);
    List<PutRecordsRequestEntry> batch = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      batch.add(entry("customer-" + i, "payload-" + i));
    }

    PutRecordsResponse response = put(kinesis, batch);

    assertThat(response.failedRecordCount()).isZero();
    Set<String> shardsUsed = new HashSet<>();
    for (int i = 0; i < batch.size(); i++) {
      String expected = expectedShardId(md5("customer-" + i), 5);
      assertThat(response.records().get(i).shardId()).as("entry %d", i).isEqualTo(expected);
      shardsUsed.add(expected);
    }
    assertThat(shardsUsed).hasSize(5);
  }

  @Test
  void putRecords_knownPartitionKey_routesByPublishedMd5() {
    // MD5("a") = 0cc175b9c0f1b6a831c399e269772661, below 2^127: the lower half of a 2-shard stream.
    FakeKinesisAsyncClient kinesis = client(2);

    PutRecordsResponse response = put(kinesis, List.of(entry("a", "x")));

    assertThat(new BigInteger("0cc175b9c0f1b6a831c399e269772661", 16)).isLessThan(BigInteger.ONE.shiftLeft(127));
    assertThat(response.records().get(0).shardId()).isEqualTo("shardId-000000000000");
  }

  @Test
  void putRecords_explicitHashKey_overridesPartitionKeyAndHitsRangeEdges() {
    FakeKinesisAsyncClient kinesis = client(4);
    BigInteger quarter = TWO_TO_128.shiftRight(2);

    PutRecordsResponse response = put(kinesis, List.of(
        toHashKey(BigInteger.ZERO, "a"),
        toHashKey(quarter.subtract(BigInteger.ONE), "b"),
        toHashKey(quarter, "c"),
        toHashKey(quarter.multiply(BigInteger.valueOf(3)), "d"),
        toHashKey(MAX_HASH, "e")));

    assertThat(response.records()).extracting(PutRecordsResultEntry::shardId).containsExactly(
        "shardId-000000000000", "shardId-000000000000", "shardId-000000000001",
        "shardId-000000000003", "shardId-000000000003");
    assertThat(kinesis.storedRecords(STREAM, "shardId-000000000003"))
        .extracting(StoredRecord::explicitHashKey)
        .containsExactly(quarter.multiply(BigInteger.valueOf(3)).toString(), MAX_HASH.toString());
  }

  @Test
  void putRecords_manyRecords_sequenceNumbersIncreaseWithinShardAndAreUniqueAndLong() {
    FakeKinesisAsyncClient kinesis = client(3);
    List<PutRecordsRequestEntry> batch = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      batch.add(entry("key-" + i, "v"));
    }

    put(kinesis, batch);
    put(kinesis, batch);

    Set<String> all = new HashSet<>();
    for (Shard shard : shards(kinesis)) {
      BigInteger previous = new BigInteger(shard.sequenceNumberRange().startingSequenceNumber());
      for (StoredRecord r : kinesis.storedRecords(STREAM, shard.shardId())) {
        assertThat(r.sequenceNumber()).hasSize(56).containsOnlyDigits();
        BigInteger current = new BigInteger(r.sequenceNumber());
        assertThat(current).isGreaterThan(previous);
        previous = current;
        all.add(r.sequenceNumber());
      }
    }
    assertThat(all).hasSize(600);
    assertThat(kinesis.storedRecords(STREAM)).hasSize(600);
  }

  @Test
  void putRecords_success_resultsCarryShardAndSequenceAndStoreEverything() {
    FakeKinesisAsyncClient kinesis = client(1);
    clock.advance(Duration.ofMinutes(3));

    PutRecordsResponse response = put(kinesis, List.of(entry("k1", "hello"), entry("k2", "world")));

    assertThat(response.failedRecordCount()).isZero();
    assertThat(response.encryptionType()).isEqualTo(EncryptionType.NONE);
    assertThat(response.records()).allSatisfy(r -> {
      assertThat(r.errorCode()).isNull();
      assertThat(r.shardId()).isEqualTo("shardId-000000000000");
    });
    List<StoredRecord> stored = kinesis.storedRecords(STREAM);
    assertThat(stored).extracting(StoredRecord::dataAsUtf8).containsExactly("hello", "world");
    assertThat(stored).extracting(StoredRecord::partitionKey).containsExactly("k1", "k2");
    assertThat(stored.get(0).explicitHashKey()).isNull();
    assertThat(stored.get(0).approximateArrivalTimestamp()).isEqualTo(clock.instant());
    assertThat(stored.get(1).sequenceNumber()).isEqualTo(response.records().get(1).sequenceNumber());
  }

  // ------------------------------------------------------------------ per-shard limits

  @Test
  void putRecords_1001RecordsInOneInstant_lastIsThrottledThenRefillsWithTime() {
    FakeKinesisAsyncClient kinesis = client(1);

    assertThat(put(kinesis, entries(500, BigInteger.ONE)).failedRecordCount()).isZero();
    assertThat(put(kinesis, entries(500, BigInteger.ONE)).failedRecordCount()).isZero();
    PutRecordsResponse third = put(kinesis, entries(1, BigInteger.ONE));

    assertThat(third.failedRecordCount()).isEqualTo(1);
    assertThat(third.records().get(0).errorCode()).isEqualTo("ProvisionedThroughputExceededException");
    assertThat(kinesis.storedRecords(STREAM)).hasSize(1000);

    clock.advance(Duration.ofMillis(1)); // 1,000 records/s = one token per millisecond
    assertThat(put(kinesis, entries(2, BigInteger.ONE)).failedRecordCount()).isEqualTo(1);

    clock.advance(Duration.ofSeconds(1));
    assertThat(put(kinesis, entries(500, BigInteger.ONE)).failedRecordCount()).isZero();
    assertThat(put(kinesis, entries(500, BigInteger.ONE)).failedRecordCount()).isZero();
    assertThat(put(kinesis, entries(1, BigInteger.ONE)).failedRecordCount()).isEqualTo(1);
  }

  @Test
  void putRecords_longIdle_bucketCapsAtOneSecondOfRate() {
    FakeKinesisAsyncClient kinesis = client(1);
    clock.advance(Duration.ofHours(1));

    int accepted = 0;
    for (int i = 0; i < 3; i++) {
      PutRecordsResponse r = put(kinesis, entries(500, BigInteger.TEN));
      accepted += r.records().size() - r.failedRecordCount();
    }

    assertThat(accepted).isEqualTo(1000);
  }

  @Test
  void putRecords_overOneMibInOneInstant_throttlesByBytesThenRefills() {
    FakeKinesisAsyncClient kinesis = client(1);
    int recordBytes = 100 * 1024; // 10 fit in 1 MiB (1,024,000 bytes), the 11th does not
    List<PutRecordsRequestEntry> batch = new ArrayList<>();
    for (int i = 0; i < 11; i++) {
      batch.add(entryWithSize("key" + i, recordBytes));
    }

    PutRecordsResponse response = put(kinesis, batch);

    assertThat(response.failedRecordCount()).isEqualTo(1);
    assertThat(response.records().get(10).errorCode()).isEqualTo("ProvisionedThroughputExceededException");
    assertThat(kinesis.storedRecords(STREAM)).hasSize(10);

    // 24,576 bytes left; 50 ms adds 52,428 bytes: still short of 102,400.
    clock.advance(Duration.ofMillis(50));
    assertThat(put(kinesis, List.of(entryWithSize("again", recordBytes))).failedRecordCount()).isEqualTo(1);
    // 50 ms more adds another 52,428 bytes: 129,433 in all.
    clock.advance(Duration.ofMillis(50));
    assertThat(put(kinesis, List.of(entryWithSize("again", recordBytes))).failedRecordCount()).isZero();
  }

  @Test
  void putRecords_partitionKeyBytes_countTowardShardByteLimit() {
    FakeKinesisAsyncClient kinesis = FakeKinesisAsyncClient.builder()
        .clock(clock).perShardBytesPerSecond(100).stream(STREAM, 1).build();

    PutRecordsResponse response = put(kinesis, List.of(
        entryWithSize("a".repeat(60), 60), // key only, empty data: 60 bytes
        entryWithSize("b".repeat(41), 41))); // 41 more would be 101

    assertThat(response.records().get(0).errorCode()).isNull();
    assertThat(response.records().get(1).errorCode()).isEqualTo("ProvisionedThroughputExceededException");
  }

  @Test
  void putRecords_throttledEntry_hasServiceMessageAndOtherShardsSucceed() {
    FakeKinesisAsyncClient kinesis = client(2);
    BigInteger upper = MAX_HASH;
    put(kinesis, entries(500, upper));
    put(kinesis, entries(500, upper)); // shardId-000000000001 is now empty

    PutRecordsResponse response = put(kinesis, List.of(
        toHashKey(upper, "hot"), toHashKey(BigInteger.ZERO, "cold"), toHashKey(upper, "hot2")));

    assertThat(response.failedRecordCount()).isEqualTo(2);
    PutRecordsResultEntry throttled = response.records().get(0);
    assertThat(throttled.errorCode()).isEqualTo("ProvisionedThroughputExceededException");
    assertThat(throttled.errorMessage())
        .isEqualTo("Rate exceeded for shard shardId-000000000001 in stream orders under account 123456789012.");
    assertThat(throttled.shardId()).isNull();
    assertThat(throttled.sequenceNumber()).isNull();
    assertThat(response.records().get(1).errorCode()).isNull();
    assertThat(response.records().get(1).shardId()).isEqualTo("shardId-000000000000");
    assertThat(response.records().get(2).errorCode()).isEqualTo("ProvisionedThroughputExceededException");
    assertThat(kinesis.storedRecords(STREAM)).extracting(StoredRecord::dataAsUtf8).doesNotContain("hot", "hot2");
  }

  @Test
  void putRecords_customAccountAndLimits_usedInMessageAndBuckets() {
    FakeKinesisAsyncClient kinesis = FakeKinesisAsyncClient.builder()
        .clock(clock).accountId("999988887777").perShardRecordsPerSecond(2).stream("s", 1).build();

    PutRecordsResponse response = kinesis.putRecords(b -> b.streamName("s").records(entries(3, BigInteger.ONE))).join();

    assertThat(response.failedRecordCount()).isEqualTo(1);
    assertThat(response.records().get(2).errorMessage())
        .isEqualTo(FakeKinesisAsyncClient.rateExceededMessage("shardId-000000000000", "s", "999988887777"))
        .isEqualTo("Rate exceeded for shard shardId-000000000000 in stream s under account 999988887777.");
  }

  @Test
  void putRecords_limitsNotEnforced_acceptsAnyRate() {
    FakeKinesisAsyncClient kinesis = FakeKinesisAsyncClient.builder()
        .clock(clock).enforceShardLimits(false).stream(STREAM, 1).build();

    for (int i = 0; i < 10; i++) {
      assertThat(put(kinesis, entries(500, BigInteger.ONE)).failedRecordCount()).isZero();
    }

    assertThat(kinesis.storedRecords(STREAM)).hasSize(5000);
  }

  // ------------------------------------------------------------------ whole-request rejection

  @Test
  void putRecords_501Entries_rejectsWholeRequestWithValidationException() {
    FakeKinesisAsyncClient kinesis = client(1);

    KinesisException e = serviceFailure(
        kinesis.putRecords(b -> b.streamName(STREAM).records(entries(501, BigInteger.ONE))));

    assertThat(e).isInstanceOf(ValidationException.class);
    assertThat(e.statusCode()).isEqualTo(400);
    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationException");
    assertThat(e.awsErrorDetails().serviceName()).isEqualTo("Kinesis");
    assertThat(e.awsErrorDetails().errorMessage()).contains("less than or equal to 500");
    assertThat(kinesis.storedRecords(STREAM)).isEmpty();
    // No tokens were taken: a full second's worth still fits.
    assertThat(put(kinesis, entries(500, BigInteger.ONE)).failedRecordCount()).isZero();
    assertThat(put(kinesis, entries(500, BigInteger.ONE)).failedRecordCount()).isZero();
  }

  @Test
  void putRecords_loweredRecordLimit_enforcesIt() {
    FakeKinesisAsyncClient kinesis = FakeKinesisAsyncClient.builder()
        .clock(clock).batchLimits(BatchLimits.defaults().withMaxRecordsPerRequest(10)).stream(STREAM, 1).build();

    assertThat(serviceFailure(kinesis.putRecords(b -> b.streamName(STREAM).records(entries(11, BigInteger.ONE)))))
        .isInstanceOf(ValidationException.class);
    assertThat(put(kinesis, entries(10, BigInteger.ONE)).failedRecordCount()).isZero();
  }

  @Test
  void putRecords_noEntries_rejectedWithValidationException() {
    FakeKinesisAsyncClient kinesis = client(1);

    assertThat(serviceFailure(kinesis.putRecords(b -> b.streamName(STREAM).records(List.of()))))
        .isInstanceOf(ValidationException.class);
    assertThat(serviceFailure(kinesis.putRecords(b -> b.streamName(STREAM))))
        .isInstanceOf(ValidationException.class);
  }

  @Test
  void putRecords_overFiveMib_rejectsWholeRequestWithInvalidArgument() {
    FakeKinesisAsyncClient kinesis = FakeKinesisAsyncClient.builder()
        .clock(clock).enforceShardLimits(false).stream(STREAM, 1).build();
    List<PutRecordsRequestEntry> batch = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      batch.add(entryWithSize("key" + i, (int) BatchLimits.MIB)); // exactly 1 MiB each: 5 MiB in all
    }
    assertThat(put(kinesis, batch).failedRecordCount()).isZero();
    batch.add(entry("k", "")); // one more byte (its key)

    KinesisException e = serviceFailure(kinesis.putRecords(b -> b.streamName(STREAM).records(batch)));

    assertThat(e).isInstanceOf(InvalidArgumentException.class);
    assertThat(e.statusCode()).isEqualTo(400);
    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidArgumentException");
    assertThat(kinesis.storedRecords(STREAM)).hasSize(5);
  }

  @Test
  void putRecords_oneOversizeRecord_rejectsWholeRequestIncludingGoodEntries() {
    FakeKinesisAsyncClient kinesis = client(1);
    List<PutRecordsRequestEntry> batch = List.of(
        entry("good", "x"), entryWithSize("big", (int) BatchLimits.MIB + 1), entry("good2", "y"));

    KinesisException e = serviceFailure(kinesis.putRecords(b -> b.streamName(STREAM).records(batch)));

    assertThat(e).isInstanceOf(InvalidArgumentException.class);
    assertThat(e.awsErrorDetails().errorMessage()).contains("records.2.member");
    assertThat(kinesis.storedRecords(STREAM)).isEmpty();
  }

  @Test
  void putRecords_recordOfExactlyOneMibWithKey_accepted() {
    FakeKinesisAsyncClient kinesis = client(1);

    assertThat(put(kinesis, List.of(entryWithSize("key", (int) BatchLimits.MIB))).failedRecordCount()).isZero();
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 257})
  void putRecords_partitionKeyLengthOutOfRange_rejectedWithValidationException(int length) {
    FakeKinesisAsyncClient kinesis = client(1);

    KinesisException e = serviceFailure(kinesis.putRecords(b -> b.streamName(STREAM)
        .records(entry("ok", "x"), entry("k".repeat(length), "x"))));

    assertThat(e).isInstanceOf(ValidationException.class);
    assertThat(e.awsErrorDetails().errorMessage()).contains("records.2.member.partitionKey");
    assertThat(kinesis.storedRecords(STREAM)).isEmpty();
  }

  @Test
  void putRecords_partitionKeyOf256Characters_accepted() {
    assertThat(put(client(1), List.of(entry("é".repeat(256), "x"))).failedRecordCount()).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"-1", "01", "abc", "", "340282366920938463463374607431768211456", "1.5"})
  void putRecords_badExplicitHashKey_rejectedWithInvalidArgument(String hashKey) {
    FakeKinesisAsyncClient kinesis = client(1);
    PutRecordsRequestEntry bad = entry("k", "x").toBuilder().explicitHashKey(hashKey).build();

    KinesisException e = serviceFailure(kinesis.putRecords(b -> b.streamName(STREAM).records(bad)));

    assertThat(e).isInstanceOf(InvalidArgumentException.class);
    assertThat(e.awsErrorDetails().errorMessage()).startsWith("Invalid ExplicitHashKey.");
  }

  @Test
  void putRecords_nullData_rejectedWithValidationException() {
    FakeKinesisAsyncClient kinesis = client(1);
    PutRecordsRequestEntry noData = PutRecordsRequestEntry.builder().partitionKey("k").build();

    assertThat(serviceFailure(kinesis.putRecords(b -> b.streamName(STREAM).records(noData))))
        .isInstanceOf(ValidationException.class);
  }

  @Test
  void putRecords_unknownStream_failsWithResourceNotFound() {
    FakeKinesisAsyncClient kinesis = client(1);

    KinesisException e = serviceFailure(kinesis.putRecords(b -> b.streamName("nope").records(entry("k", "x"))));

    assertThat(e).isInstanceOf(ResourceNotFoundException.class);
    assertThat(e.statusCode()).isEqualTo(400);
    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ResourceNotFoundException");
    assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("Stream nope under account 123456789012 not found.");
    assertThat(e.requestId()).isNotBlank();
  }

  @Test
  void putRecords_byStreamArn_writesToStream() {
    FakeKinesisAsyncClient kinesis = client(1);
    String arn = "arn:aws:kinesis:us-east-1:123456789012:stream/orders";

    PutRecordsResponse response = kinesis.putRecords(b -> b.streamARN(arn).records(entry("k", "x"))).join();

    assertThat(kinesis.streamArn(STREAM)).isEqualTo(arn);
    assertThat(response.failedRecordCount()).isZero();
    assertThat(kinesis.storedRecords(STREAM)).hasSize(1);
  }

  @Test
  void putRecords_arnOfOtherAccountOrMismatchedName_fails() {
    FakeKinesisAsyncClient kinesis = client(1);

    assertThat(serviceFailure(kinesis.putRecords(b -> b.streamARN("arn:aws:kinesis:us-east-1:000000000000:stream/orders")
        .records(entry("k", "x"))))).isInstanceOf(ResourceNotFoundException.class);
    assertThat(serviceFailure(kinesis.putRecords(b -> b.streamName("other")
        .streamARN(kinesis.streamArn(STREAM)).records(entry("k", "x"))))).isInstanceOf(InvalidArgumentException.class);
    assertThat(serviceFailure(kinesis.putRecords(b -> b.records(entry("k", "x")))))
        .isInstanceOf(InvalidArgumentException.class);
  }

  // ------------------------------------------------------------------ scripted faults

  @Test
  void failNextEntries_twoOfFive_failThoseEntriesOnlyAndDoNotStoreThem() {
    FakeKinesisAsyncClient kinesis = client(1);
    kinesis.failNextEntries(2, "InternalFailure", "Internal service failure.");

    PutRecordsResponse first = put(kinesis, List.of(entry("a", "1"), entry("b", "2"), entry("c", "3")));
    PutRecordsResponse second = put(kinesis, List.of(entry("d", "4"), entry("e", "5")));

    assertThat(first.failedRecordCount()).isEqualTo(2);
    assertThat(first.records()).extracting(PutRecordsResultEntry::errorCode)
        .containsExactly("InternalFailure", "InternalFailure", null);
    assertThat(first.records().get(0).errorMessage()).isEqualTo("Internal service failure.");
    assertThat(second.failedRecordCount()).isZero();
    assertThat(kinesis.storedRecords(STREAM)).extracting(StoredRecord::dataAsUtf8).containsExactly("3", "4", "5");
  }

  @Test
  void failNextEntries_calledTwice_scriptsRunInOrder() {
    FakeKinesisAsyncClient kinesis = client(1);
    kinesis.failNextEntries(1, "InternalFailure", "first");
    kinesis.failNextEntries(1, "ProvisionedThroughputExceededException", "second");

    PutRecordsResponse response = put(kinesis, List.of(entry("a", "1"), entry("b", "2"), entry("c", "3")));

    assertThat(response.records()).extracting(PutRecordsResultEntry::errorMessage)
        .containsExactly("first", "second", null);
  }

  @Test
  void failNextEntries_rejectedRequest_doesNotUseUpTheScript() {
    FakeKinesisAsyncClient kinesis = client(1);
    kinesis.failNextEntries(1, "InternalFailure", "boom");

    serviceFailure(kinesis.putRecords(b -> b.streamName(STREAM).records(entries(501, BigInteger.ONE))));
    PutRecordsResponse response = put(kinesis, List.of(entry("a", "1")));

    assertThat(response.failedRecordCount()).isEqualTo(1);
  }

  @Test
  void failNextEntries_nonPositive_throws() {
    assertThatThrownBy(() -> client(1).failNextEntries(0, "InternalFailure", "x"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void failEntriesWhere_matchingEntries_failUntilCleared() {
    FakeKinesisAsyncClient kinesis = client(1);
    kinesis.failEntriesWhere(e -> e.partitionKey().startsWith("poison"), "InternalFailure", "nope");

    PutRecordsResponse first = put(kinesis, List.of(entry("poison-1", "x"), entry("fine", "y")));
    PutRecordsResponse second = put(kinesis, List.of(entry("poison-2", "x")));
    kinesis.clearFaults();
    PutRecordsResponse third = put(kinesis, List.of(entry("poison-3", "x")));

    assertThat(first.records()).extracting(PutRecordsResultEntry::errorCode).containsExactly("InternalFailure", null);
    assertThat(second.failedRecordCount()).isEqualTo(1);
    assertThat(third.failedRecordCount()).isZero();
    assertThat(kinesis.storedRecords(STREAM)).extracting(StoredRecord::partitionKey).containsExactly("fine", "poison-3");
  }

  @Test
  void throwOnNextCall_failsNextCallOnlyWithThatExceptionAndStoresNothing() {
    FakeKinesisAsyncClient kinesis = client(1);
    KinesisException boom = FakeKinesisAsyncClient.serviceException("ServiceUnavailable", 503, "try later");
    kinesis.throwOnNextCall(boom);

    CompletableFuture<PutRecordsResponse> first = kinesis.putRecords(b -> b.streamName(STREAM).records(entry("a", "1")));
    PutRecordsResponse second = put(kinesis, List.of(entry("b", "2")));

    assertThat(failure(first)).isSameAs(boom);
    assertThatThrownBy(first::join).isInstanceOf(CompletionException.class).hasCause(boom);
    assertThat(second.failedRecordCount()).isZero();
    assertThat(kinesis.storedRecords(STREAM)).extracting(StoredRecord::partitionKey).containsExactly("b");
    assertThat(kinesis.putRecordsRequests()).hasSize(2);
  }

  @Test
  void throwOnNextCalls_suppliesFreshExceptionPerCallIncludingPutRecord() {
    FakeKinesisAsyncClient kinesis = client(1);
    AtomicInteger made = new AtomicInteger();
    kinesis.throwOnNextCalls(2, () -> SdkClientException.create("io " + made.incrementAndGet()));

    Throwable first = failure(kinesis.putRecords(b -> b.streamName(STREAM).records(entry("a", "1"))));
    Throwable second = failure(kinesis.putRecord(b -> b.streamName(STREAM).partitionKey("a")
        .data(SdkBytes.fromUtf8String("1"))));
    PutRecordsResponse third = put(kinesis, List.of(entry("a", "1")));

    assertThat(first).isInstanceOf(SdkClientException.class).hasMessage("io 1");
    assertThat(second).hasMessage("io 2");
    assertThat(third.failedRecordCount()).isZero();
  }

  @Test
  void throwOnNextCall_otherOperations_unaffected() {
    FakeKinesisAsyncClient kinesis = client(1);
    kinesis.throwOnNextCall(new IllegalStateException("x"));

    assertThat(kinesis.listShards(b -> b.streamName(STREAM))).isCompleted();
    assertThat(failure(kinesis.putRecords(b -> b.streamName(STREAM).records(entry("a", "1")))))
        .hasMessage("x");
  }

  @Test
  void clearFaults_everyKind_removesThem() {
    FakeKinesisAsyncClient kinesis = client(1);
    ManualScheduler scheduler = ManualScheduler.create(clock);
    kinesis.failNextEntries(5, "InternalFailure", "x");
    kinesis.throwOnNextCall(new IllegalStateException("x"));
    kinesis.delayResponses(Duration.ofSeconds(1), scheduler);

    kinesis.clearFaults();
    CompletableFuture<PutRecordsResponse> f = kinesis.putRecords(b -> b.streamName(STREAM).records(entry("a", "1")));

    assertThat(f).isCompleted();
    assertThat(f.join().failedRecordCount()).isZero();
    assertThat(scheduler.pendingTasks()).isZero();
  }

  @Test
  void delayResponses_manualScheduler_completesOnlyAfterDelayButStoresAtOnce() {
    FakeKinesisAsyncClient kinesis = client(1);
    ManualScheduler scheduler = ManualScheduler.create(clock);
    kinesis.delayResponses(Duration.ofMillis(250), scheduler);

    CompletableFuture<PutRecordsResponse> f = kinesis.putRecords(b -> b.streamName(STREAM).records(entry("a", "1")));

    assertThat(f).isNotDone();
    assertThat(kinesis.storedRecords(STREAM)).hasSize(1);
    scheduler.advance(Duration.ofMillis(249));
    assertThat(f).isNotDone();
    scheduler.advance(Duration.ofMillis(1));
    assertThat(f).isCompleted();
    assertThat(f.join().failedRecordCount()).isZero();
  }

  @Test
  void delayResponses_failure_alsoDelayed() {
    FakeKinesisAsyncClient kinesis = client(1);
    ManualScheduler scheduler = ManualScheduler.create(clock);
    kinesis.delayResponses(Duration.ofSeconds(2), scheduler);

    CompletableFuture<PutRecordsResponse> f = kinesis.putRecords(b -> b.streamName("missing").records(entry("a", "1")));

    assertThat(f).isNotDone();
    scheduler.advance(Duration.ofSeconds(2));
    assertThat(serviceFailure(f)).isInstanceOf(ResourceNotFoundException.class);
  }

  @Test
  void delayResponses_schedulerShutDown_futureFailsWithRejection() {
    FakeKinesisAsyncClient kinesis = client(1);
    ManualScheduler scheduler = ManualScheduler.create(clock);
    scheduler.shutdown();
    kinesis.delayResponses(Duration.ofSeconds(1), scheduler);

    CompletableFuture<PutRecordsResponse> f = kinesis.putRecords(b -> b.streamName(STREAM).records(entry("a", "1")));

    assertThat(failure(f)).isInstanceOf(java.util.concurrent.RejectedExecutionException.class);
  }

  @Test
  void wrapFailuresInCompletionException_enabled_causeIsServiceException() {
    FakeKinesisAsyncClient kinesis = FakeKinesisAsyncClient.builder()
        .clock(clock).wrapFailuresInCompletionException(true).stream(STREAM, 1).build();

    Throwable t = failure(kinesis.putRecords(b -> b.streamName("missing").records(entry("a", "1"))));

    assertThat(t).isInstanceOf(CompletionException.class).hasCauseInstanceOf(ResourceNotFoundException.class);
  }

  // ------------------------------------------------------------------ PutRecord

  @Test
  void putRecord_success_returnsShardAndSequenceAndStores() throws Exception {
    FakeKinesisAsyncClient kinesis = client(4);

    PutRecordResponse response = kinesis.putRecord(b -> b.streamName(STREAM).partitionKey("user-7")
        .data(SdkBytes.fromUtf8String("hi"))).join();

    assertThat(response.shardId()).isEqualTo(expectedShardId(md5("user-7"), 4));
    assertThat(kinesis.storedRecords(STREAM, response.shardId()))
        .extracting(StoredRecord::sequenceNumber).containsExactly(response.sequenceNumber());
    assertThat(kinesis.putRecordRequests()).hasSize(1);
    assertThat(kinesis.callCount("PutRecord")).isEqualTo(1);
  }

  @Test
  void putRecord_shardExhausted_failsWithProvisionedThroughputExceeded() {
    FakeKinesisAsyncClient kinesis = FakeKinesisAsyncClient.builder()
        .clock(clock).perShardRecordsPerSecond(1).stream(STREAM, 1).build();
    kinesis.putRecord(b -> b.streamName(STREAM).partitionKey("a").data(SdkBytes.fromUtf8String("1"))).join();

    KinesisException e = serviceFailure(
        kinesis.putRecord(b -> b.streamName(STREAM).partitionKey("a").data(SdkBytes.fromUtf8String("2"))));

    assertThat(e).isInstanceOf(ProvisionedThroughputExceededException.class);
    assertThat(e.isThrottlingException()).isTrue();
    assertThat(e.awsErrorDetails().errorMessage())
        .isEqualTo("Rate exceeded for shard shardId-000000000000 in stream orders under account 123456789012.");
  }

  @Test
  void putRecord_scriptedEntryFault_failsWithMatchingException() {
    FakeKinesisAsyncClient kinesis = client(1);
    kinesis.failNextEntries(1, "InternalFailureException", "internal");

    KinesisException e = serviceFailure(
        kinesis.putRecord(b -> b.streamName(STREAM).partitionKey("a").data(SdkBytes.fromUtf8String("1"))));

    assertThat(e).isInstanceOf(InternalFailureException.class);
    assertThat(e.statusCode()).isEqualTo(500);
    assertThat(kinesis.storedRecords(STREAM)).isEmpty();
  }

  // ------------------------------------------------------------------ reads

  @Test
  void getRecords_trimHorizon_returnsRecordsInOrderWithArrivalTimes() {
    FakeKinesisAsyncClient kinesis = client(1);
    put(kinesis, List.of(entry("a", "1"), entry("b", "2")));
    Instant firstArrival = clock.instant();
    clock.advance(Duration.ofSeconds(5));
    put(kinesis, List.of(entry("c", "3")));

    GetRecordsResponse response = kinesis.getRecords(b -> b.shardIterator(
        iterator(kinesis, "shardId-000000000000", ShardIteratorType.TRIM_HORIZON))).join();

    assertThat(response.records()).extracting(r -> r.data().asUtf8String()).containsExactly("1", "2", "3");
    assertThat(response.records()).extracting(Record::partitionKey).containsExactly("a", "b", "c");
    assertThat(response.records().get(0).approximateArrivalTimestamp()).isEqualTo(firstArrival);
    assertThat(response.records().get(2).approximateArrivalTimestamp()).isEqualTo(clock.instant());
    assertThat(response.millisBehindLatest()).isZero();
    assertThat(response.nextShardIterator()).isNotNull();
  }

  @Test
  void getRecords_limit_pagesAndReportsMillisBehind() {
    FakeKinesisAsyncClient kinesis = client(1);
    put(kinesis, List.of(entry("a", "1")));
    clock.advance(Duration.ofSeconds(1));
    put(kinesis, List.of(entry("b", "2"), entry("c", "3")));
    clock.advance(Duration.ofSeconds(2));

    GetRecordsResponse page1 = kinesis.getRecords(b -> b.limit(1).shardIterator(
        iterator(kinesis, "shardId-000000000000", ShardIteratorType.TRIM_HORIZON))).join();
    GetRecordsResponse page2 = kinesis.getRecords(b -> b.shardIterator(page1.nextShardIterator())).join();
    GetRecordsResponse page3 = kinesis.getRecords(b -> b.shardIterator(page2.nextShardIterator())).join();

    assertThat(page1.records()).extracting(Record::partitionKey).containsExactly("a");
    assertThat(page1.millisBehindLatest()).isEqualTo(2000); // "b" arrived 2 s ago
    assertThat(page2.records()).extracting(Record::partitionKey).containsExactly("b", "c");
    assertThat(page2.millisBehindLatest()).isZero();
    assertThat(page3.records()).isEmpty();
    assertThat(page3.nextShardIterator()).isNotNull(); // open shard: keep polling
  }

  @Test
  void getRecords_latestIterator_seesOnlyLaterRecords() {
    FakeKinesisAsyncClient kinesis = client(1);
    put(kinesis, List.of(entry("old", "1")));
    String it = iterator(kinesis, "shardId-000000000000", ShardIteratorType.LATEST);
    put(kinesis, List.of(entry("new", "2")));

    GetRecordsResponse response = kinesis.getRecords(b -> b.shardIterator(it)).join();

    assertThat(response.records()).extracting(Record::partitionKey).containsExactly("new");
  }

  @Test
  void getShardIterator_atAndAfterSequenceNumber_startAtRightRecord() {
    FakeKinesisAsyncClient kinesis = client(1);
    PutRecordsResponse put = put(kinesis, List.of(entry("a", "1"), entry("b", "2"), entry("c", "3")));
    String second = put.records().get(1).sequenceNumber();

    String at = kinesis.getShardIterator(b -> b.streamName(STREAM).shardId("shardId-000000000000")
        .shardIteratorType(ShardIteratorType.AT_SEQUENCE_NUMBER).startingSequenceNumber(second)).join().shardIterator();
    String after = kinesis.getShardIterator(b -> b.streamName(STREAM).shardId("shardId-000000000000")
        .shardIteratorType(ShardIteratorType.AFTER_SEQUENCE_NUMBER).startingSequenceNumber(second)).join().shardIterator();

    assertThat(kinesis.getRecords(b -> b.shardIterator(at)).join().records())
        .extracting(Record::partitionKey).containsExactly("b", "c");
    assertThat(kinesis.getRecords(b -> b.shardIterator(after)).join().records())
        .extracting(Record::partitionKey).containsExactly("c");
  }

  @Test
  void getShardIterator_atTimestamp_startsAtFirstRecordArrivedThen() {
    FakeKinesisAsyncClient kinesis = client(1);
    put(kinesis, List.of(entry("a", "1")));
    clock.advance(Duration.ofSeconds(10));
    Instant t = clock.instant();
    put(kinesis, List.of(entry("b", "2")));

    String it = kinesis.getShardIterator(b -> b.streamName(STREAM).shardId("shardId-000000000000")
        .shardIteratorType(ShardIteratorType.AT_TIMESTAMP).timestamp(t.minusMillis(1))).join().shardIterator();

    assertThat(kinesis.getRecords(b -> b.shardIterator(it)).join().records())
        .extracting(Record::partitionKey).containsExactly("b");
  }

  @Test
  void getShardIterator_missingInputs_fail() {
    FakeKinesisAsyncClient kinesis = client(1);

    assertThat(serviceFailure(kinesis.getShardIterator(b -> b.streamName(STREAM).shardId("shardId-000000000009")
        .shardIteratorType(ShardIteratorType.LATEST)))).isInstanceOf(ResourceNotFoundException.class);
    assertThat(serviceFailure(kinesis.getShardIterator(b -> b.streamName(STREAM).shardId("shardId-000000000000")
        .shardIteratorType(ShardIteratorType.AT_SEQUENCE_NUMBER)))).isInstanceOf(InvalidArgumentException.class);
    assertThat(serviceFailure(kinesis.getShardIterator(b -> b.streamName(STREAM).shardId("shardId-000000000000")
        .shardIteratorType(ShardIteratorType.AT_TIMESTAMP)))).isInstanceOf(InvalidArgumentException.class);
    assertThat(serviceFailure(kinesis.getShardIterator(b -> b.streamName(STREAM).shardId("shardId-000000000000"))))
        .isInstanceOf(ValidationException.class);
  }

  @Test
  void getRecords_badIteratorOrLimit_fails() {
    FakeKinesisAsyncClient kinesis = client(1);
    String it = iterator(kinesis, "shardId-000000000000", ShardIteratorType.TRIM_HORIZON);

    assertThat(serviceFailure(kinesis.getRecords(b -> b.shardIterator("garbage!"))))
        .isInstanceOf(InvalidArgumentException.class);
    assertThat(serviceFailure(kinesis.getRecords(b -> b.shardIterator(it).limit(10_001))))
        .isInstanceOf(ValidationException.class);
    assertThat(serviceFailure(kinesis.getRecords(b -> b.shardIterator(it).limit(0))))
        .isInstanceOf(ValidationException.class);
  }

  @Test
  void getRecords_streamDeletedAndRecreated_oldIteratorFails() {
    FakeKinesisAsyncClient kinesis = client(1);
    String it = iterator(kinesis, "shardId-000000000000", ShardIteratorType.TRIM_HORIZON);
    kinesis.deleteStream(b -> b.streamName(STREAM)).join();
    kinesis.createStream(b -> b.streamName(STREAM).shardCount(1)).join();

    assertThat(serviceFailure(kinesis.getRecords(b -> b.shardIterator(it))))
        .isInstanceOf(ResourceNotFoundException.class);
  }

  // ------------------------------------------------------------------ resharding

  @Test
  void updateShardCount_twoToThree_closesOldShardsAndOpensEvenChildrenWithParents() {
    FakeKinesisAsyncClient kinesis = client(2);
    put(kinesis, List.of(toHashKey(BigInteger.ZERO, "before-low"), toHashKey(MAX_HASH, "before-high")));

    var response = kinesis.updateShardCount(b -> b.streamName(STREAM).targetShardCount(3)
        .scalingType(ScalingType.UNIFORM_SCALING)).join();
    List<Shard> shards = shards(kinesis);

    assertThat(response.currentShardCount()).isEqualTo(2);
    assertThat(response.targetShardCount()).isEqualTo(3);
    assertThat(shards).hasSize(5);
    assertThat(shards.subList(0, 2)).allSatisfy(s -> assertThat(s.sequenceNumberRange().endingSequenceNumber()).isNotNull());
    List<Shard> open = shards.subList(2, 5);
    assertThat(open).extracting(Shard::shardId)
        .containsExactly("shardId-000000000002", "shardId-000000000003", "shardId-000000000004");
    assertThat(open).allSatisfy(s -> assertThat(s.sequenceNumberRange().endingSequenceNumber()).isNull());
    // The middle child spans both old shards' ranges.
    assertThat(open.get(0).parentShardId()).isEqualTo("shardId-000000000000");
    assertThat(open.get(0).adjacentParentShardId()).isNull();
    assertThat(open.get(1).parentShardId()).isEqualTo("shardId-000000000000");
    assertThat(open.get(1).adjacentParentShardId()).isEqualTo("shardId-000000000001");
    assertThat(open.get(2).parentShardId()).isEqualTo("shardId-000000000001");
    assertThat(open.get(0).hashKeyRange().endingHashKey()).isEqualTo("113427455640312821154458202477256070484");
    assertThat(kinesis.describeStreamSummary(b -> b.streamName(STREAM)).join()
        .streamDescriptionSummary().openShardCount()).isEqualTo(3);
    BigInteger lastRecordOfShard0 = new BigInteger(kinesis.storedRecords(STREAM, "shardId-000000000000").get(0).sequenceNumber());
    assertThat(new BigInteger(shards.get(0).sequenceNumberRange().endingSequenceNumber())).isGreaterThan(lastRecordOfShard0);

    PutRecordsResponse after = put(kinesis, List.of(toHashKey(BigInteger.ZERO, "after-low"), toHashKey(MAX_HASH, "after-high")));
    assertThat(after.records()).extracting(PutRecordsResultEntry::shardId)
        .containsExactly("shardId-000000000002", "shardId-000000000004");
  }

  @Test
  void getRecords_closedShardReadToEnd_nullNextIteratorAndChildShards() {
    FakeKinesisAsyncClient kinesis = client(2);
    put(kinesis, List.of(toHashKey(BigInteger.ZERO, "x")));
    String it = iterator(kinesis, "shardId-000000000000", ShardIteratorType.TRIM_HORIZON);
    kinesis.updateShardCount(b -> b.streamName(STREAM).targetShardCount(3).scalingType(ScalingType.UNIFORM_SCALING)).join();

    GetRecordsResponse response = kinesis.getRecords(b -> b.shardIterator(it)).join();

    assertThat(response.records()).extracting(Record::partitionKey).containsExactly("k");
    assertThat(response.nextShardIterator()).isNull();
    assertThat(response.childShards()).extracting(ChildShard::shardId)
        .containsExactly("shardId-000000000002", "shardId-000000000003");
    assertThat(response.childShards().get(1).parentShards())
        .containsExactly("shardId-000000000000", "shardId-000000000001");
  }

  @Test
  void getRecords_closedShardWithMoreRecords_keepsIteratorUntilEnd() {
    FakeKinesisAsyncClient kinesis = client(1);
    put(kinesis, entries(3, BigInteger.ONE));
    kinesis.updateShardCount(b -> b.streamName(STREAM).targetShardCount(2).scalingType(ScalingType.UNIFORM_SCALING)).join();

    GetRecordsResponse first = kinesis.getRecords(b -> b.limit(2).shardIterator(
        iterator(kinesis, "shardId-000000000000", ShardIteratorType.TRIM_HORIZON))).join();
    GetRecordsResponse second = kinesis.getRecords(b -> b.shardIterator(first.nextShardIterator())).join();

    assertThat(first.nextShardIterator()).isNotNull();
    assertThat(first.hasChildShards()).isFalse();
    assertThat(second.records()).hasSize(1);
    assertThat(second.nextShardIterator()).isNull();
  }

  @Test
  void updateShardCount_badInputs_fail() {
    FakeKinesisAsyncClient kinesis = client(1);

    assertThat(serviceFailure(kinesis.updateShardCount(b -> b.streamName(STREAM).targetShardCount(2))))
        .isInstanceOf(ValidationException.class);
    assertThat(serviceFailure(kinesis.updateShardCount(b -> b.streamName(STREAM).targetShardCount(0)
        .scalingType(ScalingType.UNIFORM_SCALING)))).isInstanceOf(ValidationException.class);
    assertThat(serviceFailure(kinesis.updateShardCount(b -> b.streamName("x").targetShardCount(2)
        .scalingType(ScalingType.UNIFORM_SCALING)))).isInstanceOf(ResourceNotFoundException.class);
  }

  @Test
  void listShards_atLatestFilter_returnsOpenShardsOnly() {
    FakeKinesisAsyncClient kinesis = client(2);
    kinesis.updateShardCount(b -> b.streamName(STREAM).targetShardCount(1).scalingType(ScalingType.UNIFORM_SCALING)).join();

    ListShardsResponse response = kinesis.listShards(b -> b.streamName(STREAM)
        .shardFilter(f -> f.type(ShardFilterType.AT_LATEST))).join();

    assertThat(response.shards()).extracting(Shard::shardId).containsExactly("shardId-000000000002");
    assertThat(response.shards().get(0).parentShardId()).isEqualTo("shardId-000000000000");
    assertThat(response.shards().get(0).adjacentParentShardId()).isEqualTo("shardId-000000000001");
  }

  @Test
  void listShards_maxResults_pagesWithNextToken() {
    FakeKinesisAsyncClient kinesis = client(5);

    ListShardsResponse page1 = kinesis.listShards(b -> b.streamName(STREAM).maxResults(2)).join();
    ListShardsResponse page2 = kinesis.listShards(b -> b.nextToken(page1.nextToken()).maxResults(2)).join();
    ListShardsResponse page3 = kinesis.listShards(b -> b.nextToken(page2.nextToken()).maxResults(2)).join();

    assertThat(page1.shards()).extracting(Shard::shardId).containsExactly("shardId-000000000000", "shardId-000000000001");
    assertThat(page2.shards()).extracting(Shard::shardId).containsExactly("shardId-000000000002", "shardId-000000000003");
    assertThat(page3.shards()).extracting(Shard::shardId).containsExactly("shardId-000000000004");
    assertThat(page3.nextToken()).isNull();
    assertThat(serviceFailure(kinesis.listShards(b -> b.streamName(STREAM).nextToken(page1.nextToken()))))
        .isInstanceOf(InvalidArgumentException.class);
  }

  @Test
  void listShards_exclusiveStartShardId_skipsUpToIt() {
    FakeKinesisAsyncClient kinesis = client(3);

    ListShardsResponse response = kinesis.listShards(b -> b.streamName(STREAM)
        .exclusiveStartShardId("shardId-000000000000")).join();

    assertThat(response.shards()).extracting(Shard::shardId)
        .containsExactly("shardId-000000000001", "shardId-000000000002");
  }

  // ------------------------------------------------------------------ stream administration

  @Test
  void createStream_onDemand_hasFourShardsAndOnDemandMode() {
    FakeKinesisAsyncClient kinesis = FakeKinesisAsyncClient.builder().clock(clock).build();

    kinesis.createStream(b -> b.streamName(STREAM).streamModeDetails(m -> m.streamMode(StreamMode.ON_DEMAND))).join();
    StreamDescriptionSummary summary = kinesis.describeStreamSummary(b -> b.streamName(STREAM)).join()
        .streamDescriptionSummary();

    assertThat(shards(kinesis)).hasSize(4);
    assertThat(summary.streamModeDetails().streamMode()).isEqualTo(StreamMode.ON_DEMAND);
    assertThat(summary.openShardCount()).isEqualTo(4);
  }

  @Test
  void describeStreamSummary_provisioned_reportsServiceFields() {
    FakeKinesisAsyncClient kinesis = FakeKinesisAsyncClient.builder()
        .clock(clock).region(Region.EU_WEST_1).accountId("111122223333").build();
    kinesis.createStream(b -> b.streamName(STREAM).shardCount(3)
        .recordDistributionStrategy(RecordDistributionStrategy.USER_PARTITION_KEY)).join();

    StreamDescriptionSummary summary = kinesis.describeStreamSummary(
        b -> b.streamARN("arn:aws:kinesis:eu-west-1:111122223333:stream/orders")).join().streamDescriptionSummary();

    assertThat(summary.streamName()).isEqualTo(STREAM);
    assertThat(summary.streamARN()).isEqualTo("arn:aws:kinesis:eu-west-1:111122223333:stream/orders");
    assertThat(summary.streamStatus()).isEqualTo(StreamStatus.ACTIVE);
    assertThat(summary.streamModeDetails().streamMode()).isEqualTo(StreamMode.PROVISIONED);
    assertThat(summary.retentionPeriodHours()).isEqualTo(24);
    assertThat(summary.openShardCount()).isEqualTo(3);
    assertThat(summary.streamCreationTimestamp()).isEqualTo(clock.instant());
    assertThat(summary.maxRecordSizeInKiB()).isEqualTo(1024);
    assertThat(summary.recordDistributionStrategy()).isEqualTo(RecordDistributionStrategy.USER_PARTITION_KEY);
  }

  @Test
  void createStream_invalidOrDuplicate_fails() {
    FakeKinesisAsyncClient kinesis = client(1);

    assertThat(serviceFailure(kinesis.createStream(b -> b.streamName(STREAM).shardCount(1))))
        .isInstanceOf(ResourceInUseException.class);
    assertThat(serviceFailure(kinesis.createStream(b -> b.streamName("bad name").shardCount(1))))
        .isInstanceOf(ValidationException.class);
    assertThat(serviceFailure(kinesis.createStream(b -> b.streamName("s2").shardCount(0))))
        .isInstanceOf(ValidationException.class);
    assertThat(serviceFailure(kinesis.createStream(b -> b.streamName("s3"))))
        .isInstanceOf(InvalidArgumentException.class);
  }

  @Test
  void listStreamsAndDeleteStream_lifecycle_reflectsState() {
    FakeKinesisAsyncClient kinesis = FakeKinesisAsyncClient.builder().clock(clock)
        .stream("b", 1).stream("a", 1).stream("c", 2).build();

    ListStreamsResponse all = kinesis.listStreams().join();
    ListStreamsResponse firstTwo = kinesis.listStreams(b -> b.limit(2)).join();
    ListStreamsResponse rest = kinesis.listStreams(b -> b.nextToken(firstTwo.nextToken())).join();
    kinesis.deleteStream(b -> b.streamName("b")).join();

    assertThat(all.streamNames()).containsExactly("a", "b", "c");
    assertThat(all.streamSummaries()).extracting(s -> s.streamStatus()).containsOnly(StreamStatus.ACTIVE);
    assertThat(all.hasMoreStreams()).isFalse();
    assertThat(firstTwo.streamNames()).containsExactly("a", "b");
    assertThat(firstTwo.hasMoreStreams()).isTrue();
    assertThat(rest.streamNames()).containsExactly("c");
    assertThat(kinesis.listStreams().join().streamNames()).containsExactly("a", "c");
    assertThat(serviceFailure(kinesis.deleteStream(b -> b.streamName("b")))).isInstanceOf(ResourceNotFoundException.class);
    assertThatThrownBy(() -> kinesis.storedRecords("b")).isInstanceOf(IllegalArgumentException.class);
  }

  // ------------------------------------------------------------------ exceptions helper

  @Test
  void serviceException_knownCodes_returnModeledSubclassesWithDetails() {
    assertThat(FakeKinesisAsyncClient.serviceException("ProvisionedThroughputExceededException", 400, "m"))
        .isInstanceOf(ProvisionedThroughputExceededException.class);
    assertThat(FakeKinesisAsyncClient.serviceException("LimitExceededException", 400, "m"))
        .isInstanceOf(LimitExceededException.class);
    assertThat(FakeKinesisAsyncClient.serviceException("KMSThrottlingException", 400, "m"))
        .isInstanceOf(KmsThrottlingException.class);
    assertThat(FakeKinesisAsyncClient.serviceException("KMSDisabledException", 400, "m"))
        .isInstanceOf(KmsDisabledException.class);
    assertThat(FakeKinesisAsyncClient.serviceException("AccessDeniedException", 400, "m"))
        .isInstanceOf(AccessDeniedException.class);
    assertThat(FakeKinesisAsyncClient.serviceException("ResourceNotFoundException", 400, "m"))
        .isInstanceOf(ResourceNotFoundException.class);
    assertThat(FakeKinesisAsyncClient.serviceException("InvalidArgumentException", 400, "m"))
        .isInstanceOf(InvalidArgumentException.class);

    KinesisException e = FakeKinesisAsyncClient.serviceException("KMSThrottlingException", 400, "slow down");
    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("KMSThrottlingException");
    assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("slow down");
    assertThat(e.awsErrorDetails().serviceName()).isEqualTo("Kinesis");
    assertThat(e.awsErrorDetails().sdkHttpResponse().statusCode()).isEqualTo(400);
    assertThat(e.statusCode()).isEqualTo(400);
    assertThat(e.getMessage()).contains("slow down");
  }

  @Test
  void serviceException_unknownCode_returnsPlainKinesisExceptionWithDefaultStatus() {
    KinesisException internal = FakeKinesisAsyncClient.serviceException("InternalFailure", "oops");
    KinesisException unavailable = FakeKinesisAsyncClient.serviceException("ServiceUnavailable", "later");

    assertThat(internal.getClass()).isEqualTo(KinesisException.class);
    assertThat(internal.statusCode()).isEqualTo(500);
    assertThat(internal.awsErrorDetails().errorCode()).isEqualTo("InternalFailure");
    assertThat(unavailable.statusCode()).isEqualTo(503);
    assertThat(FakeKinesisAsyncClient.serviceException("ProvisionedThroughputExceededException", "x").isThrottlingException())
        .isTrue();
  }

  // ------------------------------------------------------------------ recording, lifecycle, builder

  @Test
  void putRecordsRequests_recordsEveryCallInOrderAsImmutableCopy() {
    FakeKinesisAsyncClient kinesis = client(1);
    PutRecordsRequest r1 = PutRecordsRequest.builder().streamName(STREAM).records(entry("a", "1")).build();
    PutRecordsRequest r2 = PutRecordsRequest.builder().streamName("missing").records(entry("b", "2")).build();

    kinesis.putRecords(r1).join();
    kinesis.putRecords(r2);
    List<PutRecordsRequest> recorded = kinesis.putRecordsRequests();

    assertThat(recorded).containsExactly(r1, r2);
    assertThatThrownBy(() -> recorded.add(r1)).isInstanceOf(UnsupportedOperationException.class);
    assertThat(kinesis.callCount("PutRecords")).isEqualTo(2);
    assertThat(kinesis.callCount("GetRecords")).isZero();
  }

  @Test
  void close_thenCall_throwsIllegalState() {
    FakeKinesisAsyncClient kinesis = client(1);

    kinesis.close();
    kinesis.close();

    assertThat(kinesis.serviceName()).isEqualTo("kinesis");
    assertThatThrownBy(() -> kinesis.putRecords(b -> b.streamName(STREAM).records(entry("a", "1"))))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> kinesis.listShards(b -> b.streamName(STREAM))).isInstanceOf(IllegalStateException.class);
    assertThat(kinesis.putRecordsRequests()).isEmpty();
  }

  @Test
  void unsupportedOperation_keepsInterfaceDefault() {
    FakeKinesisAsyncClient kinesis = client(1);

    assertThatThrownBy(() -> kinesis.describeLimits()).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void builder_optionSetTwiceOrOutOfRange_throws() {
    assertThatThrownBy(() -> FakeKinesisAsyncClient.builder().clock(clock).clock(clock))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> FakeKinesisAsyncClient.builder().stream("a", 1).stream("a", 2))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> FakeKinesisAsyncClient.builder().perShardBytesPerSecond(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> FakeKinesisAsyncClient.builder().perShardRecordsPerSecond(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> FakeKinesisAsyncClient.builder().accountId("12"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> FakeKinesisAsyncClient.builder().stream("bad name", 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(FakeKinesisAsyncClient.builder().toString()).contains("perShardBytesPerSecond=1048576");
  }

  @Test
  void putRecords_concurrentCallers_everyRecordStoredOnceWithUniqueSequence() throws InterruptedException {
    FakeKinesisAsyncClient kinesis = FakeKinesisAsyncClient.builder()
        .clock(clock).enforceShardLimits(false).stream(STREAM, 4).build();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      int thread = t;
      Thread th = new Thread(() -> {
        for (int i = 0; i < 50; i++) {
          List<PutRecordsRequestEntry> batch = new ArrayList<>();
          for (int j = 0; j < 10; j++) {
            batch.add(entry("t" + thread + "-" + i + "-" + j, "x"));
          }
          put(kinesis, batch);
        }
      });
      threads.add(th);
      th.start();
    }
    for (Thread th : threads) {
      th.join();
    }

    List<StoredRecord> stored = kinesis.storedRecords(STREAM);
    assertThat(stored).hasSize(8 * 50 * 10);
    assertThat(stored).extracting(StoredRecord::sequenceNumber).doesNotHaveDuplicates();
    assertThat(kinesis.callCount("PutRecords")).isEqualTo(400);
  }

  /** Issue 14: routing by binary search over the open shards stores each record where a scan would. */
  @Test
  void putRecords_thousandShards_andAfterResharding_eachRecordInTheShardWhoseRangeHoldsItsKey() throws Exception {
    FakeKinesisAsyncClient k = FakeKinesisAsyncClient.builder().enforceShardLimits(false).stream("big", 1000).build();
    java.util.SplittableRandom random = new java.util.SplittableRandom(14);
    for (int round = 0; round < 2; round++) {
      List<PutRecordsRequestEntry> entries = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        PutRecordsRequestEntry.Builder e = PutRecordsRequestEntry.builder().partitionKey("key-" + random.nextInt())
            .data(SdkBytes.fromUtf8String("x"));
        if (i % 50 == 0) {
          e.explicitHashKey(i == 0 ? "0" : i == 50 ? BatchLimits.MAX_HASH_KEY.toString()
              : new BigInteger(128, new java.util.Random(random.nextLong())).toString());
        }
        entries.add(e.build());
      }
      k.putRecords(PutRecordsRequest.builder().streamName("big").records(entries).build()).join();
      if (round == 0) {
        k.updateShardCount(b -> b.streamName("big").targetShardCount(7).scalingType(ScalingType.UNIFORM_SCALING))
            .join();
      }
    }
    List<software.amazon.awssdk.services.kinesis.model.Shard> shards =
        k.listShards(b -> b.streamName("big").maxResults(10_000)).join().shards();
    List<StoredRecord> stored = k.storedRecords("big");
    assertThat(stored).hasSize(1000);
    for (int i = 0; i < stored.size(); i++) {
      StoredRecord r = stored.get(i);
      BigInteger key = r.explicitHashKey() != null ? new BigInteger(r.explicitHashKey()) : md5(r.partitionKey());
      boolean reshardedYet = i >= 500;
      String expected = null;
      for (var s : shards) {
        boolean open = s.sequenceNumberRange().endingSequenceNumber() == null;
        if (open == reshardedYet && new BigInteger(s.hashKeyRange().startingHashKey()).compareTo(key) <= 0
            && key.compareTo(new BigInteger(s.hashKeyRange().endingHashKey())) <= 0) {
          expected = s.shardId();
        }
      }
      assertThat(r.shardId()).as("record %d, key %s", i, key).isEqualTo(expected);
    }
  }
}
