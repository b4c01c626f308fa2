package dev.kinesisresilient.lambda.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kinesisresilient.core.RetryPolicy;
import dev.kinesisresilient.core.testing.FakeKinesisAsyncClient;
import dev.kinesisresilient.core.testing.ManualClock;
import dev.kinesisresilient.core.testing.StoredRecord;
import dev.kinesisresilient.lambda.KinesisBatchProcessor;
import dev.kinesisresilient.lambda.internal.Json;
import dev.kinesisresilient.lambda.testing.EsmSimulator.BisectRetryCounting;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.core.SdkBytes;

/**
 * Issue 10 item 1, end to end: the processor inside the simulated event source mapping with the
 * recommended settings and no working quarantine sink. A poison record must end at the on-failure
 * destination alone; every healthy record is handled, exactly once, and committed. Checked with the
 * documented bisect rule (a split uses no retry attempt) and with the opposite assumption.
 */
final class EsmSimulatorPoisonPillTest {

  private final ManualClock clock = ManualClock.create();
  private final FakeKinesisAsyncClient kinesis = FakeKinesisAsyncClient.builder().clock(clock)
      .enforceShardLimits(false).stream("orders", 1).build();

  /** How the quarantine sink fails. */
  enum Sink { NONE, THROWS }

  static Stream<Arguments> fiveRecords() {
    List<Arguments> out = new ArrayList<>();
    for (int position : new int[] {1, 3, 5}) {
      for (BisectRetryCounting counting : BisectRetryCounting.values()) {
        for (Sink sink : Sink.values()) {
          out.add(Arguments.of(position, counting, sink));
        }
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "poison at {0} of 5, {1}, sink {2}")
  @MethodSource("fiveRecords")
  void recommendedMapping_poisonInBatchOfFive_onlyThePoisonDiscarded(int position, BisectRetryCounting counting,
      Sink sink) {
    run(5, new TreeSet<>(List.of(position)), counting, sink);
  }

  static Stream<Arguments> batchesOfHundred() {
    List<List<Integer>> sets = new ArrayList<>(List.of(
        List.of(1), List.of(2), List.of(50), List.of(100), List.of(101), List.of(300),
        List.of(1, 2, 3), List.of(99, 100, 101), List.of(1, 37, 64, 100, 163, 250, 251, 300)));
    SplittableRandom random = new SplittableRandom(10);
    for (int s = 0; s < 6; s++) {
      List<Integer> set = new ArrayList<>();
      int n = 1 + random.nextInt(8);
      for (int i = 0; i < n; i++) {
        set.add(1 + random.nextInt(300));
      }
      sets.add(set);
    }
    List<Arguments> out = new ArrayList<>();
    for (List<Integer> set : sets) {
      for (BisectRetryCounting counting : BisectRetryCounting.values()) {
        out.add(Arguments.of(set, counting, set.size() % 2 == 0 ? Sink.NONE : Sink.THROWS));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "poison at {0} of 300, batches of 100, {1}, sink {2}")
  @MethodSource("batchesOfHundred")
  void recommendedMapping_poisonsInBatchesOfHundred_onlyThePoisonsDiscarded(List<Integer> positions,
      BisectRetryCounting counting, Sink sink) {
    run(300, new TreeSet<>(positions), counting, sink);
  }

  private void run(int records, TreeSet<Integer> poisonPositions, BisectRetryCounting counting, Sink sink) {
    for (int i = 1; i <= records; i++) {
      String kind = poisonPositions.contains(i) ? "pill" : "ok";
      String json = "{\"i\":" + i + ",\"kind\":\"" + kind + "\"}";
      kinesis.putRecord(b -> b.streamName("orders").partitionKey("user-" + json.length())
          .data(SdkBytes.fromUtf8String(json))).join();
    }
    List<StoredRecord> stored = kinesis.storedRecords("orders");
    List<String> poison = new ArrayList<>();
    List<String> healthy = new ArrayList<>();
    for (StoredRecord r : stored) {
      (r.dataAsUtf8().contains("pill") ? poison : healthy).add(r.sequenceNumber());
    }

    Map<String, Integer> handled = new HashMap<>();
    KinesisBatchProcessor.Builder processor = KinesisBatchProcessor.builder(r -> {
          if (r.dataAsString().contains("pill")) {
            throw new IllegalStateException("cannot process order");
          }
          handled.merge(r.sequenceNumber(), 1, Integer::sum);
        })
        .clock(clock).sleeper(clock::advance)
        .retryPolicy(RetryPolicy.builder().maxAttempts(2).baseDelay(Duration.ofMillis(10))
            .maxDelay(Duration.ofMillis(50)).deadline(Duration.ofSeconds(2)).build());
    if (sink == Sink.THROWS) {
      processor.quarantineSink((q, left) -> {
        throw new IllegalStateException("quarantine stream unavailable");
      });
    }
    KinesisBatchProcessor p = processor.build();
    EventSourceMappingConfig mapping = EventSourceMappingConfig.recommended().build();
    assertThat(mapping.batchSize()).isEqualTo(100);
    EsmSimulator esm = EsmSimulator.builder(kinesis, "orders", p::handleRequest)
        .mapping(mapping).bisectRetryCounting(counting)
        .clock(clock).functionTimeout(Duration.ofSeconds(30)).build();
    esm.runUntilIdle();
    SimulatorTrace trace = esm.trace();

    // Only the poison records were given up on, each alone in its on-failure record.
    assertThat(trace.discarded()).containsExactlyInAnyOrderElementsOf(poison);
    assertThat(esm.onFailureRecords()).hasSize(poison.size()).allSatisfy(json -> {
      Map<?, ?> info = (Map<?, ?>) Json.parseObject(json).get("KinesisBatchInfo");
      assertThat(info.get("batchSize").toString()).isEqualTo("1");
      assertThat(info.get("startSequenceNumber")).isEqualTo(info.get("endSequenceNumber")).isIn(poison.toArray());
    });
    // Every healthy record was committed and handled exactly once: nothing lost, no duplicate.
    assertThat(trace.committed()).containsAll(healthy).doesNotContainAnyElementsOf(poison);
    assertThat(handled.keySet()).containsExactlyInAnyOrderElementsOf(healthy);
    assertThat(handled).allSatisfy((seq, n) -> assertThat(n).as(seq).isEqualTo(1));
  }
}
