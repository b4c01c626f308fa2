package dev.kinesisresilient.core.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kinesisresilient.core.BatchLimits;
import dev.kinesisresilient.core.BatchPlanner;
import dev.kinesisresilient.core.BatchWriteResult;
import dev.kinesisresilient.core.FailureReason;
import dev.kinesisresilient.core.KinesisBatchWriter;
import dev.kinesisresilient.core.KinesisRecord;
import dev.kinesisresilient.core.RecordResult;
import dev.kinesisresilient.core.RetryPolicy;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;

/**
 * The core writer against a real Kinesis API (kinesis-mock): 10,000 records of mixed sizes on
 * streams of 1 and 4 shards, every acknowledged record read back with GetRecords over all shards.
 *
 * <p>kinesis-mock accepts requests the service would reject (501 entries, over 5 MiB), so the
 * limits are checked on the requests the writer built ({@link PutRecordsCapture}), and the boundary
 * cases are chosen so that the limits are reached exactly: requests of exactly 500 records and of
 * exactly 5 MiB, records of exactly 1 MiB counting their partition key (ASCII and multi-byte), and
 * records one byte over (never sent).
 */
final class KinesisBatchWriterIT {

  /** A server of its own: kinesis-mock slows down as it fills. */
  @RegisterExtension static final KinesisMockExtension KINESIS = KinesisMockExtension.perClass();

  private static final int RECORDS = 10_000;
  private static final long MIB = BatchLimits.MIB;

  @ParameterizedTest(name = "{0} shard(s)")
  @ValueSource(ints = {1, 4})
  void write_tenThousandMixedSizes_eachAcknowledgedRecordStoredOnceWhereReported(
      int shards, LocalKinesis kinesis) {
    String stream = kinesis.createStream(kinesis.uniqueStreamName("writer-" + shards), shards);
    Corpus corpus = Corpus.create(shards, new Random(1_000 + shards));
    PutRecordsCapture capture = new PutRecordsCapture();
    long start = System.nanoTime();

    BatchWriteResult result;
    // No faults: generous timeouts, so that a slow 5 MiB request is never retried. Two requests in
    // flight keep kinesis-mock (one Node thread) busy; more would only add latency.
    try (KinesisAsyncClient client =
            kinesis
                .clientBuilder(
                    kinesis.endpoint(),
                    http -> http.readTimeout(Duration.ofSeconds(90)),
                    o -> o.addExecutionInterceptor(capture).apiCallTimeout(Duration.ofSeconds(90)))
                .build();
        KinesisBatchWriter writer =
            KinesisBatchWriter.builder(client)
                .streamName(stream)
                .maxConcurrentRequests(2)
                .attemptTimeout(Duration.ofSeconds(90))
                // A hang guard: 10,000 records (14 MB) into one kinesis-mock shard take 77 s on an idle
                // 2-core machine and more than 5 min on a loaded one (the shard slows as it fills).
                .retryPolicy(RetryPolicy.builder().deadline(Duration.ofMinutes(15)).build())
                .build()) {
      result = writer.write(corpus.records).join();
    }
    Duration writeTime = Duration.ofNanos(System.nanoTime() - start);

    // Every record has one result; only the records over the limit failed, unsent.
    assertThat(result.results()).hasSize(RECORDS);
    assertThat(result.failed())
        .extracting(f -> f.record().partitionKey())
        .containsExactlyInAnyOrderElementsOf(corpus.oversizeKeys);
    assertThat(result.failed())
        .allSatisfy(
            f -> {
              assertThat(f.reason()).isEqualTo(FailureReason.INVALID);
              assertThat(f.attempts()).isZero();
              assertThat(capture.sends(f.record().partitionKey())).isZero();
            });
    List<RecordResult.Acknowledged> acknowledged = result.acknowledged();
    assertThat(acknowledged).hasSize(RECORDS - corpus.oversizeKeys.size());
    assertThat(acknowledged).allSatisfy(a -> assertThat(a.attempts()).isEqualTo(1));

    // The requests the writer built stayed within the limits, and reached them.
    List<KinesisRecord> valid =
        corpus.records.stream().filter(r -> !corpus.oversizeKeys.contains(r.partitionKey())).toList();
    List<PutRecordsCapture.Built> built = capture.built();
    assertThat(capture.maxEntries()).isEqualTo(BatchLimits.MAX_RECORDS_PER_REQUEST);
    assertThat(capture.maxBytes()).isEqualTo(BatchLimits.CLASSIC_MAX_REQUEST_BYTES);
    assertThat(built)
        .allSatisfy(
            b -> {
              assertThat(b.entries()).isBetween(1, BatchLimits.MAX_RECORDS_PER_REQUEST);
              assertThat(b.bytes()).isBetween(1L, BatchLimits.CLASSIC_MAX_REQUEST_BYTES);
            });
    assertThat(built)
        .filteredOn(b -> b.entries() < BatchLimits.MAX_RECORDS_PER_REQUEST)
        .filteredOn(b -> b.bytes() > 4 * MIB)
        .as("requests closed by the 5 MiB limit before 500 records")
        .hasSizeGreaterThanOrEqualTo(2);
    assertThat(built.size())
        .as("one request per planned batch, none sent twice")
        .isEqualTo(BatchPlanner.plan(valid, Function.identity(), BatchLimits.defaults()).requests().size());
    assertThat(capture.entriesSent()).isEqualTo(valid.size());

    // Read back over all shards: each acknowledged record once, where and as reported.
    ReadBack stored = ReadBack.of(kinesis, stream);
    assertThat(stored.byShard()).hasSize(shards);
    assertThat(stored.total()).isEqualTo(acknowledged.size());
    for (RecordResult.Acknowledged a : acknowledged) {
      KinesisRecord sent = a.record();
      assertThat(stored.copies(sent.partitionKey()))
          .as("copies of %s", sent)
          .singleElement()
          .satisfies(
              copy -> {
                assertThat(copy.shardId()).isEqualTo(a.shardId());
                assertThat(copy.record().sequenceNumber()).isEqualTo(a.sequenceNumber());
                assertThat(copy.record().data().asByteArrayUnsafe())
                    .isEqualTo(sent.data().asByteArrayUnsafe());
              });
      assertThat(a.shardId())
          .as("shard of %s by its hash key", sent)
          .isEqualTo(kinesis.shardIdFor(stream, entry(sent)));
    }
    if (shards > 1) {
      assertThat(stored.byShard().values()).allSatisfy(records -> assertThat(records).isNotEmpty());
    }
    System.out.printf(
        "[KinesisBatchWriterIT] %d shard(s): %,d records (%,d bytes) in %,d requests, "
            + "%,d acknowledged, %d invalid, written in %.1f s%n",
        shards,
        RECORDS,
        valid.stream().mapToLong(KinesisRecord::sizeBytes).sum(),
        built.size(),
        acknowledged.size(),
        corpus.oversizeKeys.size(),
        writeTime.toMillis() / 1000.0);
  }

