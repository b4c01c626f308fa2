package dev.kinesisresilient.producer.internal;

import static dev.kinesisresilient.producer.internal.Harness.record;
import static dev.kinesisresilient.producer.internal.Harness.shardId;
import static dev.kinesisresilient.producer.internal.Harness.toShard;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kinesisresilient.core.FailureReason;
import dev.kinesisresilient.core.KinesisRecord;
import dev.kinesisresilient.core.RecordResult;
import dev.kinesisresilient.core.testing.FakeKinesisAsyncClient;
import dev.kinesisresilient.producer.ProducerClosedException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;

/** The sender loop, one {@code runOnce} at a time, on a manual clock and a synchronous fake. */
final class SenderTest {

  @Test
  void runOnce_firstPass_discoversShardsAndRoutesByHashKey() {
    Harness h = Harness.create(4);
    h.step();
    assertThat(h.sender.routing()).isEqualTo(ShardRouter.Routing.SHARDS);
    assertThat(h.sender.lanes()).extracting(l -> l.id)
        .containsExactly(shardId(0), shardId(1), shardId(2), shardId(3));
    assertThat(h.fake.callCount("DescribeStreamSummary")).isEqualTo(1);
    assertThat(h.fake.callCount("ListShards")).isEqualTo(1);
  }

  @Test
  void runOnce_beforeLingerPassed_sendsNothingAndWakesAtLingerExpiry() {
    Harness h = Harness.create(2, b -> b.lingerTime(Duration.ofMillis(50)));
    Instant t0 = h.clock.instant();
    CompletableFuture<RecordResult> f = h.send(record("a"));
    Instant next = h.step();
    assertThat(h.fake.putRecordsRequests()).isEmpty();
    assertThat(next).isEqualTo(t0.plusMillis(50));
    h.clock.set(next);
    h.step();
    assertThat(h.fake.putRecordsRequests()).hasSize(1);
    assertThat(f).isCompleted();
    RecordResult r = f.join();
    assertThat(r).isInstanceOf(RecordResult.Acknowledged.class);
    assertThat(((RecordResult.Acknowledged) r).attempts()).isEqualTo(1);
    h.assertReconciles();
  }

  @Test
  void runOnce_idle_sleepsUntilWoken() {
    Harness h = Harness.create(2);
    assertThat(h.step()).isEqualTo(Instant.MAX);
  }

  @Test
  void runOnce_fullRequest_sendsWithoutWaitingForLinger() {
    Harness h = Harness.create(1, b -> b.lingerTime(Duration.ofSeconds(10)));
    h.step();
    for (int i = 0; i < 500; i++) {
      h.send(record("k" + i));
    }
    h.step();
    assertThat(h.fake.putRecordsRequests()).hasSize(1);
    assertThat(h.fake.putRecordsRequests().get(0).records()).hasSize(500);
  }

  @Test
  void runOnce_requestsRespectRecordAndByteLimits() {
    dev.kinesisresilient.core.testing.ManualClock clock = dev.kinesisresilient.core.testing.ManualClock.create();
    FakeKinesisAsyncClient unlimited = FakeKinesisAsyncClient.builder().clock(clock).enforceShardLimits(false)
        .stream(Harness.STREAM, 1).build();
    Harness h = Harness.on(clock, unlimited, unlimited, b -> b.shardLimits(1_000_000, 1024 * 1024 * 1024L));
    h.step();
    for (int i = 0; i < 1200; i++) {
      h.send(KinesisRecord.of("k" + i, new byte[10_000]));
    }
    h.producer.flush();
    h.step();
    for (PutRecordsRequest r : h.fake.putRecordsRequests()) {
      long bytes = r.records().stream().mapToLong(e -> e.data().asByteArrayUnsafe().length + e.partitionKey().length()).sum();
      assertThat(r.records()).hasSizeLessThanOrEqualTo(500);
      assertThat(bytes).isLessThanOrEqualTo(5 * 1024 * 1024);
    }
    assertThat(h.producer.stats().acknowledged()).isEqualTo(1200);
  }

  @Test
  void flush_sendsAtOnceAndCompletesWhenEarlierRecordsComplete() {
    Harness h = Harness.create(2, b -> b.lingerTime(Duration.ofSeconds(5)));
    h.step();
    CompletableFuture<RecordResult> f = h.send(record("a"));
    CompletableFuture<Void> flushed = h.producer.flush();
    assertThat(flushed).isNotDone();
    h.step();
    assertThat(f).isCompleted();
    assertThat(flushed).isCompleted();
    assertThat(h.producer.flush()).as("nothing pending").isCompleted();
  }

