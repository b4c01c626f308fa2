package dev.kinesisresilient.benchmarks.kpl;

import java.net.URI;
import java.util.SplittableRandom;

/**
 * One run in a JVM of its own, started by {@link KplComparison}: makes the producer, sends the records
 * and prints one {@link RunResult} line.
 *
 * <p>Arguments: {@code setup endpoint stream recordBytes records warmupRecords clockTicksPerSecond}.
 * With {@code warmupRecords} 0 (a fresh-JVM run) the measured part starts before the producer is made, so
 * its start-up (the KPL: extracting and starting its native binary) counts; otherwise the warm-up records
 * go first, through the same producer, and the measured part is the {@code records} after them.
 */
public final class KplBenchRunner {
  private KplBenchRunner() {}

  /**
   * Runs.
   *
   * @param args see the class comment
   */
  public static void main(String[] args) {
    if (args.length != 7) {
      throw new IllegalArgumentException(
          "usage: KplBenchRunner setup endpoint stream recordBytes records warmupRecords clockTicksPerSecond");
    }
    Setup setup = Setup.byId(args[0]);
    URI endpoint = URI.create(args[1]);
    String stream = args[2];
    int recordBytes = Integer.parseInt(args[3]);
    int records = Integer.parseInt(args[4]);
    int warmup = Integer.parseInt(args[5]);
    long clkTck = Long.parseLong(args[6]);

    byte[] data = new byte[recordBytes];
    new SplittableRandom(42).nextBytes(data);
    String[] warmupKeys = keys("w", warmup);
    String[] keys = keys("m", records);

    RunResult result;
    if (warmup == 0) {
      ProcStat.Sample cpu0 = ProcStat.Sample.now();
      long t0 = System.nanoTime();
      try (Contender c = Contender.create(setup, endpoint, stream, recordBytes)) {
        for (String k : keys) {
          c.send(k, data);
        }
        long[] done = c.finish();
        long t1 = System.nanoTime();
        ProcStat.Sample cpu1 = ProcStat.Sample.now();
        result = new RunResult(records, done[0], done[1], (t1 - t0) / 1e9, ProcStat.ticksBetween(cpu0, cpu1), clkTck);
      }
    } else {
      try (Contender c = Contender.create(setup, endpoint, stream, recordBytes)) {
        for (String k : warmupKeys) {
          c.send(k, data);
        }
        long[] before = c.finish();
        ProcStat.Sample cpu0 = ProcStat.Sample.now();
        long t0 = System.nanoTime();
        for (String k : keys) {
          c.send(k, data);
        }
        long[] done = c.finish();
        long t1 = System.nanoTime();
        ProcStat.Sample cpu1 = ProcStat.Sample.now();
        result = new RunResult(records, done[0] - before[0], done[1] - before[1], (t1 - t0) / 1e9,
            ProcStat.ticksBetween(cpu0, cpu1), clkTck);
      }
    }
    System.out.println(result.toLine());
    System.out.flush();
    // The KPL's and the SDK's non-daemon threads must not keep the JVM.
    System.exit(0);
  }

  /** Distinct partition keys, made before the measured part. */
  private static String[] keys(String prefix, int n) {
    String[] k = new String[n];
    SplittableRandom random = new SplittableRandom(prefix.hashCode());
    for (int i = 0; i < n; i++) {
      k[i] = prefix + Long.toHexString(random.nextLong()) + i;
    }
    return k;
  }
}
