package dev.kinesisresilient.producer.internal;

import static dev.kinesisresilient.producer.internal.Harness.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kinesisresilient.core.BatchLimits;
import dev.kinesisresilient.core.KinesisRecord;
import dev.kinesisresilient.core.RecordResult;
import dev.kinesisresilient.core.testing.FakeKinesisAsyncClient;
import dev.kinesisresilient.producer.BufferFullException;
import dev.kinesisresilient.producer.ProducerStats;
import dev.kinesisresilient.producer.ResilientProducer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The bounded buffer: trySend, blocking send, FIFO waiting, and a stress test with real threads. */
final class AccumulatorTest {
  private static final int BIG = 200_000;

  private static Harness smallBuffer(Duration maxBlock) {
    return Harness.create(1, b -> b.maxBufferedBytes(BatchLimits.MIB + 128).maxBlockTime(maxBlock)
        .lingerTime(Duration.ZERO).shardLimits(1, 1024 * 1024));
  }

  @Test
  void trySend_bufferFull_returnsEmptyWithoutBlocking() {
    Harness h = smallBuffer(Duration.ofSeconds(10));
    assertThat(h.producer.trySend(KinesisRecord.of("a", new byte[BIG]))).isPresent();
    List<Optional<CompletableFuture<RecordResult>>> more = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      more.add(h.producer.trySend(KinesisRecord.of("b" + i, new byte[BIG])));
    }
    assertThat(more.stream().filter(Optional::isPresent).count()).isEqualTo(4);
    assertThat(h.producer.stats().bufferedBytes()).isLessThanOrEqualTo(BatchLimits.MIB + 128);
    assertThat(h.producer.stats().sent()).isEqualTo(5);
  }

  @Test
  void send_bufferFullAndNoBlockTime_throwsBufferFull() {
    Harness h = smallBuffer(Duration.ZERO);
    for (int i = 0; i < 5; i++) {
      h.send(KinesisRecord.of("a" + i, new byte[BIG]));
    }
    assertThatThrownBy(() -> h.send(KinesisRecord.of("x", new byte[BIG])))
        .isInstanceOf(BufferFullException.class).hasMessageContaining("maxBufferedBytes")
        .satisfies(e -> assertThat(((BufferFullException) e).isRetryable()).isTrue());
  }

  @Test
  void send_blockedOnFullBuffer_proceedsWhenRecordsComplete() throws Exception {
    Harness h = Harness.create(1, b -> b.maxBufferedBytes(BatchLimits.MIB + 128).maxBlockTime(Duration.ofMinutes(1))
        .lingerTime(Duration.ZERO));
    h.step();
    for (int i = 0; i < 5; i++) {
      h.send(KinesisRecord.of("a" + i, new byte[BIG]));
    }
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      CountDownLatch started = new CountDownLatch(1);
      Future<CompletableFuture<RecordResult>> blocked = pool.submit(() -> {
        started.countDown();
        return h.send(KinesisRecord.of("late", new byte[BIG]));
      });
      started.await();
      assertThat(blocked.isDone()).isFalse();
      // the sender frees space: the blocked thread's memory pressure also makes everything ready
      while (!blocked.isDone()) {
        h.step();
        Thread.onSpinWait();
      }
      assertThat(blocked.get(10, TimeUnit.SECONDS)).isNotNull();
      h.producer.flush();
      h.advanceAndStep(Duration.ofSeconds(1)); // the shard's 1 MiB/s budget refills
      assertThat(h.producer.stats().acknowledged()).isEqualTo(6);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void close_wakesBlockedSenders_whichThrowIllegalState() throws Exception {
    Harness h = smallBuffer(Duration.ofMinutes(1));
    for (int i = 0; i < 5; i++) {
      h.send(KinesisRecord.of("a" + i, new byte[BIG]));
    }
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      CountDownLatch started = new CountDownLatch(1);
      Future<?> blocked = pool.submit(() -> {
        started.countDown();
        return h.send(KinesisRecord.of("late", new byte[BIG]));
      });
      started.await();
      while (!h.producer.accumulator().hasWaiters()) {
        Thread.onSpinWait();
      }
      h.producer.beginClose(Duration.ZERO);
      assertThatThrownBy(() -> blocked.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalStateException.class);
    } finally {
      pool.shutdownNow();
    }
  }

  /** Many threads, a small buffer, a real sender thread: every record completes once, counts reconcile. */
  @Test
  void stress_manyThreadsSmallBuffer_everyRecordCompletesExactlyOnce() throws Exception {
    FakeKinesisAsyncClient fake = FakeKinesisAsyncClient.builder().enforceShardLimits(false).stream("s", 4).build();
    ResilientProducer p = ResilientProducer.builder(fake).streamName("s").clientId("stress")
        .maxBufferedBytes(BatchLimits.MIB + 128).lingerTime(Duration.ofMillis(1))
        .shardLimits(1_000_000, 1024 * BatchLimits.MIB).maxBlockTime(Duration.ofMinutes(1)).build();
    int threads = 8;
    int perThread = 5_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<List<CompletableFuture<RecordResult>>>> work = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      work.add(pool.submit(() -> {
        go.await();
        List<CompletableFuture<RecordResult>> fs = new ArrayList<>(perThread);
        for (int i = 0; i < perThread; i++) {
          fs.add(p.send(KinesisRecord.of("t" + id + "-" + i, new byte[100])));
        }
        return fs;
      }));
    }
    go.countDown();
    List<CompletableFuture<RecordResult>> all = new ArrayList<>();
    for (Future<List<CompletableFuture<RecordResult>>> w : work) {
      all.addAll(w.get(2, TimeUnit.MINUTES));
    }
    p.flush().get(2, TimeUnit.MINUTES);
    assertThat(all).hasSize(threads * perThread).allMatch(f -> f.join().isAcknowledged());
    ProducerStats s = p.stats();
    assertThat(s.sent()).isEqualTo(threads * perThread);
    assertThat(s.acknowledged()).isEqualTo(threads * perThread);
    assertThat(s.pending()).isZero();
    assertThat(s.bufferedBytes()).isZero();
    assertThat(fake.storedRecords("s")).hasSize(threads * perThread);
    p.close(Duration.ofSeconds(10));
    pool.shutdownNow();
  }

  @Test
  void send_record_afterCloseOfAccumulator_throws() {
    Harness h = Harness.create(1);
    h.producer.beginClose(Duration.ZERO);
    assertThatThrownBy(() -> h.send(record("a"))).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> h.producer.trySend(record("a"))).isInstanceOf(IllegalStateException.class);
  }
}
