package dev.kinesisresilient.examples;

import dev.kinesisresilient.core.BatchLimits;
import dev.kinesisresilient.core.KinesisRecord;
import dev.kinesisresilient.core.testing.FakeKinesisAsyncClient;
import dev.kinesisresilient.producer.ProducerStats;
import dev.kinesisresilient.producer.ResilientProducer;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;

/**
 * The benchmark harness of issue 4 (not a timed test): run with
 * {@code mvn -B -q -pl examples -am -DskipTests package exec:java -Ddemo.main=dev.kinesisresilient.examples.ProducerBenchmark}.
 *
 * <ol>
 *   <li>Overload: 4 shards with real limits (4,000 records/s), 2x offered for {@code --seconds} (default
 *       20), 5 ms simulated round trip; our producer vs a naive loop (PutRecords of 500, failed entries
 *       retried at once). Goodput (% of capacity), throttled entries (% of entries sent), lost, and peak
 *       heap after GC for ours.
 *   <li>Unlimited fake: producer throughput vs bare {@code putRecords} calls on the same batches.
 * </ol>
 */
public final class ProducerBenchmark {
  private static final int SHARDS = 4;
  private static final int CAPACITY = SHARDS * 1000;
  private static final Duration RTT = Duration.ofMillis(5);

  private ProducerBenchmark() {}

