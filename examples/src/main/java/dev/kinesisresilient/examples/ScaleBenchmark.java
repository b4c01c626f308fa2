package dev.kinesisresilient.examples;

import dev.kinesisresilient.core.BatchLimits;
import dev.kinesisresilient.core.KinesisRecord;
import dev.kinesisresilient.core.RecordResult;
import dev.kinesisresilient.core.testing.FakeKinesisAsyncClient;
import dev.kinesisresilient.producer.ProducerStats;
import dev.kinesisresilient.producer.ResilientProducer;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Issue 14's scenarios on the in-memory fake (called by {@link ProducerBenchmark}):
 *
 * <ul>
 *   <li>{@code --part scale}: 1,000 shards vs 4, {@code --records} (default 300,000) records of 100 bytes,
 *       shard limits raised, {@code --rounds} (default 3) alternating runs; client CPU per record, records/s,
 *       time to the first acknowledgement, the producer's heap per shard.
 *   <li>{@code --part shared}: four producers (separate builders) sharing 4 shards with real limits, each
 *       offered 2,000 records/s for {@code --seconds}, 5 ms round trip; goodput, throttled entries, Jain's
 *       fairness.
 *   <li>{@code --part ratelimited}: CPU per record of the same run with the default shard limits binding
 *       and with them raised, plain 100-byte records and aggregated 1,000-byte records.
 * </ul>
 *
 * <p>Client CPU = the process's CPU time ({@code OperatingSystemMXBean.getProcessCpuTime}, from /proc on
 * Linux: every thread of the JVM, GC and JIT included) minus the CPU time ({@code ThreadMXBean}) of the
 * threads that play the service: {@code bench-service} (the fake's work) and {@code bench-rtt} (its
 * delayed responses).
 */
final class ScaleBenchmark {
  private static final Duration RTT = Duration.ofMillis(5);
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private ScaleBenchmark() {}

  // ------------------------------------------------------------------ CPU accounting

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** CPU time of the live threads that play the service (their names start with bench-service or bench-rtt). */
  private static long serviceCpuNanos() {
    long t = 0;
    long[] ids = THREADS.getAllThreadIds();
    ThreadInfo[] infos = THREADS.getThreadInfo(ids);
    for (int i = 0; i < ids.length; i++) {
      ThreadInfo info = infos[i];
      if (info != null && (info.getThreadName().startsWith("bench-service")
          || info.getThreadName().startsWith("bench-rtt"))) {
        t += Math.max(0, THREADS.getThreadCpuTime(ids[i]));
      }
    }
    return t;
  }

  /** CPU time of the live threads whose names start with {@code prefix}; -1 for all but the service's. */
  private static long threadCpuNanos(String prefix) {
    long t = 0;
    long[] ids = THREADS.getAllThreadIds();
    ThreadInfo[] infos = THREADS.getThreadInfo(ids);
    for (int i = 0; i < ids.length; i++) {
      ThreadInfo info = infos[i];
      if (info == null) {
        continue;
      }
      String name = info.getThreadName();
      boolean service = name.startsWith("bench-service") || name.startsWith("bench-rtt");
      if (prefix.isEmpty() ? !service : name.startsWith(prefix)) {
        t += Math.max(0, THREADS.getThreadCpuTime(ids[i]));
      }
    }
    return t;
  }

