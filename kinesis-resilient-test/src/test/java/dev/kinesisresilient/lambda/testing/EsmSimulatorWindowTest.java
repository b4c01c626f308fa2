package dev.kinesisresilient.lambda.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.KinesisTimeWindowEvent;
import com.amazonaws.services.lambda.runtime.events.TimeWindowEventResponse;
import dev.kinesisresilient.core.RetryPolicy;
import dev.kinesisresilient.core.testing.FakeKinesisAsyncClient;
import dev.kinesisresilient.core.testing.ManualClock;
import dev.kinesisresilient.lambda.StreamRecord;
import dev.kinesisresilient.lambda.TumblingWindowProcessor;
import dev.kinesisresilient.lambda.WindowState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;

/**
 * The simulator's tumbling windows (TumblingWindowInSeconds) with the TumblingWindowProcessor: state
 * passed from one invocation of a window to the next, the final invocation, partial failures inside a
 * window, a missing state, early termination over the state limit, and a failing final invocation.
 */
final class EsmSimulatorWindowTest {

  private static final int WINDOW_SECONDS = 60;

  private final ManualClock clock = ManualClock.create(); // 2026-01-01T00:00:00Z: a window boundary
  private final FakeKinesisAsyncClient kinesis = FakeKinesisAsyncClient.builder().clock(clock)
      .enforceShardLimits(false).stream("clicks", 1).build();

  /** What one invocation received. */
  private record Seen(List<String> keys, Map<String, String> state, String windowStart, boolean fin, boolean early) {}

  private final List<Seen> seen = new ArrayList<>();
  private final List<String> windowEnds = new ArrayList<>();

  private void put(String key) {
    kinesis.putRecord(b -> b.streamName("clicks").partitionKey(key).data(SdkBytes.fromUtf8String("{}"))).join();
  }

  private static WindowState count(WindowState state, StreamRecord r) {
    return state.with(r.partitionKey(), Long.toString(Long.parseLong(state.getOrDefault(r.partitionKey(), "0")) + 1));
  }

  private <T> RequestHandler<KinesisTimeWindowEvent, T> recording(RequestHandler<KinesisTimeWindowEvent, T> h) {
    return (event, context) -> {
      List<String> keys = new ArrayList<>();
      for (KinesisEvent.KinesisEventRecord r : event.getRecords()) {
        keys.add(r.getKinesis().getPartitionKey());
      }
      seen.add(new Seen(keys, new TreeMap<>(event.getState()), event.getWindow().getStart(),
          event.getIsFinalInvokeForWindow(), event.getIsWindowTerminatedEarly()));
      return h.handleRequest(event, context);
    };
  }

  private TumblingWindowProcessor.Builder counting() {
    return TumblingWindowProcessor.builder(EsmSimulatorWindowTest::count)
        .windowEndHandler((w, s) -> windowEnds.add(w.start() + " " + new TreeMap<>(s.asMap())))
        .clock(clock).sleeper(clock::advance);
  }

  private EsmSimulator.Builder simulator(RequestHandler<KinesisTimeWindowEvent, ?> handler,
      EventSourceMappingConfig.Builder mapping) {
    return EsmSimulator.windowedBuilder(kinesis, "clicks", recording(handler))
        .mapping(mapping.tumblingWindowInSeconds(WINDOW_SECONDS).build())
        .clock(clock).functionTimeout(Duration.ofSeconds(10));
  }

  @Test
  void runUntilIdle_stateCarriedAcrossInvocationsOfAWindow_thenOneFinalInvocationWithTheCompleteState() {
    for (String k : List.of("a", "b", "a", "c", "a")) {
      put(k);
    }
    TumblingWindowProcessor p = counting().build();
    EsmSimulator esm = simulator(p::handleRequest, EventSourceMappingConfig.recommended().batchSize(2)).build();
    esm.runUntilIdle();

    String w0 = "2026-01-01T00:00:00Z";
    assertThat(seen).containsExactly(
        new Seen(List.of("a", "b"), Map.of(), w0, false, false),
        new Seen(List.of("a", "c"), Map.of("a", "1", "b", "1"), w0, false, false),
        new Seen(List.of("a"), Map.of("a", "2", "b", "1", "c", "1"), w0, false, false),
        new Seen(List.of(), Map.of("a", "3", "b", "1", "c", "1"), w0, true, false));
    assertThat(windowEnds).containsExactly(w0 + " {a=3, b=1, c=1}");
    // the final invocation waited for the window's end on the simulator's clock
    assertThat(clock.instant()).isAfterOrEqualTo(Instant.parse(w0).plusSeconds(WINDOW_SECONDS));
    assertThat(esm.trace().committed()).hasSize(5);
  }