  /**
   * Runs the benchmark.
   *
   * @param args {@code --seconds N}, {@code --records N} (unlimited part, default 1,000,000)
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    int seconds = args.length >= 2 && args[0].equals("--seconds") ? Integer.parseInt(args[1]) : 20;
    int unlimitedRecords = 1_000_000;
    System.out.printf("machine: %s, %d CPUs, max heap %d MiB%n", System.getProperty("java.vm.name") + " "
        + System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() / BatchLimits.MIB);
    System.out.printf("%n== overload: %d shards (%,d records/s), 2x offered for %d s, 100-byte records, %d ms RTT%n",
        SHARDS, CAPACITY, seconds, RTT.toMillis());
    ours(seconds);
    naive(seconds);
    System.out.printf("%n== unlimited fake: %,d records of 100 bytes%n", unlimitedRecords);
    for (int round = 0; round < 2; round++) {
      double bare = bare(unlimitedRecords);
      double producer = producer(unlimitedRecords);
      System.out.printf("round %d: bare putRecords %,.0f records/s, producer %,.0f records/s (%.1f%% %s)%n", round + 1,
          bare, producer, Math.abs(100.0 * (1 - producer / bare)), producer <= bare ? "slower" : "faster");
    }
  }

  private static ScheduledExecutorService scheduler() {
    return Executors.newScheduledThreadPool(2, r -> {
      Thread t = new Thread(r, "bench-rtt");
      t.setDaemon(true);
      return t;
    });
  }

  private static void ours(int seconds) throws Exception {
    FakeKinesisAsyncClient fake = FakeKinesisAsyncClient.builder().stream("bench", SHARDS).build();
    ScheduledExecutorService rtt = scheduler();
    fake.delayResponses(RTT, rtt);
    long maxBuffered = 8 * BatchLimits.MIB;
    ResilientProducer p = ResilientProducer.builder(fake).streamName("bench").clientId("bench")
        .maxBufferedBytes(maxBuffered).build();
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    AtomicLong peakHeap = new AtomicLong();
    ScheduledExecutorService sampler = scheduler();
    sampler.scheduleAtFixedRate(() -> {
      System.gc();
      peakHeap.accumulateAndGet(mem.getHeapMemoryUsage().getUsed(), Math::max);
    }, 2, 2, TimeUnit.SECONDS);
    long start = System.nanoTime();
    long end = start + TimeUnit.SECONDS.toNanos(seconds);
    long offered = 0;
    long rejected = 0;
    long ackedAtEnd = 0;
    while (System.nanoTime() < end) {
      long due = start + (long) (offered * (1e9 / (2 * CAPACITY)));
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      offered++;
      if (p.trySend(KinesisRecord.of("k" + offered, new byte[100])).isEmpty()) {
        rejected++;
      }
    }
    ackedAtEnd = p.stats().acknowledged();
    double elapsed = (System.nanoTime() - start) / 1e9;
    p.flush().join();
    sampler.shutdownNow();
    ProducerStats s = p.stats();
    p.close(Duration.ofSeconds(30));
    rtt.shutdownNow();
    long entries = fake.putRecordsRequests().stream().mapToLong(r -> r.records().size()).sum();
    long stored = fake.storedRecords("bench").size();
    long lost = s.sent() - s.failed() - stored;
    System.out.printf("ours : goodput %.1f%% of capacity, throttled %.2f%% of %,d entries sent, lost %d, failed %d, "
            + "refused by full buffer %.0f%% of offered (backpressure)%n", 100.0 * ackedAtEnd / (elapsed * CAPACITY),
        100.0 * s.throttledEntries() / entries, entries, lost, s.failed(), 100.0 * rejected / offered);
    System.out.printf("       peak heap after GC %d MiB (maxBufferedBytes %d MiB; includes the fake's stored records)%n",
        peakHeap.get() / BatchLimits.MIB, maxBuffered / BatchLimits.MIB);
  }

  private static void naive(int seconds) throws Exception {
    FakeKinesisAsyncClient fake = FakeKinesisAsyncClient.builder().stream("bench", SHARDS).build();
    ScheduledExecutorService rtt = scheduler();
    fake.delayResponses(RTT, rtt);
    ArrayDeque<PutRecordsRequestEntry> queue = new ArrayDeque<>();
    long start = System.nanoTime();
    long end = start + TimeUnit.SECONDS.toNanos(seconds);
    long produced = 0;
    long acked = 0;
    long entries = 0;
    long throttled = 0;
    while (System.nanoTime() < end) {
      long target = (long) ((System.nanoTime() - start) / 1e9 * 2 * CAPACITY);
      while (produced < target) {
        produced++;
        queue.addLast(PutRecordsRequestEntry.builder().partitionKey("k" + produced)
            .data(SdkBytes.fromByteArray(new byte[100])).build());
      }
      if (queue.isEmpty()) {
        continue;
      }
      List<PutRecordsRequestEntry> batch = new ArrayList<>();
      while (batch.size() < 500 && !queue.isEmpty()) {
        batch.add(queue.pollFirst());
      }
      PutRecordsResponse r = fake.putRecords(PutRecordsRequest.builder().streamName("bench").records(batch).build())
          .join();
      entries += batch.size();
      List<PutRecordsResultEntry> results = r.records();
      for (int i = results.size() - 1; i >= 0; i--) {
        if (results.get(i).errorCode() == null) {
          acked++;
        } else {
          throttled++;
          queue.addFirst(batch.get(i)); // immediate retry
        }
      }
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    rtt.shutdownNow();
    System.out.printf("naive: goodput %.1f%% of capacity, throttled %.2f%% of %,d entries sent, lost 0 "
            + "(%,d records still queued, unbounded: %.0f MiB of payload)%n", 100.0 * acked / (elapsed * CAPACITY),
        100.0 * throttled / entries, entries, queue.size(), queue.size() * 100.0 / BatchLimits.MIB);
  }

  private static List<List<PutRecordsRequestEntry>> batches(int records) {
    List<List<PutRecordsRequestEntry>> out = new ArrayList<>();
    List<PutRecordsRequestEntry> cur = new ArrayList<>();
    for (int i = 0; i < records; i++) {
      cur.add(PutRecordsRequestEntry.builder().partitionKey("k" + i).data(SdkBytes.fromByteArray(new byte[100])).build());
      if (cur.size() == 500) {
        out.add(cur);
        cur = new ArrayList<>();
      }
    }
    if (!cur.isEmpty()) {
      out.add(cur);
    }
    return out;
  }

  private static double bare(int records) {
    FakeKinesisAsyncClient fake = FakeKinesisAsyncClient.builder().enforceShardLimits(false).stream("bench", SHARDS)
        .build();
    List<List<PutRecordsRequestEntry>> batches = batches(records);
    long start = System.nanoTime();
    for (List<PutRecordsRequestEntry> b : batches) {
      fake.putRecords(PutRecordsRequest.builder().streamName("bench").records(b).build()).join();
    }
    return records / ((System.nanoTime() - start) / 1e9);
  }

  private static double producer(int records) {
    FakeKinesisAsyncClient fake = FakeKinesisAsyncClient.builder().enforceShardLimits(false).stream("bench", SHARDS)
        .build();
    List<KinesisRecord> rs = new ArrayList<>(records);
    for (int i = 0; i < records; i++) {
      rs.add(KinesisRecord.of("k" + i, new byte[100]));
    }
    ResilientProducer p = ResilientProducer.builder(fake).streamName("bench").clientId("bench-unlimited")
        .shardLimits(1_000_000, 1024 * BatchLimits.MIB).maxBufferedBytes(256 * BatchLimits.MIB)
        .lingerTime(Duration.ofMillis(1)).build();
    long start = System.nanoTime();
    for (KinesisRecord r : rs) {
      p.send(r);
    }
    p.flush().join();
    double rate = records / ((System.nanoTime() - start) / 1e9);
    p.close(Duration.ofSeconds(10));
    return rate;
  }
}