  @Test
  void shardLimit_neverSendsMoreThanTheShardTakes_andWaitsForTokens() {
    Harness h = Harness.create(2, b -> b.lingerTime(Duration.ZERO));
    h.step();
    List<CompletableFuture<RecordResult>> fs = new ArrayList<>();
    for (int i = 0; i < 2500; i++) {
      fs.add(h.send(toShard(0, 2, "k" + i, 10)));
    }
    Instant next = h.step();
    assertThat(h.producer.stats().acknowledged()).isEqualTo(1000);
    assertThat(h.producer.stats().throttledEntries()).isZero();
    // waits until a chunk of 100 records' tokens is back: 100 ms at 1,000 records/s
    assertThat(Duration.between(h.clock.instant(), next)).isEqualTo(Duration.ofMillis(100));
    for (int i = 0; i < 20 && !next.equals(Instant.MAX); i++) {
      h.clock.set(next);
      next = h.step();
    }
    assertThat(h.producer.stats().acknowledged()).isEqualTo(2500);
    assertThat(h.producer.stats().throttledEntries()).isZero();
    assertThat(h.fake.storedRecords(Harness.STREAM, shardId(0))).hasSize(2500);
  }

  @Test
  void hotShard_throttled_doesNotHoldBackOtherShards() {
    Harness h = Harness.create(2, b -> b.lingerTime(Duration.ZERO).retryPolicy(Harness.noJitter(100)));
    h.step();
    String hot = shardId(0);
    h.fake.failEntriesWhere(e -> e.explicitHashKey() != null && e.explicitHashKey().equals(Harness.hashKeyInShard(0, 2)),
        FakeKinesisAsyncClient.PROVISIONED_THROUGHPUT_EXCEEDED,
        FakeKinesisAsyncClient.rateExceededMessage(hot, Harness.STREAM, FakeKinesisAsyncClient.DEFAULT_ACCOUNT_ID));
    List<CompletableFuture<RecordResult>> hotFs = new ArrayList<>();
    List<CompletableFuture<RecordResult>> coldFs = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      hotFs.add(h.send(toShard(0, 2, "h" + i, 10)));
    }
    h.step();
    for (int i = 0; i < 50; i++) {
      coldFs.add(h.send(toShard(1, 2, "c" + i, 10)));
    }
    for (int i = 0; i < 5; i++) {
      h.advanceAndStep(Duration.ofMillis(100));
    }
    assertThat(coldFs).allMatch(f -> f.isDone() && f.join().isAcknowledged());
    assertThat(hotFs).noneMatch(CompletableFuture::isDone);
    assertThat(h.sender.lane(hot).limiter.factor()).isLessThan(1.0);
    assertThat(h.sender.lane(shardId(1)).limiter.factor()).isEqualTo(1.0);
    assertThat(h.producer.stats().throttledEntries()).isGreaterThanOrEqualTo(50);
    h.fake.clearFaults();
    for (int i = 0; i < 40; i++) {
      h.advanceAndStep(Duration.ofMillis(100));
    }
    assertThat(hotFs).allMatch(f -> f.isDone() && f.join().isAcknowledged());
    h.assertReconciles();
  }

  @Test
  void aimd_throttlingLowersTheShardLimit_successRaisesItBack() {
    Harness h = Harness.create(1, b -> b.lingerTime(Duration.ZERO).retryPolicy(Harness.noJitter(100)));
    h.step();
    h.fake.failNextEntries(1, FakeKinesisAsyncClient.PROVISIONED_THROUGHPUT_EXCEEDED,
        FakeKinesisAsyncClient.rateExceededMessage(shardId(0), Harness.STREAM, FakeKinesisAsyncClient.DEFAULT_ACCOUNT_ID));
    h.send(record("a"));
    h.step();
    Lane lane = h.sender.lane(shardId(0));
    assertThat(lane.limiter.factor()).isEqualTo(AdaptiveRateLimiter.DECREASE);
    assertThat(lane.limiter.recordsPerSecond()).isEqualTo(700.0);
    for (int i = 0; i < 10; i++) {
      for (int k = 0; k < 150; k++) {
        h.send(record("k" + i + "-" + k));
      }
      h.advanceAndStep(Duration.ofMillis(500));
    }
    assertThat(lane.limiter.factor()).isEqualTo(1.0);
    assertThat(lane.limiter.recordsPerSecond()).isEqualTo(1000.0);
  }

  @Test
  void partialFailure_retriesOnlyFailedEntriesAfterBackoff() {
    Harness h = Harness.create(1, b -> b.lingerTime(Duration.ZERO).retryPolicy(Harness.noJitter(5)));
    h.step();
    h.fake.failNextEntries(1, "InternalFailure", "Internal service failure.");
    CompletableFuture<RecordResult> a = h.send(record("a"));
    CompletableFuture<RecordResult> b = h.send(record("b"));
    h.step();
    assertThat(a).isNotDone();
    assertThat(b.join().isAcknowledged()).isTrue();
    assertThat(h.producer.stats().retriedEntries()).isEqualTo(1);
    Instant next = h.step();
    assertThat(next).isEqualTo(h.clock.instant().plusMillis(100));
    h.clock.set(next);
    h.step();
    assertThat(h.fake.putRecordsRequests()).hasSize(2);
    assertThat(h.fake.putRecordsRequests().get(1).records()).hasSize(1);
    assertThat(((RecordResult.Acknowledged) a.join()).attempts()).isEqualTo(2);
  }

  @Test
  void retriesExhausted_failsWithLastError() {
    Harness h = Harness.create(1, b -> b.lingerTime(Duration.ZERO).retryPolicy(Harness.noJitter(2)));
    h.step();
    h.fake.failEntriesWhere(e -> true, "InternalFailure", "Internal service failure.");
    CompletableFuture<RecordResult> f = h.send(record("a"));
    h.step();
    h.advanceAndStep(Duration.ofMillis(100));
    RecordResult.Failed r = (RecordResult.Failed) f.join();
    assertThat(r.reason()).isEqualTo(FailureReason.RETRIES_EXHAUSTED);
    assertThat(r.errorCode()).isEqualTo("InternalFailure");
    assertThat(r.attempts()).isEqualTo(2);
  }

  @Test
  void nonRetriableRequestFailure_failsAtOnce() {
    Harness h = Harness.create(1, b -> b.lingerTime(Duration.ZERO));
    h.step();
    h.fake.throwOnNextCall(FakeKinesisAsyncClient.serviceException("AccessDeniedException", 400, "denied"));
    CompletableFuture<RecordResult> f = h.send(record("a"));
    h.step();
    RecordResult.Failed r = (RecordResult.Failed) f.join();
    assertThat(r.reason()).isEqualTo(FailureReason.NOT_RETRIABLE);
    assertThat(r.errorCode()).isEqualTo("AccessDeniedException");
    assertThat(r.cause()).isNotNull();
  }

  @Test
  void deliveryTimeout_retriedRecord_expiresWithLastError() {
    Harness h = Harness.create(1, b -> b.lingerTime(Duration.ZERO).retryPolicy(Harness.noJitter(100))
        .deliveryTimeout(Duration.ofSeconds(6)).attemptTimeout(Duration.ofSeconds(1)));
    h.step();
    h.fake.failEntriesWhere(e -> true, "InternalFailure", "Internal service failure.");
    List<RecordResult.Failed> handled = new ArrayList<>();
    CompletableFuture<RecordResult> f = h.send(record("a"));
    h.step();
    for (int i = 0; i < 100 && !f.isDone(); i++) {
      h.clock.set(h.step());
    }
    RecordResult.Failed r = (RecordResult.Failed) f.join();
    assertThat(r.reason()).isEqualTo(FailureReason.DEADLINE_EXCEEDED);
    assertThat(r.errorCode()).isEqualTo("InternalFailure");
    assertThat(r.attempts()).isGreaterThan(1);
    assertThat(h.producer.stats().failedByReason()).containsEntry(FailureReason.DEADLINE_EXCEEDED, 1L);
    assertThat(handled).isEmpty();
  }

  @Test
  void deliveryTimeout_neverSentRecord_expiresWithDeliveryTimeoutCode() {
    Harness h = Harness.create(1, b -> b.lingerTime(Duration.ZERO).shardLimits(1, 1024)
        .deliveryTimeout(Duration.ofSeconds(6)).attemptTimeout(Duration.ofSeconds(1)));
    h.step();
    List<CompletableFuture<RecordResult>> fs = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      fs.add(h.send(record("k" + i)));
    }
    Instant start = h.clock.instant();
    for (int i = 0; i < 100; i++) {
      Instant next = h.step();
      if (next.equals(Instant.MAX)) {
        break;
      }
      h.clock.set(next);
    }
    RecordResult.Failed last = (RecordResult.Failed) fs.get(19).join();
    assertThat(last.reason()).isEqualTo(FailureReason.DEADLINE_EXCEEDED);
    assertThat(last.errorCode()).isEqualTo(RecordCompleter.DELIVERY_TIMEOUT_CODE);
    assertThat(last.attempts()).isZero();
    assertThat(h.clock.instant()).isEqualTo(start.plusSeconds(6)).as("expired exactly at the deadline");
    long acked = fs.stream().filter(f -> f.join().isAcknowledged()).count();
    assertThat(acked).isBetween(5L, 7L);
    h.assertReconciles();
  }

  @Test
  void attemptTimeout_lateResponseIgnored_recordCompletesOnce() {
    Harness h = Harness.create(1, b -> b.lingerTime(Duration.ZERO).retryPolicy(Harness.noJitter(100))
        .attemptTimeout(Duration.ofSeconds(1)));
    h.step();
    dev.kinesisresilient.core.testing.ManualScheduler scheduler =
        dev.kinesisresilient.core.testing.ManualScheduler.create(h.clock);
    h.fake.delayResponses(Duration.ofSeconds(3), scheduler);
    List<RecordResult> results = new ArrayList<>();
    CompletableFuture<RecordResult> f = h.send(record("a"));
    f.thenAccept(results::add);
    h.step();
    assertThat(h.producer.stats().inFlightRequests()).isEqualTo(1);
    h.clock.advance(Duration.ofSeconds(1));
    h.fake.clearFaults();
    h.step(); // overdue: its answer is awaited as long again
    for (int i = 0; i < 20 && !f.isDone(); i++) {
      Instant next = h.step(); // given up on after 2 s, retried after its backoff
      if (!next.equals(Instant.MAX)) {
        h.clock.set(next);
      }
    }
    assertThat(f.join().isAcknowledged()).isTrue();
    assertThat(h.fake.putRecordsRequests()).hasSize(2);
    scheduler.advance(Duration.ofSeconds(5)); // the late first response arrives
    h.step();
    assertThat(results).hasSize(1);
    assertThat(h.producer.stats().acknowledged()).isEqualTo(1);
    assertThat(h.producer.stats().inFlightRequests()).isZero();
    h.assertReconciles();
  }

  @Test
  void reshard_mismatchTriggersShardMapRefresh() {
    Harness h = Harness.create(2, b -> b.lingerTime(Duration.ZERO));
    h.step();
    assertThat(h.sender.shardMap().size()).isEqualTo(2);
    h.fake.updateShardCount(r -> r.streamName(Harness.STREAM).targetShardCount(4)
        .scalingType(software.amazon.awssdk.services.kinesis.model.ScalingType.UNIFORM_SCALING)).join();
    List<CompletableFuture<RecordResult>> fs = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      fs.add(h.send(record("k" + i)));
    }
    h.step();
    h.advanceAndStep(Duration.ofSeconds(1));
    assertThat(h.fake.callCount("ListShards")).isEqualTo(2);
    assertThat(h.sender.shardMap().size()).isEqualTo(4);
    assertThat(h.sender.lanes()).extracting(l -> l.id).doesNotContain(shardId(0), shardId(1));
    assertThat(fs).allMatch(f -> f.join().isAcknowledged());
    for (int i = 0; i < 40; i++) {
      h.send(record("k" + i));
    }
    h.step();
    assertThat(h.fake.callCount("ListShards")).as("predictions right again: no further refresh").isEqualTo(2);
  }

  @Test
  void preserveOrder_oneRequestPerShardInFlight_andOneRecordPerKeyPerRequest() {
    Harness h = Harness.create(1, b -> b.lingerTime(Duration.ZERO).preserveOrder(true)
        .retryPolicy(Harness.noJitter(100)));
    h.step();
    dev.kinesisresilient.core.testing.ManualScheduler scheduler =
        dev.kinesisresilient.core.testing.ManualScheduler.create(h.clock);
    h.fake.delayResponses(Duration.ofMillis(10), scheduler);
    h.fake.failNextEntries(1, "InternalFailure", "Internal service failure.");
    List<CompletableFuture<RecordResult>> fs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      fs.add(h.send(record("same")));
    }
    fs.add(h.send(record("other")));
    h.step();
    assertThat(h.fake.putRecordsRequests()).hasSize(1);
    assertThat(h.fake.putRecordsRequests().get(0).records()).extracting(e -> e.partitionKey())
        .containsExactly("same", "other");
    h.step();
    assertThat(h.fake.putRecordsRequests()).as("one in flight per shard").hasSize(1);
    for (int i = 0; i < 50 && !fs.stream().allMatch(CompletableFuture::isDone); i++) {
      scheduler.advance(Duration.ofMillis(10));
      h.clock.set(h.step());
    }
    List<String> stored = h.fake.storedRecords(Harness.STREAM).stream()
        .filter(r -> r.partitionKey().equals("same")).map(r -> r.data().asUtf8String()).toList();
    assertThat(stored).hasSize(3);
    List<String> seqs = fs.subList(0, 3).stream()
        .map(f -> ((RecordResult.Acknowledged) f.join()).sequenceNumber()).toList();
    assertThat(seqs).isSortedAccordingTo((x, y) -> new java.math.BigInteger(x).compareTo(new java.math.BigInteger(y)));
    assertThat(((RecordResult.Acknowledged) fs.get(0).join()).attempts()).isEqualTo(2);
  }

  @Test
  void failureHandler_calledOncePerFailedRecord_throwingChangesNothing() {
    List<RecordResult.Failed> seen = new ArrayList<>();
    Harness h = Harness.create(1, b -> b.lingerTime(Duration.ZERO).failureHandler(f -> {
      seen.add(f);
      throw new IllegalStateException("handler bug");
    }));
    h.step();
    h.fake.throwOnNextCall(FakeKinesisAsyncClient.serviceException("ResourceNotFoundException", 400, "gone"));
    CompletableFuture<RecordResult> a = h.send(record("a"));
    CompletableFuture<RecordResult> b = h.send(record("b"));
    h.step();
    h.step();
    assertThat(seen).hasSize(2);
    assertThat(a.join()).isInstanceOf(RecordResult.Failed.class);
    assertThat(b.join()).isInstanceOf(RecordResult.Failed.class);
    assertThat(h.producer.stats().failed()).isEqualTo(2);
    h.assertReconciles();
  }

  @Test
  void returnedFuture_completedOrCancelledByCaller_changesNothingForTheProducer() {
    Harness h = Harness.create(1, b -> b.lingerTime(Duration.ZERO));
    h.step();
    CompletableFuture<RecordResult> f = h.send(record("a"));
    CompletableFuture<RecordResult> g = h.send(record("b"));
    f.cancel(true);
    g.complete(new RecordResult.Failed(record("b"), FailureReason.NOT_RETRIABLE, "x", "by the caller", 0, null));
    assertThat(h.producer.stats().pending()).isEqualTo(2);
    h.step();
    assertThat(h.producer.stats().acknowledged()).isEqualTo(2);
    assertThat(h.producer.stats().failed()).isZero();
    assertThat(h.producer.stats().bufferedBytes()).isZero();
    assertThat(f).isCancelled();
    h.assertReconciles();
  }

  @Test
  void callbackExecutor_completesFuturesThere() {
    List<Runnable> tasks = new ArrayList<>();
    Harness h = Harness.create(1, b -> b.lingerTime(Duration.ZERO).callbackExecutor(tasks::add));
    h.step();
    CompletableFuture<RecordResult> f = h.send(record("a"));
    h.step();
    assertThat(f).isNotDone();
    assertThat(tasks).hasSize(1);
    tasks.get(0).run();
    assertThat(f.join().isAcknowledged()).isTrue();
  }

  @Test
  void close_drainsThenStops_sendAfterCloseThrows() {
    Harness h = Harness.create(1, b -> b.lingerTime(Duration.ofSeconds(1)));
    h.step();
    CompletableFuture<RecordResult> f = h.send(record("a"));
    h.producer.beginClose(Duration.ofSeconds(5));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> h.send(record("b")))
        .isInstanceOf(IllegalStateException.class);
    h.step();
    assertThat(f.join().isAcknowledged()).isTrue().as("closing makes everything ready: no linger wait");
    assertThat(h.sender.isTerminated()).isTrue();
  }

  @Test
  void close_timeoutPassed_failsWhatIsLeftAsClosed() {
    Harness h = Harness.create(1, b -> b.lingerTime(Duration.ZERO).shardLimits(1, 1024));
    h.step();
    List<CompletableFuture<RecordResult>> fs = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      fs.add(h.send(record("k" + i)));
    }
    h.step();
    h.producer.beginClose(Duration.ofMillis(500));
    Instant next = h.step();
    assertThat(next).isEqualTo(h.clock.instant().plusMillis(500));
    h.clock.set(next);
    h.step();
    assertThat(h.sender.isTerminated()).isTrue();
    assertThat(fs.get(0).join().isAcknowledged()).isTrue();
    RecordResult.Failed r = (RecordResult.Failed) fs.get(4).join();
    assertThat(r.reason()).isEqualTo(FailureReason.CLOSED);
    assertThat(r.errorCode()).isEqualTo(RecordCompleter.CLOSED_CODE);
    assertThat(r.cause()).isInstanceOf(ProducerClosedException.class);
    assertThat(h.producer.stats().failedByReason()).containsEntry(FailureReason.CLOSED, 4L);
    h.assertReconciles();
  }
}