  private static PutRecordsRequestEntry entry(KinesisRecord r) {
    return PutRecordsRequestEntry.builder()
        .partitionKey(r.partitionKey())
        .data(r.data())
        .explicitHashKey(r.explicitHashKey())
        .build();
  }

  /**
   * 10,000 records in an order that makes the planner hit every limit: 1,000 small records (two
   * requests of exactly 500), five records of exactly 1 MiB counting their key (one request of
   * exactly 5 MiB), a record of exactly 1 MiB with a multi-byte key followed by 900 KiB records (a
   * request closed by the 5 MiB limit at 4.5 MiB), two records one byte over 1 MiB (never sent; one
   * over only by its key's UTF-8 bytes), then small and medium records. Unique partition keys
   * identify records on read-back; some records carry an explicit hash key. About 13 MiB in all:
   * kinesis-mock stores about 1 MB/s.
   */
  private static final class Corpus {
    final List<KinesisRecord> records = new ArrayList<>(RECORDS);
    final Set<String> oversizeKeys = new HashSet<>();

    static Corpus create(int shards, Random random) {
      String prefix = "w" + shards + "-";
      Corpus corpus = new Corpus();
      List<KinesisRecord> r = corpus.records;
      // 1. 1,000 small records: two requests closed by the 500-record limit.
      addSmall(r, prefix, 1_000, random);
      // 2. Five records of exactly 1 MiB with their key: one request of exactly 5 MiB.
      for (int i = 0; i < 5; i++) {
        r.add(sized(key(prefix, r.size(), random), MIB, random));
      }
      // 3. Exactly 1 MiB with a multi-byte key (2- and 4-byte UTF-8 characters), then 900 KiB
      //    records: the fifth of them no longer fits in 5 MiB.
      r.add(sized(prefix + r.size() + "-ключ-\uD83D\uDD11-" + random.nextInt(1000), MIB, random));
      for (int i = 0; i < 5; i++) {
        r.add(sized(key(prefix, r.size(), random), 900 * 1024, random));
      }
      // 4. One byte over: an ASCII key, and a key over only by its UTF-8 bytes (not its chars).
      KinesisRecord over = sized(key(prefix, r.size(), random), MIB + 1, random);
      r.add(over);
      corpus.oversizeKeys.add(over.partitionKey());
      String multiByteKey = prefix + r.size() + "-ä-" + random.nextInt(1000);
      r.add(KinesisRecord.of(multiByteKey, bytes(MIB - multiByteKey.length(), random)));
      corpus.oversizeKeys.add(multiByteKey);
      // 5. 300 records, every fifth of 1-32 KiB.
      for (int i = 0; i < 300; i++) {
        int size = i % 5 == 0 ? 1024 + random.nextInt(31 * 1024) : 1 + random.nextInt(512);
        r.add(KinesisRecord.of(key(prefix, r.size(), random), bytes(size, random)));
      }
      // 6. The rest: small records, every 100th of 1-8 KiB, every 97th with an explicit hash key.
      while (r.size() < RECORDS) {
        int i = r.size();
        int size = i % 100 == 0 ? 1024 + random.nextInt(7 * 1024) : 1 + random.nextInt(300);
        String key = key(prefix, i, random);
        String hashKey = i % 97 == 0 ? new BigInteger(128, random).toString() : null;
        r.add(KinesisRecord.of(key, bytes(size, random), hashKey));
      }
      return corpus;
    }

    private static void addSmall(List<KinesisRecord> r, String prefix, int count, Random random) {
      for (int i = 0; i < count; i++) {
        r.add(KinesisRecord.of(key(prefix, r.size(), random), bytes(1 + random.nextInt(300), random)));
      }
    }

    /** A key unique in the run; some are long (up to 256 characters). */
    private static String key(String prefix, int index, Random random) {
      String key = prefix + index + "-" + Long.toHexString(random.nextLong());
      if (index % 211 == 0) {
        key = (key + "-" + "k".repeat(256)).substring(0, 256);
      }
      return key;
    }

    /** A record whose data plus UTF-8 key bytes are exactly {@code totalBytes}. */
    private static KinesisRecord sized(String key, long totalBytes, Random random) {
      int keyBytes = key.getBytes(StandardCharsets.UTF_8).length;
      return KinesisRecord.of(key, bytes(totalBytes - keyBytes, random));
    }

    private static byte[] bytes(long size, Random random) {
      byte[] data = new byte[Math.toIntExact(size)];
      random.nextBytes(data);
      return data;
    }
  }
}
