package dev.kinesisresilient.examples;

import dev.kinesisresilient.core.HashKeys;
import dev.kinesisresilient.core.KinesisRecord;
import dev.kinesisresilient.core.aggregation.AggregateBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Issue 14's timing loop for two core costs on one thread (a harness, not a timed test; JMH lives in the
 * benchmarks module): {@code HashKeys.md5} of 100 repeated partition keys and of unique ones (each a new
 * {@code String}), and packing 1,000 records of 100 bytes over 100 keys into an aggregate ({@code tryAdd},
 * then {@code build}). Five rounds; the last ones are warm. Run with {@code mvn -B -q -pl examples -am
 * -DskipTests package exec:java -Ddemo.main=dev.kinesisresilient.examples.CoreMicroBenchmark}.
 */
public final class CoreMicroBenchmark {
  private static volatile Object sink;

  private CoreMicroBenchmark() {}

  /**
   * Runs the loop.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    String[] few = new String[100];
    for (int i = 0; i < few.length; i++) {
      few[i] = "user-" + i;
    }
    int n = 2_000_000;
    String[] unique = new String[n];
    for (int i = 0; i < n; i++) {
      unique[i] = "k" + i;
    }
    SplittableRandom random = new SplittableRandom(1);
    List<KinesisRecord> records = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      byte[] data = new byte[100];
      random.nextBytes(data);
      records.add(KinesisRecord.of("user-" + random.nextInt(100), data));
    }
    for (int round = 0; round < 5; round++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        sink = HashKeys.md5(few[i % few.length]);
      }
      long t1 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        sink = HashKeys.md5(new String(unique[i].toCharArray()));
      }
      long t2 = System.nanoTime();
      int users = 0;
      for (int k = 0; k < 1000; k++) {
        AggregateBuilder b = new AggregateBuilder(Long.MAX_VALUE);
        for (KinesisRecord r : records) {
          b.tryAdd(r);
        }
        sink = b.build();
        users += records.size();
      }
      long t3 = System.nanoTime();
      System.out.printf("round %d: md5 of 100 repeated keys %.0f ns/call, unique keys %.0f ns/call, aggregate (tryAdd "
          + "and build, 100 keys, 100 B) %.0f ns/user record%n", round, (t1 - t0) / (double) n, (t2 - t1) / (double) n,
          (t3 - t2) / (double) users);
    }
  }
}
