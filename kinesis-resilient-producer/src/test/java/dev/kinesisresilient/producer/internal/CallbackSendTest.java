package dev.kinesisresilient.producer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.kinesisresilient.core.BatchLimits;
import dev.kinesisresilient.core.KinesisRecord;
import dev.kinesisresilient.core.RecordResult;
import dev.kinesisresilient.producer.BufferFullException;
import dev.kinesisresilient.producer.ProducerStats;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A completion callback (or the failure handler) that sends while the buffer is full runs on the sender
 * thread, the only thread that frees buffer space: that send must fail at once, never wait.
 */
final class CallbackSendTest {
  /** Only a guard against a hang; the test never waits on time otherwise. */
  private static final Duration HANG_GUARD = Duration.ofSeconds(60);

  private static final int DATA_BYTES = 200_000;

  private static KinesisRecord rec(String key) {
    return KinesisRecord.of(key, new byte[DATA_BYTES]);
  }

  @Test
  void send_fromCallbackWithFullBuffer_failsAtOnce_everyRecordCompletes_nothingHangs() {
    assertTimeoutPreemptively(HANG_GUARD, () -> {
      Harness h = Harness.create(1, b -> b.maxBufferedBytes(BatchLimits.MIB + 128).lingerTime(Duration.ZERO)
          .maxBlockTime(Duration.ofMinutes(10)));
      List<CompletableFuture<RecordResult>> futures = new ArrayList<>();
      Optional<CompletableFuture<RecordResult>> accepted;
      while ((accepted = h.producer.trySend(rec("r" + futures.size()))).isPresent()) {
        futures.add(accepted.get());
      }
      int filled = futures.size();
      assertThat(filled).as("records that fill the buffer").isEqualTo(5);

      // The callbacks send a follow-up record each, on the sender thread, while the buffer is still full.
      List<CompletableFuture<RecordResult>> followUps = new CopyOnWriteArrayList<>();
      List<BufferFullException> refused = new CopyOnWriteArrayList<>();
      for (int i = 0; i < filled; i++) {
        String key = "f" + i;
        futures.get(i).thenAccept(r -> {
          try {
            followUps.add(h.send(rec(key)));
          } catch (BufferFullException e) {
            refused.add(e);
          }
        });
      }
      // An application thread blocks in send for space, as in production.
      AtomicReference<CompletableFuture<RecordResult>> appFuture = new AtomicReference<>();
      Thread app = new Thread(() -> appFuture.set(h.send(rec("a"))), "app-sender");
      app.start();
      while (!h.producer.accumulator().hasWaiters()) {
        Thread.onSpinWait(); // until the application thread waits for space (bounded by the guard)
      }

      h.sender.bindThread(Thread.currentThread()); // this thread now plays the sender thread
      // Send the three records; the fake acknowledges them; their callbacks run here, on the "sender".
      for (int i = 0; i < 100 && h.producer.accumulator().hasWaiters(); i++) {
        step(h);
      }
      app.join(); // the completed records freed the space the application thread waited for
      for (int i = 0; i < 100 && h.producer.stats().pending() > 0; i++) {
        step(h);
      }

      assertThat(refused).as("every callback send refused at once (the buffer was full)").hasSize(filled);
      assertThat(refused.get(0)).hasMessageContaining("sender thread").hasMessageContaining("buffer is full");
      assertThat(followUps).isEmpty();
      futures.add(appFuture.get());
      assertThat(futures).allSatisfy(f -> assertThat(f).isCompleted());
      assertThat(futures).allMatch(f -> f.join().isAcknowledged());
      ProducerStats s = h.producer.stats();
      assertThat(s.pending()).isZero();
      assertThat(s.sent()).isEqualTo(filled + 1);
      h.assertReconciles();
    });
  }

  private static void step(Harness h) {
    Instant next = h.step();
    if (next.isBefore(Instant.MAX)) {
      h.clock.set(next);
    }
  }

  @Test
  void send_fromFailureHandlerWithSpace_isAcceptedAndCompletes() {
    assertTimeoutPreemptively(HANG_GUARD, () -> {
      List<CompletableFuture<RecordResult>> resent = new CopyOnWriteArrayList<>();
      AtomicReference<Harness> ref = new AtomicReference<>();
      Harness h = Harness.create(1, b -> b.lingerTime(Duration.ZERO).retryPolicy(Harness.noJitter(1))
          .failureHandler(f -> resent.add(ref.get().send(f.record()))));
      ref.set(h);
      h.sender.bindThread(Thread.currentThread());
      h.fake.failNextEntries(1, "InternalFailure", "Internal service failure.");
      CompletableFuture<RecordResult> first = h.send(rec("k"));
      for (int i = 0; i < 100 && h.producer.stats().pending() > 0; i++) {
        step(h);
      }
      assertThat(first.join().isAcknowledged()).isFalse();
      assertThat(resent).hasSize(1);
      assertThat(resent.get(0).join().isAcknowledged()).isTrue();
      h.assertReconciles();
    });
  }

  @Test
  void flush_fromCallback_failsAtOnceInsteadOfWaitingForItself_recordsStillSent() {
    assertTimeoutPreemptively(HANG_GUARD, () -> {
      Harness h = Harness.create(1, b -> b.lingerTime(Duration.ofMinutes(1)).deliveryTimeout(Duration.ofMinutes(5)));
      Instant start = h.clock.instant();
      CompletableFuture<RecordResult> first = h.send(rec("a"));
      assertThat(h.producer.flush()).as("flush from an application thread waits normally").isNotDone();
      h.sender.bindThread(Thread.currentThread()); // from here on this thread plays the sender thread
      AtomicReference<Throwable> flushFailure = new AtomicReference<>();
      List<CompletableFuture<RecordResult>> followUps = new CopyOnWriteArrayList<>();
      first.thenAccept(r -> {
        followUps.add(h.send(rec("b")));
        try {
          h.producer.flush().join(); // would wait for itself without the guard
        } catch (RuntimeException e) {
          flushFailure.set(e.getCause() == null ? e : e.getCause());
        }
      });
      for (int i = 0; i < 100 && h.producer.stats().pending() > 0; i++) {
        step(h);
      }
      assertThat(flushFailure.get()).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("sender thread").hasMessageContaining("deadlock");
      assertThat(first.join().isAcknowledged()).isTrue();
      assertThat(followUps).hasSize(1);
      assertThat(followUps.get(0).join().isAcknowledged())
          .as("the callback's flush made its record ready despite the 1 min linger").isTrue();
      assertThat(h.clock.instant()).as("sent without waiting out the linger")
          .isBefore(start.plus(Duration.ofMinutes(1)));
      h.assertReconciles();
    });
  }
}