  @Test
  void runUntilIdle_recordsOfTwoWindows_neverShareABatchAndTheNextWindowStartsEmpty() {
    put("a");
    put("a");
    clock.advance(Duration.ofSeconds(WINDOW_SECONDS));
    put("b");
    TumblingWindowProcessor p = counting().build();
    simulator(p::handleRequest, EventSourceMappingConfig.recommended().batchSize(100)).build().runUntilIdle();

    assertThat(seen).extracting(Seen::keys, Seen::state, Seen::fin).containsExactly(
        org.assertj.core.groups.Tuple.tuple(List.of("a", "a"), Map.of(), false),
        org.assertj.core.groups.Tuple.tuple(List.of(), Map.of("a", "2"), true),
        org.assertj.core.groups.Tuple.tuple(List.of("b"), Map.of(), false),
        org.assertj.core.groups.Tuple.tuple(List.of(), Map.of("b", "1"), true));
    assertThat(windowEnds).containsExactly("2026-01-01T00:00:00Z {a=2}", "2026-01-01T00:01:00Z {b=1}");
  }

  @Test
  void runUntilIdle_partialFailureInsideAWindow_retriedFromTheRecordWithTheReturnedState_countedOnce() {
    for (String k : List.of("a", "b", "flaky", "a", "c")) {
      put(k);
    }
    Set<String> failedOnce = new HashSet<>();
    TumblingWindowProcessor p = TumblingWindowProcessor.builder((s, r) -> {
          if (r.partitionKey().equals("flaky") && failedOnce.add(r.sequenceNumber())) {
            throw new IllegalStateException("transient");
          }
          return count(s, r);
        })
        .windowEndHandler((w, s) -> windowEnds.add(new TreeMap<>(s.asMap()).toString()))
        .retryPolicy(RetryPolicy.builder().maxAttempts(1).build()).clock(clock).build();
    EsmSimulator esm = simulator(p::handleRequest, EventSourceMappingConfig.recommended().batchSize(10)).build();
    esm.runUntilIdle();

    assertThat(esm.trace().invocations()).extracting(SimulatorTrace.Invocation::outcome).containsExactly(
        SimulatorTrace.Outcome.PARTIAL_FAILURE, SimulatorTrace.Outcome.SUCCESS, SimulatorTrace.Outcome.SUCCESS);
    assertThat(seen.get(1).keys()).containsExactly("flaky", "a", "c");
    assertThat(seen.get(1).state()).isEqualTo(Map.of("a", "1", "b", "1"));
    assertThat(windowEnds).containsExactly("{a=2, b=1, c=1, flaky=1}");
    assertThat(esm.trace().discarded()).isEmpty();
  }

