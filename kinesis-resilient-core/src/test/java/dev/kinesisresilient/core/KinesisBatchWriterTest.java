package dev.kinesisresilient.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kinesisresilient.core.testing.ManualClock;
import dev.kinesisresilient.core.testing.ManualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;

final class KinesisBatchWriterTest {

  private static final String PTE = "ProvisionedThroughputExceededException";

  private final ManualClock clock = ManualClock.create();
  private final ManualScheduler scheduler = ManualScheduler.create(clock);
  private final ScriptedKinesisClient client = new ScriptedKinesisClient();

  private KinesisBatchWriter.Builder writer() {
    SplittableRandom random = new SplittableRandom(1);
    return KinesisBatchWriter.builder(client).streamName("s").clock(clock).scheduler(scheduler).random(() -> random);
  }

  private static List<KinesisRecord> records(int n) {
    List<KinesisRecord> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(KinesisRecord.of("k" + i, ("v" + i).getBytes(UTF_8)));
    }
    return out;
  }

  @Test
  void write_allAccepted_oneRequestAllAcknowledgedOnce() {
    KinesisBatchWriter w = writer().build();
    List<KinesisRecord> in = records(3);
    BatchWriteResult result = w.write(in).join();

    assertThat(client.requests()).hasSize(1);
    assertThat(client.requests().get(0).streamName()).isEqualTo("s");
    assertThat(client.keysOf(0)).containsExactly("k0", "k1", "k2");
    assertThat(result.results()).hasSize(3).allMatch(RecordResult::isAcknowledged);
    assertThat(result.acknowledged()).extracting(RecordResult.Acknowledged::record).containsExactlyElementsOf(in);
    assertThat(result.acknowledged()).extracting(RecordResult.Acknowledged::attempts).containsOnly(1);
    assertThat(result.acknowledged().get(1).shardId()).isEqualTo("shardId-000000000001");
    assertThat(result.acknowledged().get(0).sequenceNumber()).isNotBlank();
  }

  @Test
  void putRecords_partialFailure_retriesOnlyFailedEntries() {
    client.thenFailEntries(Map.of(1, PTE, 3, "InternalFailure"));
    KinesisBatchWriter w = writer().build();
    CompletableFuture<BatchWriteResult> f = w.write(records(5));

    assertThat(client.requests()).hasSize(1);
    assertThat(f).isNotDone();
    assertThat(scheduler.pendingTasks()).isPositive();
    scheduler.advance(RetryPolicy.defaults().baseDelay());

    assertThat(client.requests()).hasSize(2);
    assertThat(client.keysOf(1)).containsExactly("k1", "k3");
    BatchWriteResult r = f.join();
    assertThat(r.allAcknowledged()).isTrue();
    assertThat(r.results()).extracting(RecordResult::attempts).containsExactly(1, 2, 1, 2, 1);
  }

  @Test
  void putRecords_retriedEntriesRePlannedIntoFreshRequestsWithinLimits() {
    // 1,000 records: two requests of 500; in both, the last 300 are throttled. The 600 retried
    // entries are packed into fresh requests of 500 and 100.
    Map<Integer, String> lastThreeHundred = new java.util.HashMap<>();
    for (int j = 200; j < 500; j++) {
      lastThreeHundred.put(j, PTE);
    }
    client.thenFailEntries(lastThreeHundred).thenFailEntries(lastThreeHundred);
    KinesisBatchWriter w = writer().maxConcurrentRequests(1).build();
    CompletableFuture<BatchWriteResult> f = w.write(records(1000));

    scheduler.advance(Duration.ofSeconds(1));
    assertThat(f).isCompleted();
    assertThat(client.requests()).extracting(r -> r.records().size()).containsExactly(500, 500, 300, 300);
    assertThat(client.keysOf(2)).first().isEqualTo("k200");
    assertThat(client.keysOf(3)).first().isEqualTo("k700");
    assertThat(f.join().allAcknowledged()).isTrue();
  }

  @Test
  void putRecords_retriableEntriesFromOneResponse_combinedIntoOneRetryRequest() {
    client.thenFailEntries(Map.of(0, PTE, 2, PTE, 4, PTE));
    KinesisBatchWriter w = writer().build();
    CompletableFuture<BatchWriteResult> f = w.write(records(6));
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(client.requests()).hasSize(2);
    assertThat(client.keysOf(1)).containsExactly("k0", "k2", "k4");
    assertThat(f.join().allAcknowledged()).isTrue();
  }

  @Test
  void putRecords_persistentThrottling_failsRetriesExhaustedAfterMaxAttempts() {
    for (int k = 0; k < 3; k++) {
      client.thenFailEntries(Map.of(0, PTE));
    }
    KinesisBatchWriter w = writer().retryPolicy(RetryPolicy.builder().maxAttempts(3).build()).build();
    CompletableFuture<BatchWriteResult> f = w.write(records(2));
    scheduler.advance(Duration.ofSeconds(10));

    BatchWriteResult r = f.join();
    assertThat(client.requests()).hasSize(3);
    RecordResult.Failed failed = r.failed().get(0);
    assertThat(failed.reason()).isEqualTo(FailureReason.RETRIES_EXHAUSTED);
    assertThat(failed.errorCode()).isEqualTo(PTE);
    assertThat(failed.errorMessage()).contains("Rate exceeded for shard shardId-000000000000");
    assertThat(failed.attempts()).isEqualTo(3);
    assertThat(r.acknowledged()).hasSize(1);
  }

  @Test
  void backoff_delaysCappedAndJittered() {
    // Every call throttles everything; record when each retry is sent.
    RetryPolicy policy = RetryPolicy.builder().maxAttempts(12).baseDelay(Duration.ofMillis(100))
        .maxDelay(Duration.ofMillis(400)).deadline(Duration.ofMinutes(1)).build();
    for (int k = 0; k < 12; k++) {
      client.thenFailAll(PTE);
    }
    KinesisBatchWriter w = writer().retryPolicy(policy).build();
    CompletableFuture<BatchWriteResult> f = w.write(records(1));
    List<Duration> gaps = new ArrayList<>();
    java.time.Instant last = clock.instant();
    int sent = 1;
    while (!f.isDone()) {
      scheduler.advanceToNextTask();
      if (client.requests().size() > sent) {
        sent = client.requests().size();
        gaps.add(Duration.between(last, clock.instant()));
        last = clock.instant();
      }
    }
    assertThat(gaps).hasSize(11);
    for (int k = 0; k < gaps.size(); k++) {
      Duration cap = Duration.ofMillis(Math.min(400, 100L << k));
      assertThat(gaps.get(k)).as("gap %d", k).isBetween(Duration.ZERO, cap);
    }
    assertThat(gaps.stream().distinct().count()).as("jittered, not constant").isGreaterThan(5);
    assertThat(f.join().failed().get(0).reason()).isEqualTo(FailureReason.RETRIES_EXHAUSTED);
  }

  @Test
  void deadline_honoured_noRetryStartsAfterItAndRecordFailsDeadlineExceeded() {
    RetryPolicy policy = RetryPolicy.builder().maxAttempts(100).baseDelay(Duration.ofMillis(100))
        .maxDelay(Duration.ofMillis(100)).jitter(Jitter.NONE).deadline(Duration.ofMillis(550)).build();
    for (int k = 0; k < 100; k++) {
      client.thenFailAll("InternalFailure");
    }
    KinesisBatchWriter w = writer().retryPolicy(policy).build();
    java.time.Instant start = clock.instant();
    CompletableFuture<BatchWriteResult> f = w.write(records(1));
    scheduler.advance(Duration.ofSeconds(5));

    RecordResult.Failed failed = f.join().failed().get(0);
    assertThat(failed.reason()).isEqualTo(FailureReason.DEADLINE_EXCEEDED);
    assertThat(failed.errorCode()).isEqualTo("InternalFailure");
    // sends at 0, 100, 200, 300, 400, 500 ms; a retry at 600 ms would pass the deadline
    assertThat(client.requests()).hasSize(6);
    assertThat(failed.attempts()).isEqualTo(6);
    assertThat(scheduler.pendingTasks()).isZero();
    assertThat(Duration.between(start, clock.instant())).isLessThanOrEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void nonRetriableRequestError_failsAllAtOnceWithoutRetry() {
    client.thenThrow("ResourceNotFoundException", 400);
    KinesisBatchWriter w = writer().build();
    CompletableFuture<BatchWriteResult> f = w.write(records(3));

    assertThat(f).isCompleted();
    assertThat(client.requests()).hasSize(1);
    assertThat(scheduler.pendingTasks()).isZero();
    BatchWriteResult r = f.join();
    assertThat(r.failed()).hasSize(3).allSatisfy(x -> {
      assertThat(x.reason()).isEqualTo(FailureReason.NOT_RETRIABLE);
      assertThat(x.errorCode()).isEqualTo("ResourceNotFoundException");
      assertThat(x.attempts()).isEqualTo(1);
      assertThat(x.cause()).isNotNull();
    });
  }

  @Test
  void retriableRequestError_retriesTheWholeRequest() {
    client.thenThrow("ServiceUnavailable", 503).thenThrow(new CompletionException(
        SdkClientException.create("reset", new java.io.IOException("Connection reset"))));
    KinesisBatchWriter w = writer().build();
    CompletableFuture<BatchWriteResult> f = w.write(records(4));
    scheduler.advance(Duration.ofSeconds(2));
    assertThat(client.requests()).hasSize(3);
    assertThat(client.keysOf(2)).containsExactly("k0", "k1", "k2", "k3");
    assertThat(f.join().allAcknowledged()).isTrue();
    assertThat(f.join().results()).extracting(RecordResult::attempts).containsOnly(3);
  }

  @Test
  void oversizeRecord_failsInvalidWithoutSendingAndOthersGoThrough() {
    KinesisRecord big = KinesisRecord.of("big", new byte[(int) BatchLimits.MIB]);
    List<KinesisRecord> in = List.of(KinesisRecord.of("a", new byte[1]), big, KinesisRecord.of("c", new byte[1]));
    BatchWriteResult r = writer().build().write(in).join();

    assertThat(client.requests()).hasSize(1);
    assertThat(client.keysOf(0)).containsExactly("a", "c");
    RecordResult.Failed f = (RecordResult.Failed) r.results().get(1);
    assertThat(f.reason()).isEqualTo(FailureReason.INVALID);
    assertThat(f.attempts()).isZero();
    assertThat(f.errorMessage()).contains("1048579 bytes").contains("maxRecordBytes 1048576");
    assertThat(r.results().get(0).isAcknowledged()).isTrue();
    assertThat(r.results().get(2).isAcknowledged()).isTrue();
  }

  @Test
  void hungRequest_attemptTimeoutTripsAndRetries_lateResponseIgnored() {
    client.thenHang();
    KinesisBatchWriter w = writer().attemptTimeout(Duration.ofSeconds(2)).build();
    CompletableFuture<BatchWriteResult> f = w.write(records(2));
    // Overdue after 2 s; its answer is awaited as long again before it is given up and retried.
    scheduler.advance(Duration.ofMillis(3999));
    assertThat(client.requests()).hasSize(1);
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(client.requests()).hasSize(2);
    BatchWriteResult r = f.join();
    assertThat(r.allAcknowledged()).isTrue();
    assertThat(r.results()).extracting(RecordResult::attempts).containsOnly(2);
    assertThat(client.pending().get(0)).isCancelled();
  }

  @Test
  void concurrency_boundedByMaxConcurrentRequests() {
    for (int k = 0; k < 5; k++) {
      client.thenHang();
    }
    KinesisBatchWriter w = writer().maxConcurrentRequests(2).build();
    CompletableFuture<BatchWriteResult> f = w.write(records(2500));
    assertThat(client.requests()).hasSize(2);
    client.pending().get(0).complete(client.allOk(client.requests().get(0)).join());
    assertThat(client.requests()).hasSize(3);
    client.pending().get(1).complete(client.allOk(client.requests().get(1)).join());
    client.pending().get(2).complete(client.allOk(client.requests().get(2)).join());
    assertThat(client.requests()).hasSize(5);
    client.pending().get(3).complete(client.allOk(client.requests().get(3)).join());
    client.pending().get(4).complete(client.allOk(client.requests().get(4)).join());
    assertThat(f.join().acknowledged()).hasSize(2500);
  }

  @Test
  void write_misuse_throwsAtCall() {
    KinesisBatchWriter w = writer().build();
    assertThatThrownBy(() -> w.write(null)).isInstanceOf(NullPointerException.class);
    List<KinesisRecord> withNull = new ArrayList<>(records(2));
    withNull.add(null);
    assertThatThrownBy(() -> w.write(withNull)).isInstanceOf(NullPointerException.class)
        .hasMessage("records[2] is null");
    w.close();
    assertThatThrownBy(() -> w.write(records(1))).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThat(client.requests()).isEmpty();
  }

  @Test
  void close_letsAcceptedWritesFinish() {
    client.thenFailAll(PTE);
    KinesisBatchWriter w = writer().build();
    CompletableFuture<BatchWriteResult> f = w.write(records(2));
    w.close();
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(f.join().allAcknowledged()).isTrue();
  }

  @Test
  void returnedFuture_cannotBeCompletedByCallerToAffectWriter() {
    client.thenHang();
    KinesisBatchWriter w = writer().build();
    CompletableFuture<BatchWriteResult> f = w.write(records(1));
    f.complete(new BatchWriteResult(List.of()));
    CompletableFuture<BatchWriteResult> g = w.write(records(1));
    assertThat(g.join().allAcknowledged()).isTrue();
  }

  @Test
  void write_empty_completesAtOnce() {
    assertThat(writer().build().write(List.of()).join().results()).isEmpty();
    assertThat(client.requests()).isEmpty();
  }

  @Test
  void streamArn_usedInRequests() {
    String arn = "arn:aws:kinesis:us-east-1:123456789012:stream/orders";
    SplittableRandom random = new SplittableRandom(1);
    KinesisBatchWriter w = KinesisBatchWriter.builder(client).streamArn(arn).clock(clock).scheduler(scheduler)
        .random(() -> random).build();
    w.write(records(1)).join();
    assertThat(client.requests().get(0).streamARN()).isEqualTo(arn);
    assertThat(client.requests().get(0).streamName()).isNull();
    assertThat(w.toString()).contains(arn);
  }

  @Test
  void builder_misconfiguration_namesOptions() {
    assertThatThrownBy(() -> KinesisBatchWriter.builder(client).build())
        .isInstanceOf(IllegalStateException.class).hasMessage("streamName or streamArn is required");
    assertThatThrownBy(() -> KinesisBatchWriter.builder(client).streamName("a").streamName("b"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("already set");
    assertThatThrownBy(() -> KinesisBatchWriter.builder(client).maxConcurrentRequests(0))
        .hasMessage("maxConcurrentRequests must be in 1..1000, was 0");
    assertThatThrownBy(() -> KinesisBatchWriter.builder(client).streamName("s")
        .retryPolicy(RetryPolicy.builder().deadline(Duration.ofSeconds(1)).build())
        .attemptTimeout(Duration.ofSeconds(2)).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("attemptTimeout (PT2S) must not exceed retryPolicy.deadline (PT1S)");
    assertThatThrownBy(() -> KinesisBatchWriter.builder(client).streamArn("orders"))
        .hasMessageContaining("streamArn must be a Kinesis stream ARN");
  }

  @Test
  void toString_listsEverySetting() {
    String s = writer().build().toString();
    assertThat(s).contains("stream=s", "limits=BatchLimits[maxRecordsPerRequest=500", "retryPolicy=RetryPolicy[",
        "errorClassifier=", "maxConcurrentRequests=8", "adaptiveConcurrency=true", "retryBudget=RetryBudget[maxRecords=5000, refillPerAcknowledged=0.1]", "attemptTimeout=PT5S", "scheduler=", "clock=", "metrics=off");
  }
}
