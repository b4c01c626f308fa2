package dev.kinesisresilient.examples;

import dev.kinesisresilient.core.FailureReason;
import dev.kinesisresilient.core.KinesisRecord;
import dev.kinesisresilient.core.RecordResult;
import dev.kinesisresilient.core.testing.FakeKinesisAsyncClient;
import dev.kinesisresilient.core.testing.StoredRecord;
import dev.kinesisresilient.producer.ProducerStats;
import dev.kinesisresilient.producer.ResilientProducer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Issue 9 item 2's scenario (not a timed test): a slowing endpoint under tight timeouts. Run with
 * {@code mvn -B -q -pl examples -am -DskipTests package exec:java
 * -Ddemo.main=dev.kinesisresilient.examples.RetryStormBenchmark} (options {@code --seconds N}, default
 * 40; {@code --cost 400us|3ms|both}, default both).
 *
 * <p>The in-memory fake (16 shards, so its shard limits never bind) behind {@link QueueingKinesis}: one
 * FIFO queue, 2 workers, a fixed cost per entry (400 us: 5,000 entries/s; 3 ms: 667 entries/s). A call
 * whose caller gave up is still applied when served. 100-byte records with unique keys are offered with
 * {@code trySend} at twice the server's capacity for {@code --seconds}; the producer has its defaults.
 * Then the producer is closed (every record gets its result) and the server's queue drained.
 *
 * <p>Reported: entries the server received per record acknowledged (amplification, target <= 1.10);
 * goodput (records acknowledged per 5 s window / the server's capacity; target >= 80% in every window
 * after the first 10 s); lost (acknowledged but not stored, or never completed; target 0); duplicates
 * stored; records failed, by reason, and how many of the expired ones were stored anyway.
 */
public final class RetryStormBenchmark {
  private static final int SHARDS = 16;
  private static final int WORKERS = 2;
  private static final Duration WINDOW = Duration.ofSeconds(5);
  private static final Duration WARMUP = Duration.ofSeconds(10);
  private static final String STREAM = "storm";

  private RetryStormBenchmark() {}

