package dev.kinesisresilient.benchmarks;

import dev.kinesisresilient.core.KinesisRecord;
import dev.kinesisresilient.core.aggregation.AggregateBuilder;
import dev.kinesisresilient.core.aggregation.KplAggregation;
import dev.kinesisresilient.core.aggregation.UserRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import software.amazon.awssdk.core.SdkBytes;

/**
 * Encode and decode throughput of the KPL aggregation codec, in user records per second on one
 * thread: aggregates of {@value #SUBS} records of {@code size} bytes over 100 distinct keys.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
public class AggregationBenchmark {

  static final int SUBS = 1000;

  /** Data bytes per user record. */
  @Param({"100"})
  public int size;

  private List<KinesisRecord> records;
  private SdkBytes aggregate;

  /** Builds the inputs. */
  @Setup
  public void setup() {
    SplittableRandom random = new SplittableRandom(1);
    records = new ArrayList<>(SUBS);
    for (int i = 0; i < SUBS; i++) {
      byte[] data = new byte[size];
      random.nextBytes(data);
      records.add(KinesisRecord.of("user-" + random.nextInt(100), data));
    }
    aggregate = SdkBytes.fromByteArray(KplAggregation.encode(records));
  }

  /**
   * Packs {@value #SUBS} records with size accounting, as a producer does.
   *
   * @return the aggregate
   */
  @Benchmark
  @OperationsPerInvocation(SUBS)
  public byte[] encode() {
    AggregateBuilder b = new AggregateBuilder(Long.MAX_VALUE);
    for (KinesisRecord r : records) {
      b.tryAdd(r);
    }
    return b.build();
  }

  /**
   * Verifies the MD5 and unpacks {@value #SUBS} records.
   *
   * @return the user records
   */
  @Benchmark
  @OperationsPerInvocation(SUBS)
  public List<UserRecord> decode() {
    return KplAggregation.decode(aggregate, "outer", null);
  }
}
