package dev.kinesisresilient.examples;

import dev.kinesisresilient.core.BatchLimits;
import dev.kinesisresilient.core.KinesisRecord;
import dev.kinesisresilient.core.testing.FakeKinesisAsyncClient;
import dev.kinesisresilient.producer.ProducerStats;
import dev.kinesisresilient.producer.ResilientProducer;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
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
 *   <li>Aggregation (issue 6, {@code --part aggregation}): ONE shard with real limits (1,000 records/s,
 *       1 MiB/s), 100-byte records offered at 12,000/s for {@code --seconds}, 5 ms round trip; user
 *       records/s acknowledged after a 2 s warm-up, with aggregation and without, in the same run, for
 *       unique partition keys and for 100 distinct keys. Every stored record is decoded with {@code
 *       KplAggregation.decode} and counted against the acknowledgements.
 *   <li>Issue 14 ({@code --part scale|shared|ratelimited}): see {@link ScaleBenchmark}.
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
   * @param args {@code --seconds N} (overload, shared, default 20), {@code --records N} (unlimited, default
   *     1,000,000; scale, default 300,000; ratelimited, default 40,000), {@code --rounds N} (measured rounds:
   *     unlimited, default 5; scale and ratelimited, default 3), {@code --part
   *     overload|unlimited|aggregation|scale|shared|ratelimited|all} ({@code all} leaves out the last three),
   *     {@code --sink discarding|fake|both} (unlimited), {@code --producers N} (shared, default 4)
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    int seconds = 20;
    Integer records = null;
    Integer rounds = null;
    int producers = 4;
    String part = "all";
    String sink = "both";
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
        case "--records" -> records = Integer.parseInt(args[i + 1]);
        case "--producers" -> producers = Integer.parseInt(args[i + 1]);
        case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
        case "--part" -> part = args[i + 1];
        case "--sink" -> sink = args[i + 1];
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    System.out.printf("machine: %s, %d CPUs, max heap %d MiB%n", System.getProperty("java.vm.name") + " "
        + System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() / BatchLimits.MIB);
    switch (part) {
      case "scale" -> {
        ScaleBenchmark.scale(records == null ? 300_000 : records, rounds == null ? 3 : rounds);
        return;
      }
      case "shared" -> {
        ScaleBenchmark.shared(seconds, producers);
        return;
      }
      case "ratelimited" -> {
        ScaleBenchmark.rateLimited(records == null ? 40_000 : records, rounds == null ? 3 : rounds);
        return;
      }
      default -> { }
    }
    if (part.equals("aggregation") || part.equals("all")) {
      aggregation(seconds);
    }
    if (part.equals("aggregation")) {
      return;
    }
    if (!part.equals("unlimited")) {
      System.out.printf("%n== overload: %d shards (%,d records/s), 2x offered for %d s, 100-byte records, %d ms RTT%n",
          SHARDS, CAPACITY, seconds, RTT.toMillis());
      ours(seconds);
      naive(seconds);
    }
    if (!part.equals("overload")) {
      if (!sink.equals("fake")) {
        unlimited(records == null ? 1_000_000 : records, rounds == null ? 5 : rounds, true);
      }
      if (!sink.equals("discarding")) {
        unlimited(records == null ? 1_000_000 : records, rounds == null ? 5 : rounds, false);
      }
    }
  }

  /**
   * Producer vs bare {@code putRecords} on the same records: one warm-up round, then {@code rounds}
   * measured rounds alternating which contender goes first, each on a fresh fake after a GC; reports
   * every round and the medians. The fake's work runs on a thread of its own (the "service"), as the
   * real service runs on other machines: neither contender pays for it on its own threads.
   */
  private static void unlimited(int records, int rounds, boolean discarding) {
    System.out.printf("%n== unlimited %s: %,d records of 100 bytes, 1 warm-up + %d rounds, on a thread of its own%n",
        discarding ? "discarding sink (keeps no record)" : "fake (FakeKinesisAsyncClient, keeps every record)",
        records, rounds);
    List<KinesisRecord> rs = new ArrayList<>(records);
    for (int i = 0; i < records; i++) {
      rs.add(KinesisRecord.of("k" + i, new byte[100]));
    }
    List<List<PutRecordsRequestEntry>> batches = batches(rs);
    double[] bare = new double[rounds];
    double[] prod = new double[rounds];
    long[] gc = new long[2];
    for (int round = 0; round <= rounds; round++) {
      boolean bareFirst = round % 2 == 0;
      double b = 0;
      double p;
      if (bareFirst) {
        b = bare(batches, records, gc, discarding);
      }
      p = producer(rs, round, gc, discarding);
      if (!bareFirst) {
        b = bare(batches, records, gc, discarding);
      }
      if (round == 0) {
        System.out.printf("warm-up: bare putRecords %,.0f records/s, producer %,.0f records/s%n", b, p);
        continue;
      }
      bare[round - 1] = b;
      prod[round - 1] = p;
      System.out.printf("round %d: bare putRecords %,.0f records/s, producer %,.0f records/s (%s); GC while timed: "
          + "bare %d ms, producer %d ms%n", round, b, p, difference(b, p), gc[0], gc[1]);
    }
    double mb = median(bare);
    double mp = median(prod);
    double[] ratios = new double[rounds];
    for (int i = 0; i < rounds; i++) {
      ratios[i] = prod[i] / bare[i];
    }
    double mr = median(ratios);
    System.out.printf("median : bare putRecords %,.0f records/s, producer %,.0f records/s (%s); median of the "
        + "rounds' ratios: %.1f%% %s (target <= 5%% slower)%n", mb, mp, difference(mb, mp),
        Math.abs(100.0 * (1 - mr)), mr <= 1 ? "slower" : "faster");
  }

  private static String difference(double bare, double producer) {
    return String.format("%.1f%% %s", Math.abs(100.0 * (1 - producer / bare)), producer <= bare ? "slower" : "faster");
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    java.util.Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  private static long gcMillis() {
    long t = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      t += Math.max(0, gc.getCollectionTime());
    }
    return t;
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
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    long baseline = heapAfterGc(mem);
    ResilientProducer p = ResilientProducer.builder(fake).streamName("bench").clientId("bench")
        .maxBufferedBytes(maxBuffered).build();
    List<long[]> samples = java.util.Collections.synchronizedList(new ArrayList<>()); // {heap after GC, stored}
    ScheduledExecutorService sampler = scheduler();
    sampler.scheduleAtFixedRate(() -> {
      long heap = heapAfterGc(mem);
      samples.add(new long[] {heap, fake.storedRecords("bench").size()});
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
    p = null;
    rtt.shutdownNow();
    long entries = fake.putRecordsRequests().stream().mapToLong(r -> r.records().size()).sum();
    long stored = fake.storedRecords("bench").size();
    // The fake keeps every record and request it got, in this JVM. With the producer closed and gone, what
    // the heap holds above the baseline is the fake's; per stored record that is its cost at every sample.
    long fakeOnly = heapAfterGc(mem) - baseline;
    double fakePerRecord = stored == 0 ? 0 : (double) fakeOnly / stored;
    long peakTotal = 0;
    long peakProducer = 0;
    synchronized (samples) {
      for (long[] sample : samples) {
        peakTotal = Math.max(peakTotal, sample[0]);
        peakProducer = Math.max(peakProducer, (long) (sample[0] - baseline - fakePerRecord * sample[1]));
      }
    }
    long lost = s.sent() - s.failed() - stored;
    System.out.printf("ours : goodput %.1f%% of capacity, throttled %.2f%% of %,d entries sent, lost %d, failed %d, "
            + "refused by full buffer %.0f%% of offered (backpressure)%n", 100.0 * ackedAtEnd / (elapsed * CAPACITY),
        100.0 * s.throttledEntries() / entries, entries, lost, s.failed(), 100.0 * rejected / offered);
    System.out.printf("       heap after GC: peak %d MiB in all (baseline %d MiB before the run; the fake's stored data "
            + "%.0f bytes per record, %d MiB at the end); producer's share at its peak %d MiB (target maxBufferedBytes "
            + "%d MiB + 64 MiB = %d MiB)%n", peakTotal / BatchLimits.MIB, baseline / BatchLimits.MIB, fakePerRecord,
        fakeOnly / BatchLimits.MIB, peakProducer / BatchLimits.MIB, maxBuffered / BatchLimits.MIB,
        maxBuffered / BatchLimits.MIB + 64);
  }

  private static final int AGG_OFFERED = 12_000;
  private static final Duration AGG_WARMUP = Duration.ofSeconds(2);

  private static void aggregation(int seconds) throws Exception {
    System.out.printf("%n== aggregation: 1 shard with real limits (1,000 records/s, 1 MiB/s), 100-byte records offered "
        + "at %,d/s for %d s (first %d s not counted), %d ms RTT%n", AGG_OFFERED, seconds, AGG_WARMUP.toSeconds(),
        RTT.toMillis());
    for (int keys : new int[] {0, 100}) {
      double without = aggregationRun(false, seconds, keys);
      double with = aggregationRun(true, seconds, keys);
      System.out.printf("%s: with aggregation %,.0f user records/s (target >= 9,000), without %,.0f (ceiling 1,000): "
          + "x%.1f%n", keys == 0 ? "unique keys " : keys + " keys    ", with, without, with / without);
    }
  }

  /** Offers 100-byte records to one shard; returns user records acknowledged per second after the warm-up. */
  private static double aggregationRun(boolean aggregate, int seconds, int keys) throws Exception {
    FakeKinesisAsyncClient fake = FakeKinesisAsyncClient.builder().stream("bench-agg", 1).build();
    ScheduledExecutorService rtt = scheduler();
    fake.delayResponses(RTT, rtt);
    ResilientProducer p = ResilientProducer.builder(fake).streamName("bench-agg")
        .clientId("bench-agg-" + (aggregate ? "on" : "off")).aggregation(aggregate)
        .maxBufferedBytes(4 * BatchLimits.MIB).build();
    long start = System.nanoTime();
    long warm = start + AGG_WARMUP.toNanos();
    long end = start + TimeUnit.SECONDS.toNanos(seconds);
    long offered = 0;
    long ackedAtWarm = -1;
    while (System.nanoTime() < end) {
      long due = start + (long) (offered * (1e9 / AGG_OFFERED));
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      if (ackedAtWarm < 0 && System.nanoTime() >= warm) {
        ackedAtWarm = p.stats().acknowledged();
        warm = System.nanoTime();
      }
      offered++;
      String key = keys == 0 ? "k" + offered : "k" + (offered % keys);
      p.trySend(KinesisRecord.of(key, new byte[100]));
    }
    long ackedAtEnd = p.stats().acknowledged();
    double rate = (ackedAtEnd - ackedAtWarm) / ((System.nanoTime() - warm) / 1e9);
    p.flush().join();
    ProducerStats st = p.stats();
    p.close(Duration.ofSeconds(30));
    rtt.shutdownNow();
    long users = 0;
    long aggregates = 0;
    for (dev.kinesisresilient.core.testing.StoredRecord r : fake.storedRecords("bench-agg")) {
      int n = dev.kinesisresilient.core.aggregation.KplAggregation.decode(r.data(), r.partitionKey(),
          r.explicitHashKey()).size();
      users += n;
      aggregates += n > 1 ? 1 : 0;
    }
    if (users != st.acknowledged()) {
      throw new IllegalStateException("stored " + users + " user records, acknowledged " + st.acknowledged());
    }
    System.out.printf("  aggregation %-3s: %,d user records acknowledged in %,d Kinesis records (%,d aggregates), "
            + "throttled entries %d, failed %d%n", aggregate ? "on" : "off", users,
        fake.storedRecords("bench-agg").size(), aggregates, st.throttledEntries(), st.failed());
    return rate;
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

  private static long heapAfterGc(MemoryMXBean mem) {
    System.gc();
    return mem.getHeapMemoryUsage().getUsed();
  }

  /** The same records as request entries, in batches of 500 (the bare contender's pre-built requests). */
  private static List<List<PutRecordsRequestEntry>> batches(List<KinesisRecord> records) {
    List<List<PutRecordsRequestEntry>> out = new ArrayList<>();
    List<PutRecordsRequestEntry> cur = new ArrayList<>();
    for (KinesisRecord r : records) {
      cur.add(PutRecordsRequestEntry.builder().partitionKey(r.partitionKey()).data(r.data()).build());
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

  private static double bare(List<List<PutRecordsRequestEntry>> batches, int records, long[] gc, boolean discarding) {
    Sink sink = new Sink(discarding);
    try (ServiceThreadKinesis kinesis = new ServiceThreadKinesis(sink.client)) {
      System.gc();
      long g = gcMillis();
      long start = System.nanoTime();
      for (List<PutRecordsRequestEntry> b : batches) {
        kinesis.putRecords(PutRecordsRequest.builder().streamName("bench").records(b).build()).join();
      }
      double rate = records / ((System.nanoTime() - start) / 1e9);
      gc[0] = gcMillis() - g;
      check(sink, records);
      return rate;
    }
  }

  private static double producer(List<KinesisRecord> rs, int round, long[] gc, boolean discarding) {
    Sink sink = new Sink(discarding);
    try (ServiceThreadKinesis kinesis = new ServiceThreadKinesis(sink.client)) {
      ResilientProducer p = ResilientProducer.builder(kinesis).streamName("bench").clientId("bench-unlimited-" + round)
          .shardLimits(1_000_000, 1024 * BatchLimits.MIB)
          .lingerTime(Duration.ofMillis(1)).build();
      System.gc();
      long g = gcMillis();
      long start = System.nanoTime();
      for (KinesisRecord r : rs) {
        p.send(r);
      }
      p.flush().join();
      double rate = rs.size() / ((System.nanoTime() - start) / 1e9);
      gc[1] = gcMillis() - g;
      ProducerStats st = p.stats();
      p.close(Duration.ofSeconds(10));
      if (st.acknowledged() != rs.size()) {
        throw new IllegalStateException("producer acknowledged " + st.acknowledged() + " of " + rs.size());
      }
      check(sink, rs.size());
      return rate;
    }
  }

  private static void check(Sink sink, long expected) {
    long stored = sink.stored();
    if (stored != expected) {
      throw new IllegalStateException("stored " + stored + " of " + expected);
    }
  }

  /** The service of the unlimited comparison: the fake without shard limits, or the discarding sink. */
  private static final class Sink {
    final KinesisAsyncClient client;
    private final @Nullable FakeKinesisAsyncClient fake;
    private final @Nullable DiscardingKinesis discarding;

    Sink(boolean discard) {
      if (discard) {
        discarding = new DiscardingKinesis("bench", SHARDS);
        fake = null;
        client = discarding;
      } else {
        fake = FakeKinesisAsyncClient.builder().enforceShardLimits(false).stream("bench", SHARDS).build();
        discarding = null;
        client = fake;
      }
    }

    long stored() {
      return discarding != null ? discarding.storedRecords() : Objects.requireNonNull(fake).storedRecords("bench").size();
    }
  }
}