  /**
   * Runs the scenario.
   *
   * @param args {@code --seconds N}, {@code --cost 400us|3ms|both}
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    int seconds = 40;
    String cost = "both";
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
        case "--cost" -> cost = args[i + 1];
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    System.out.printf("machine: %s, %d CPUs%n", System.getProperty("java.vm.name") + " "
        + System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
    if (!cost.equals("3ms")) {
      run(TimeUnit.MICROSECONDS.toNanos(400), "400 us", seconds);
    }
    if (!cost.equals("400us")) {
      run(TimeUnit.MILLISECONDS.toNanos(3), "3 ms", seconds);
    }
  }

  private static void run(long perEntryNanos, String label, int seconds) throws Exception {
    double capacity = WORKERS * 1e9 / perEntryNanos;
    double offeredRate = 2 * capacity;
    System.out.printf("%n== %s per entry, %d workers: capacity %,.0f entries/s; offered %,.0f records/s for %d s, "
        + "producer defaults%n", label, WORKERS, capacity, offeredRate, seconds);
    FakeKinesisAsyncClient fake = FakeKinesisAsyncClient.builder().stream(STREAM, SHARDS).build();
    QueueingKinesis server = new QueueingKinesis(fake, WORKERS, perEntryNanos);
    ResilientProducer p = ResilientProducer.builder(server).streamName(STREAM).clientId("storm").build();
    int maxRecords = (int) (offeredRate * seconds) + 1_000;
    // Per offered record: 0 no result yet, 1 acknowledged, 2 expired, 3 failed otherwise; -1 refused.
    AtomicIntegerArray status = new AtomicIntegerArray(maxRecords);
    AtomicLong otherFailures = new AtomicLong();
    List<Long> ackedAt = new ArrayList<>();
    long start = System.nanoTime();
    long end = start + TimeUnit.SECONDS.toNanos(seconds);
    long nextSample = start + WINDOW.toNanos();
    int offered = 0;
    long refused = 0;
    while (System.nanoTime() < end && offered < maxRecords) {
      long due = start + (long) (offered * (1e9 / offeredRate));
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      if (System.nanoTime() >= nextSample) {
        ackedAt.add(p.stats().acknowledged());
        nextSample += WINDOW.toNanos();
      }
      int i = offered++;
      Optional<CompletableFuture<RecordResult>> f = p.trySend(KinesisRecord.of("k" + i, new byte[100]));
      if (f.isEmpty()) {
        refused++;
        status.set(i, -1);
        continue;
      }
      f.get().whenComplete((r, e) -> {
        if (r instanceof RecordResult.Acknowledged) {
          status.set(i, 1);
        } else if (r instanceof RecordResult.Failed failed && failed.reason() == FailureReason.DEADLINE_EXCEEDED) {
          status.set(i, 2);
        } else {
          status.set(i, 3);
          otherFailures.incrementAndGet();
        }
      });
    }
    ackedAt.add(p.stats().acknowledged());
    p.close(Duration.ofSeconds(120));
    ProducerStats st = p.stats();
    long drainStart = System.nanoTime();
    while (server.backlog() > 0 && System.nanoTime() - drainStart < TimeUnit.SECONDS.toNanos(600)) {
      Thread.sleep(50);
    }
    int[] stored = new int[offered];
    long storedEntries = 0;
    for (StoredRecord r : fake.storedRecords(STREAM)) {
      stored[Integer.parseInt(r.partitionKey().substring(1))]++;
      storedEntries++;
    }
    long acked = 0;
    long expired = 0;
    long expiredStored = 0;
    long failedStored = 0;
    long lost = 0;
    long noResult = 0;
    long duplicates = 0;
    for (int i = 0; i < offered; i++) {
      int s = status.get(i);
      duplicates += Math.max(0, stored[i] - 1);
      switch (s) {
        case 1 -> {
          acked++;
          if (stored[i] == 0) {
            lost++;
          }
        }
        case 2 -> {
          expired++;
          expiredStored += stored[i] > 0 ? 1 : 0;
        }
        case 3 -> failedStored += stored[i] > 0 ? 1 : 0;
        case 0 -> noResult++;
        default -> { }
      }
    }
    long entries = server.entriesReceived();
    StringBuilder windows = new StringBuilder();
    double minAfterWarmup = Double.MAX_VALUE;
    long prev = 0;
    for (int w = 0; w < ackedAt.size(); w++) {
      long inWindow = ackedAt.get(w) - prev;
      prev = ackedAt.get(w);
      if (w == ackedAt.size() - 1 && (w + 1) * WINDOW.toSeconds() > seconds) {
        break; // a partial last window
      }
      double pct = 100.0 * inWindow / (capacity * WINDOW.toSeconds());
      windows.append(String.format("%s%.0f%%", windows.length() == 0 ? "" : " / ", pct));
      if ((w + 1) * WINDOW.toSeconds() > WARMUP.toSeconds()) {
        minAfterWarmup = Math.min(minAfterWarmup, pct);
      }
    }
    System.out.printf("offered %,d records, refused by the full buffer %,d (backpressure), accepted %,d%n", offered,
        refused, offered - refused);
    System.out.printf("acknowledged %,d, expired %,d (of which stored anyway %,d), failed otherwise %,d (stored %,d), "
        + "no result %d%n", acked, expired, expiredStored, otherFailures.get(), failedStored, noResult);
    System.out.printf("entries received by the server %,d in %,d calls: %.2f per record acknowledged (target <= 1.10); "
        + "entries retried by the producer %,d%n", entries, server.callsReceived(),
        acked == 0 ? Double.POSITIVE_INFINITY : (double) entries / acked, st.retriedEntries());
    System.out.printf("stored %,d entries, duplicates %,d; lost %d (target 0)%n", storedEntries, duplicates,
        lost + noResult);
    System.out.printf("goodput per %d s window (%% of capacity): %s; lowest after the first %d s: %.0f%% (target >= 80%%)%n",
        WINDOW.toSeconds(), windows, WARMUP.toSeconds(), minAfterWarmup);
    server.close();
  }
}
