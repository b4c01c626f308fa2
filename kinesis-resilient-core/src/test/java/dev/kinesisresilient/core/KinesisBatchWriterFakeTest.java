package dev.kinesisresilient.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kinesisresilient.core.testing.FakeKinesisAsyncClient;
import dev.kinesisresilient.core.testing.ManualClock;
import dev.kinesisresilient.core.testing.ManualScheduler;
import dev.kinesisresilient.core.testing.StoredRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;

/** The writer against the in-memory Kinesis with real per-shard limits, driven by a manual clock. */
final class KinesisBatchWriterFakeTest {

  private final ManualClock clock = ManualClock.create();
  private final ManualScheduler scheduler = ManualScheduler.create(clock);

  @Test
  void overload_throttledEntriesRetriedUntilStored_everyAcknowledgedRecordStoredOnceWhereReported() {
    FakeKinesisAsyncClient kinesis = FakeKinesisAsyncClient.builder().clock(clock).stream("s", 4).build();
    SplittableRandom random = new SplittableRandom(5);
    KinesisBatchWriter writer = KinesisBatchWriter.builder(kinesis).streamName("s").clock(clock)
        .scheduler(scheduler).random(() -> random).maxConcurrentRequests(4)
        .retryPolicy(RetryPolicy.builder().maxAttempts(30).deadline(Duration.ofMinutes(1)).build())
        .build();
    // 10,000 records of mixed sizes at once: 2.5 s of the 4 shards' capacity, so most are throttled
    // at first and must be retried.
    List<KinesisRecord> in = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      byte[] data = new byte[i % 10 == 0 ? 700 : 20];
      data[0] = (byte) i;
      in.add(KinesisRecord.of("key-" + i, data));
    }
    CompletableFuture<BatchWriteResult> f = writer.write(in);
    while (!f.isDone()) {
      assertThat(scheduler.advanceToNextTask()).as("progress").isPositive();
    }

    BatchWriteResult result = f.join();
    assertThat(result.allAcknowledged()).as(result.toString()).isTrue();
    assertThat(result.acknowledged().stream().mapToInt(RecordResult::attempts).max().getAsInt()).isGreaterThan(1);
    List<StoredRecord> stored = kinesis.storedRecords("s");
    assertThat(stored).hasSize(10_000);
    Map<String, StoredRecord> bySequence = new HashMap<>();
    stored.forEach(s -> bySequence.put(s.sequenceNumber(), s));
    for (RecordResult.Acknowledged a : result.acknowledged()) {
      StoredRecord s = bySequence.get(a.sequenceNumber());
      assertThat(s).isNotNull();
      assertThat(s.shardId()).isEqualTo(a.shardId());
      assertThat(s.partitionKey()).isEqualTo(a.record().partitionKey());
      assertThat(s.data()).isEqualTo(a.record().data());
    }
    // retried requests held only throttled entries: total entries sent = records + retries
    int entriesSent = kinesis.putRecordsRequests().stream().mapToInt(r -> r.records().size()).sum();
    int retries = result.acknowledged().stream().mapToInt(a -> a.attempts() - 1).sum();
    assertThat(entriesSent).isEqualTo(10_000 + retries);
  }

  @Test
  void scriptedInternalFailures_onlyThoseEntriesResent() {
    FakeKinesisAsyncClient kinesis = FakeKinesisAsyncClient.builder().clock(clock).stream("s", 2).build();
    kinesis.failNextEntries(3, "InternalFailure", "Internal service failure.");
    SplittableRandom random = new SplittableRandom(5);
    KinesisBatchWriter writer = KinesisBatchWriter.builder(kinesis).streamName("s").clock(clock)
        .scheduler(scheduler).random(() -> random).build();
    List<KinesisRecord> in = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      in.add(KinesisRecord.of("k" + i, SdkBytes.fromUtf8String("v" + i).asByteArray()));
    }
    CompletableFuture<BatchWriteResult> f = writer.write(in);
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(f.join().allAcknowledged()).isTrue();
    assertThat(kinesis.putRecordsRequests()).hasSize(2);
    assertThat(kinesis.putRecordsRequests().get(1).records()).extracting(e -> e.partitionKey())
        .containsExactly("k0", "k1", "k2");
    assertThat(kinesis.storedRecords("s")).hasSize(10);
  }
}