  @Test
  void runUntilIdle_poisonPillWithoutSinkAtAnyPosition_onlyItIsDiscardedAndEveryHealthyRecordCountedOnce() {
    for (int pillAt : new int[] {0, 2, 4}) {
      FakeKinesisAsyncClient k = FakeKinesisAsyncClient.builder().clock(clock).enforceShardLimits(false)
          .stream("clicks", 1).build();
      for (int i = 0; i < 5; i++) {
        String key = i == pillAt ? "pill" : "k" + i;
        k.putRecord(b -> b.streamName("clicks").partitionKey(key).data(SdkBytes.fromUtf8String("{}"))).join();
      }
      List<String> ends = new ArrayList<>();
      TumblingWindowProcessor p = TumblingWindowProcessor.builder((s, r) -> {
            if (r.partitionKey().equals("pill")) {
              throw new IllegalStateException("always");
            }
            return count(s, r);
          })
          .windowEndHandler((w, s) -> ends.add(new TreeMap<>(s.asMap()).toString()))
          .retryPolicy(RetryPolicy.builder().maxAttempts(1).build()).clock(clock).build();
      EsmSimulator esm = EsmSimulator.windowedBuilder(k, "clicks", p::handleRequest)
          .mapping(EventSourceMappingConfig.recommended().batchSize(100).tumblingWindowInSeconds(WINDOW_SECONDS)
              .build())
          .clock(clock).functionTimeout(Duration.ofSeconds(10)).build();
      esm.runUntilIdle();

      String pill = k.storedRecords("clicks").get(pillAt).sequenceNumber();
      assertThat(esm.trace().discarded()).as("pill at %d", pillAt).containsExactly(pill);
      List<String> healthy = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        if (i != pillAt) {
          healthy.add("k" + i + "=1");
        }
      }
      assertThat(ends).as("pill at %d", pillAt).containsExactly("{" + String.join(", ", healthy) + "}");
    }
  }

  @Test
  void runUntilIdle_responseWithoutState_isAFailedInvocationAndRetriedWithThePreviousState() {
    put("a");
    put("b");
    int[] calls = {0};
    RequestHandler<KinesisTimeWindowEvent, Object> raw = (event, context) -> {
      if (calls[0]++ == 0) {
        return Map.of("batchItemFailures", List.of()); // no state
      }
      Map<String, String> state = new LinkedHashMap<>(event.getState());
      event.getRecords().forEach(r -> state.merge(r.getKinesis().getPartitionKey(), "1", (x, y) -> x + y));
      return new TimeWindowEventResponse(state, List.of());
    };
    EsmSimulator esm = simulator(raw, EventSourceMappingConfig.recommended().bisectBatchOnFunctionError(false)).build();
    esm.runUntilIdle();
    assertThat(esm.trace().invocations()).extracting(SimulatorTrace.Invocation::outcome).containsExactly(
        SimulatorTrace.Outcome.INVALID_RESPONSE, SimulatorTrace.Outcome.SUCCESS, SimulatorTrace.Outcome.SUCCESS);
    assertThat(seen.get(1)).isEqualTo(new Seen(List.of("a", "b"), Map.of(), "2026-01-01T00:00:00Z", false, false));
    assertThat(seen.get(2).state()).isEqualTo(Map.of("a", "1", "b", "1"));
  }

  @Test
  void runUntilIdle_stateOverTheLimit_endsTheWindowEarlyAndItContinuesWithAFreshState() {
    for (int i = 0; i < 6; i++) {
      put("k" + i);
    }
    RequestHandler<KinesisTimeWindowEvent, TimeWindowEventResponse> raw = (event, context) -> {
      Map<String, String> state = new LinkedHashMap<>(event.getState());
      event.getRecords().forEach(r -> state.put(r.getKinesis().getPartitionKey(), "x".repeat(50)));
      return new TimeWindowEventResponse(state, List.of());
    };
    EsmSimulator esm = simulator(raw, EventSourceMappingConfig.recommended().batchSize(2))
        .maxWindowStateBytes(100).build();
    esm.runUntilIdle();

    // two entries of 57 bytes pass 100 bytes: each pair of records ends the window early; at the
    // window's end the (fresh, empty) state gets the ordinary final invocation
    assertThat(seen).extracting(Seen::keys, Seen::fin, Seen::early).containsExactly(
        org.assertj.core.groups.Tuple.tuple(List.of("k0", "k1"), false, false),
        org.assertj.core.groups.Tuple.tuple(List.of(), true, true),
        org.assertj.core.groups.Tuple.tuple(List.of("k2", "k3"), false, false),
        org.assertj.core.groups.Tuple.tuple(List.of(), true, true),
        org.assertj.core.groups.Tuple.tuple(List.of("k4", "k5"), false, false),
        org.assertj.core.groups.Tuple.tuple(List.of(), true, true),
        org.assertj.core.groups.Tuple.tuple(List.of(), true, false));
    assertThat(seen.get(1).state()).containsOnlyKeys("k0", "k1");
    assertThat(seen.get(2).state()).isEmpty();
    assertThat(seen).extracting(Seen::windowStart).containsOnly("2026-01-01T00:00:00Z");
  }

  @Test
  void runUntilIdle_finalInvocationFails_retriedUntilItSucceedsWithoutRedeliveringRecords() {
    put("a");
    int[] ends = {0};
    TumblingWindowProcessor p = TumblingWindowProcessor.builder(EsmSimulatorWindowTest::count)
        .windowEndHandler((w, s) -> {
          if (++ends[0] <= 2) {
            throw new java.io.IOException("table unavailable");
          }
        })
        .retryPolicy(RetryPolicy.builder().maxAttempts(1).build()).clock(clock).build();
    EsmSimulator esm = simulator(p::handleRequest, EventSourceMappingConfig.recommended().maximumRetryAttempts(0))
        .build();
    esm.runUntilIdle();
    assertThat(esm.trace().invocations()).extracting(SimulatorTrace.Invocation::outcome).containsExactly(
        SimulatorTrace.Outcome.SUCCESS, SimulatorTrace.Outcome.FUNCTION_ERROR, SimulatorTrace.Outcome.FUNCTION_ERROR,
        SimulatorTrace.Outcome.SUCCESS);
    assertThat(seen.subList(1, 4)).allSatisfy(s -> {
      assertThat(s.fin()).isTrue();
      assertThat(s.state()).isEqualTo(Map.of("a", "1"));
    });
    assertThat(esm.trace().redelivered()).isEmpty();
    assertThat(esm.trace().discarded()).isEmpty();
  }

  @Test
  void build_tumblingWindowWithParallelizationFactor_rejected() {
    TumblingWindowProcessor p = counting().build();
    assertThatThrownBy(() -> EsmSimulator.windowedBuilder(kinesis, "clicks", p::handleRequest)
        .mapping(EventSourceMappingConfig.recommended().tumblingWindowInSeconds(60).parallelizationFactor(2).build())
        .build()).isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("ParallelizationFactor");
  }
}