  /**
   * CPU time in clock ticks (usually 10 ms) of every thread of this process, JVM-internal ones (GC, JIT)
   * included, from /proc/self/task/N/stat, summed by thread name with digits dropped; empty where there is
   * no /proc.
   */
  static java.util.Map<String, Long> procThreadTicks() {
    java.util.Map<String, Long> out = new java.util.TreeMap<>();
    java.io.File[] tasks = new java.io.File("/proc/self/task").listFiles();
    if (tasks == null) {
      return out;
    }
    for (java.io.File task : tasks) {
      try {
        String stat = java.nio.file.Files.readString(task.toPath().resolve("stat"));
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        String name = stat.substring(open + 1, close).replaceAll("[0-9]+", "#");
        String[] f = stat.substring(close + 2).split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14 and 15)
        out.merge(name, ticks, Long::sum);
      } catch (java.io.IOException | RuntimeException e) {
        // the thread ended meanwhile
      }
    }
    return out;
  }

  /** The thread groups that used the most ticks between two {@link #procThreadTicks()} readings. */
  static String topThreads(java.util.Map<String, Long> before, java.util.Map<String, Long> after, int n) {
    List<java.util.Map.Entry<String, Long>> d = new ArrayList<>();
    for (java.util.Map.Entry<String, Long> e : after.entrySet()) {
      long delta = e.getValue() - before.getOrDefault(e.getKey(), 0L);
      if (delta > 0) {
        d.add(java.util.Map.entry(e.getKey(), delta));
      }
    }
    d.sort((a, b) -> Long.compare(b.getValue(), a.getValue()));
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < Math.min(n, d.size()); i++) {
      b.append(i == 0 ? "" : ", ").append(d.get(i).getKey()).append(' ').append(d.get(i).getValue() * 10).append(" ms");
    }
    return b.toString();
  }

  /** Client CPU so far: the process's minus the service threads' (which must stay alive while measured). */
  private static long clientCpuNanos() {
    return processCpuNanos() - serviceCpuNanos();
  }

  static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  private static long heapAfterGc(MemoryMXBean mem) {
    System.gc();
    System.gc();
    return mem.getHeapMemoryUsage().getUsed();
  }

  private static ScheduledExecutorService rttScheduler() {
    return Executors.newScheduledThreadPool(2, r -> {
      Thread t = new Thread(r, "bench-rtt");
      t.setDaemon(true);
      return t;
    });
  }

  private static String range(double[] v, String format) {
    double[] s = v.clone();
    Arrays.sort(s);
    return String.format(format, s[0]) + " to " + String.format(format, s[s.length - 1]);
  }

  // ------------------------------------------------------------------ 1,000 shards vs 4

  static void scale(int records, int rounds) {
    System.out.printf("%n== scale: 1,000 shards vs 4, %,d records of 100 bytes, shard limits raised (fake "
        + "unlimited, producer shardLimits raised), send() then flush(), 1 warm-up + %d rounds alternating%n",
        records, rounds);
    List<KinesisRecord> rs = new ArrayList<>(records);
    for (int i = 0; i < records; i++) {
      rs.add(KinesisRecord.of("k" + i, new byte[100]));
    }
    int[] shardCounts = {4, 1000};
    double[][] cpu = new double[2][rounds];
    double[][] rate = new double[2][rounds];
    double[][] firstAck = new double[2][rounds];
    double[][] heap = new double[2][rounds];
    double[][] javaCpu = new double[2][rounds];
    double[][] senderCpu = new double[2][rounds];
    for (int round = 0; round <= rounds; round++) {
      for (int k = 0; k < 2; k++) {
        int which = round % 2 == 0 ? k : 1 - k;
        double[] m = scaleRun(rs, shardCounts[which], round);
        if (round == 0) {
          System.out.printf("warm-up %4d shards: %.2f us CPU/record, %,.0f records/s%n", shardCounts[which], m[0],
              m[1]);
          continue;
        }
        cpu[which][round - 1] = m[0];
        rate[which][round - 1] = m[1];
        firstAck[which][round - 1] = m[2];
        heap[which][round - 1] = m[3];
        javaCpu[which][round - 1] = m[4];
        senderCpu[which][round - 1] = m[5];
        System.out.printf("round %d %4d shards: client CPU %.2f us/record (Java threads %.2f, sender %.2f; the fake's "
            + "service thread %.2f), %,.0f records/s, first ack after %.1f ms, producer heap %,.0f bytes (%,.0f per "
            + "shard)%n", round, shardCounts[which], m[0], m[4], m[5], m[6], m[1], m[2], m[3],
            m[3] / shardCounts[which]);
      }
    }
    for (int which = 0; which < 2; which++) {
      System.out.printf("median %4d shards: client CPU %.2f us/record (%s; Java threads %.2f, sender %.2f), %,.0f "
          + "records/s (%s), first ack %.1f ms, producer heap %,.0f bytes%n", shardCounts[which], median(cpu[which]),
          range(cpu[which], "%.2f"), median(javaCpu[which]), median(senderCpu[which]), median(rate[which]),
          range(rate[which], "%,.0f"), median(firstAck[which]), median(heap[which]));
    }
    double[] ratios = new double[rounds];
    for (int i = 0; i < rounds; i++) {
      ratios[i] = cpu[1][i] / cpu[0][i];
    }
    double[] javaRatios = new double[rounds];
    double[] senderRatios = new double[rounds];
    for (int i = 0; i < rounds; i++) {
      javaRatios[i] = javaCpu[1][i] / javaCpu[0][i];
      senderRatios[i] = senderCpu[1][i] / senderCpu[0][i];
    }
    System.out.printf("CPU per record 1,000 vs 4 shards: median of the rounds' ratios %.2f (%s; target <= 1.2); "
        + "Java threads only %.2f, sender thread %.2f; heap per extra shard %,.0f bytes%n", median(ratios),
        range(ratios, "%.2f"), median(javaRatios), median(senderRatios), (median(heap[1]) - median(heap[0])) / 996);
  }

  /**
   * Returns {client CPU us per record, records/s, ms from build() to the first acknowledgement, producer heap
   * bytes, us per record of the Java threads but the service's (ThreadMXBean: no GC or JIT), us per record of
   * the sender thread, us per record of the fake's service thread}.
   */
  private static double[] scaleRun(List<KinesisRecord> rs, int shards, int round) {
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    FakeKinesisAsyncClient fake = FakeKinesisAsyncClient.builder().enforceShardLimits(false).stream("bench", shards)
        .build();
    try (ServiceThreadKinesis kinesis = new ServiceThreadKinesis(fake)) {
      long baseline = heapAfterGc(mem);
      long cpu0 = clientCpuNanos();
      long java0 = threadCpuNanos("");
      long built = System.nanoTime();
      ResilientProducer p = ResilientProducer.builder(kinesis).streamName("bench")
          .clientId("bench-scale-" + shards + "-" + round)
          .shardLimits(1_000_000, 1024 * BatchLimits.MIB).build();
      AtomicLong firstAck = new AtomicLong();
      long start = System.nanoTime();
      CompletableFuture<RecordResult> first = p.send(rs.get(0));
      first.whenComplete((r, e) -> firstAck.compareAndSet(0, System.nanoTime()));
      for (int i = 1; i < rs.size(); i++) {
        p.send(rs.get(i));
      }
      p.flush().join();
      long end = System.nanoTime();
      long cpu = clientCpuNanos() - cpu0;
      long javaThreads = threadCpuNanos("") - java0;
      long sender = threadCpuNanos("kinesis-resilient-sender-");
      long service = serviceCpuNanos(); // the service thread started with this run
      ProducerStats st = p.stats();
      if (st.acknowledged() != rs.size() || fake.storedRecords("bench").size() != rs.size()) {
        throw new IllegalStateException("acknowledged " + st.acknowledged() + " of " + rs.size());
      }
      // The producer's own heap after the run: with it, minus without it (the fake's stored records stay).
      long with = heapAfterGc(mem);
      p.close(Duration.ofSeconds(10));
      p = null;
      first = null;
      long without = heapAfterGc(mem);
      if (baseline < 0) {
        throw new IllegalStateException();
      }
      return new double[] {cpu / 1e3 / rs.size(), rs.size() / ((end - start) / 1e9), (firstAck.get() - built) / 1e6,
          with - without, javaThreads / 1e3 / rs.size(), sender / 1e3 / rs.size(), service / 1e3 / rs.size()};
    }
  }

  // ------------------------------------------------------------------ four producers sharing 4 shards

  static void shared(int seconds, int producers) {
    int shards = 4;
    int capacity = shards * 1000;
    int perProducer = 2 * capacity / producers;
    System.out.printf("%n== shared: %d producers (separate builders) sharing %d shards with real limits (%,d records/s), "
        + "each offered %,d records/s of 100 bytes for %d s, %d ms RTT%n", producers, shards, capacity, perProducer,
        seconds, RTT.toMillis());
    FakeKinesisAsyncClient fake = FakeKinesisAsyncClient.builder().stream("bench", shards).build();
    ScheduledExecutorService rtt = rttScheduler();
    fake.delayResponses(RTT, rtt);
    ResilientProducer[] ps = new ResilientProducer[producers];
    for (int j = 0; j < producers; j++) {
      ps[j] = ResilientProducer.builder(fake).streamName("bench").clientId("bench-shared-" + j)
          .maxBufferedBytes(8 * BatchLimits.MIB).build();
    }
    long[] offered = new long[producers];
    long[] refused = new long[producers];
    long start = System.nanoTime();
    long end = start + TimeUnit.SECONDS.toNanos(seconds);
    long n = 0;
    List<Long> throttledPerSecond = new ArrayList<>();
    long nextSample = start + TimeUnit.SECONDS.toNanos(1);
    long throttledBefore = 0;
    while (System.nanoTime() < end) {
      if (System.nanoTime() >= nextSample) {
        long t = 0;
        for (ResilientProducer p : ps) {
          t += p.stats().throttledEntries();
        }
        throttledPerSecond.add(t - throttledBefore);
        throttledBefore = t;
        nextSample += TimeUnit.SECONDS.toNanos(1);
      }
      long due = start + (long) (n * (1e9 / (2 * capacity)));
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      int j = (int) (n % producers);
      n++;
      offered[j]++;
      Optional<CompletableFuture<RecordResult>> f =
          ps[j].trySend(KinesisRecord.of("p" + j + "-" + offered[j], new byte[100]));
      if (f.isEmpty()) {
        refused[j]++;
      }
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    long[] acked = new long[producers];
    long totalAcked = 0;
    for (int j = 0; j < producers; j++) {
      acked[j] = ps[j].stats().acknowledged();
      totalAcked += acked[j];
    }
    long throttled = 0;
    long lost = 0;
    for (int j = 0; j < producers; j++) {
      ps[j].flush().join();
      ProducerStats s = ps[j].stats();
      throttled += s.throttledEntries();
      System.out.printf("  producer %d: acknowledged in the window %,d (%.1f%% of a fair share), refused by its full "
              + "buffer %.0f%% of offered, throttled entries %,d, failed %d%n", j, acked[j],
          100.0 * acked[j] / (elapsed * capacity / producers), 100.0 * refused[j] / offered[j], s.throttledEntries(),
          s.failed());
      lost += s.sent() - s.failed();
      ps[j].close(Duration.ofSeconds(30));
    }
    rtt.shutdownNow();
    long entries = fake.putRecordsRequests().stream().mapToLong(r -> r.records().size()).sum();
    lost -= fake.storedRecords("bench").size();
    double sum = 0;
    double squares = 0;
    for (long a : acked) {
      sum += a;
      squares += (double) a * a;
    }
    double jain = sum * sum / (producers * squares);
    System.out.printf("  throttled entries per second: %s%n", throttledPerSecond);
    System.out.printf("shared: goodput %.1f%% of capacity (target >= 95%%), throttled %.2f%% of %,d entries sent "
            + "(target <= 5%%), Jain's fairness %.3f (target >= 0.9), lost %d%n", 100.0 * totalAcked / (elapsed * capacity),
        100.0 * throttled / entries, entries, jain, lost);
  }

  // ------------------------------------------------------------------ rate-limited vs raised

  static void rateLimited(int records, int rounds) {
    System.out.printf("%n== ratelimited: CPU per record, 4 shards, %,d records sent with send() then flush(), default "
        + "shard limits binding (fake with real limits) vs raised (fake unlimited, producer shardLimits raised), "
        + "%d rounds alternating after a warm-up%n", records, rounds);
    for (boolean aggregate : new boolean[] {false, true}) {
      int size = aggregate ? 1000 : 100;
      List<KinesisRecord> rs = new ArrayList<>(records);
      for (int i = 0; i < records; i++) {
        rs.add(KinesisRecord.of("k" + i, new byte[size]));
      }
      double[][] cpu = new double[2][rounds];
      double[][] rate = new double[2][rounds];
      double[][] noJit = new double[2][rounds];
      double[][] senderCpu = new double[2][rounds];
      for (int round = 0; round <= rounds; round++) {
        for (int k = 0; k < 2; k++) {
          boolean limited = (round % 2 == 0) == (k == 0);
          double[] m = rateLimitedRun(rs, limited, aggregate, round);
          System.out.printf("%s %d %s, %s: client CPU %.2f us/record (without the JIT compiler's %.2f, sender %.2f), "
              + "%,.0f records/s, throttled entries %,.0f, %,.0f requests (%.1f records each)%n",
              round == 0 ? "warm-up" : "round", round, aggregate ? "aggregated 1,000-byte" : "plain 100-byte",
              limited ? "limits binding" : "limits raised ", m[0], m[5], m[3], m[1], m[2], m[4], rs.size() / m[4]);
          if (round > 0) {
            cpu[limited ? 1 : 0][round - 1] = m[0];
            rate[limited ? 1 : 0][round - 1] = m[1];
            noJit[limited ? 1 : 0][round - 1] = m[5];
            senderCpu[limited ? 1 : 0][round - 1] = m[3];
          }
        }
      }
      double[] ratios = new double[rounds];
      for (int i = 0; i < rounds; i++) {
        ratios[i] = cpu[1][i] / cpu[0][i];
      }
      double[] noJitRatios = new double[rounds];
      double[] senderRatios = new double[rounds];
      for (int i = 0; i < rounds; i++) {
        noJitRatios[i] = noJit[1][i] / noJit[0][i];
        senderRatios[i] = senderCpu[1][i] / senderCpu[0][i];
      }
      System.out.printf("median %s: limits binding %.2f us/record (%,.0f records/s), raised %.2f us/record (%,.0f "
              + "records/s); median ratio %.2f (%s; target <= 1.1); without the JIT compiler's CPU %.2f vs %.2f us/record, "
              + "ratio %.2f; sender thread %.2f vs %.2f, ratio %.2f%n", aggregate ? "aggregated 1,000-byte"
              : "plain 100-byte", median(cpu[1]), median(rate[1]), median(cpu[0]), median(rate[0]), median(ratios),
          range(ratios, "%.2f"), median(noJit[1]), median(noJit[0]), median(noJitRatios), median(senderCpu[1]),
          median(senderCpu[0]), median(senderRatios));
    }
  }

  /**
   * Returns {client CPU us per record, records/s, throttled entries, sender thread's CPU us per record,
   * PutRecords requests, client CPU us per record without the JIT compiler threads'}.
   */
  private static double[] rateLimitedRun(List<KinesisRecord> rs, boolean limited, boolean aggregate, int round) {
    FakeKinesisAsyncClient fake = FakeKinesisAsyncClient.builder().enforceShardLimits(limited).stream("bench", 4)
        .build();
    try (ServiceThreadKinesis kinesis = new ServiceThreadKinesis(fake)) {
      var b = ResilientProducer.builder(kinesis).streamName("bench")
          .clientId("bench-rl-" + (limited ? "on-" : "off-") + round).aggregation(aggregate)
          .deliveryTimeout(Duration.ofMinutes(5)).maxBlockTime(Duration.ofMinutes(5));
      if (!limited) {
        b.shardLimits(1_000_000, 1024 * BatchLimits.MIB);
      }
      ResilientProducer p = b.build();
      System.gc();
      java.util.Map<String, Long> ticks0 = procThreadTicks();
      long cpu0 = clientCpuNanos();
      long start = System.nanoTime();
      for (KinesisRecord r : rs) {
        p.send(r);
      }
      p.flush().join();
      long end = System.nanoTime();
      long cpu = clientCpuNanos() - cpu0;
      long sender = threadCpuNanos("kinesis-resilient-sender-");
      java.util.Map<String, Long> ticks1 = procThreadTicks();
      long jitNanos = 0;
      for (java.util.Map.Entry<String, Long> e : ticks1.entrySet()) {
        if (e.getKey().contains("CompilerThre")) {
          jitNanos += (e.getValue() - ticks0.getOrDefault(e.getKey(), 0L)) * 10_000_000L;
        }
      }
      System.out.printf("    CPU by thread (/proc, 10 ms ticks): %s%n", topThreads(ticks0, ticks1, 6));
      ProducerStats st = p.stats();
      p.close(Duration.ofSeconds(10));
      if (st.acknowledged() != rs.size()) {
        throw new IllegalStateException("acknowledged " + st.acknowledged() + " of " + rs.size() + ": " + st);
      }
      return new double[] {cpu / 1e3 / rs.size(), rs.size() / ((end - start) / 1e9), st.throttledEntries(),
          sender / 1e3 / rs.size(), fake.putRecordsRequests().size(), (cpu - jitNanos) / 1e3 / rs.size()};
    }
  }
}
