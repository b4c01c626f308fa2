package dev.kinesisresilient.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.KinesisTimeWindowEvent;
import com.amazonaws.services.lambda.runtime.events.TimeWindowEventResponse;
import dev.kinesisresilient.core.KinesisRecord;
import dev.kinesisresilient.core.RetryPolicy;
import dev.kinesisresilient.core.testing.ManualClock;
import dev.kinesisresilient.lambda.internal.Json;
import dev.kinesisresilient.lambda.testing.FakeLambdaContext;
import dev.kinesisresilient.lambda.testing.KinesisEvents;
import dev.kinesisresilient.lambda.testing.TimeWindowEvents;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The tumbling-window processor: state carried, final invocation, early end, failures, state limit. */
final class TumblingWindowProcessorTest {

  private static final String ARN = "arn:aws:kinesis:eu-west-1:123456789012:stream/clicks";
  private static final String SHARD = "shardId-000000000003";

  private final ManualClock clock = ManualClock.create();
  private final Instant start = Instant.parse("2026-12-01T10:00:00Z");
  private final Instant end = start.plusSeconds(120);

  /** Counts records per partition key: the AWS documentation's example aggregation. */
  private static WindowState count(WindowState state, StreamRecord r) {
    return state.with(r.partitionKey(), Long.toString(Long.parseLong(state.getOrDefault(r.partitionKey(), "0")) + 1));
  }

  private KinesisEvent batch(String... keys) {
    KinesisEvents.Builder b = KinesisEvents.builder().clock(clock).streamArn(ARN).shardId(SHARD);
    for (String k : keys) {
      b.record(k, ("v-" + k).getBytes(StandardCharsets.UTF_8), start.plusSeconds(1));
    }
    return b.build();
  }

  private KinesisTimeWindowEvent event(KinesisEvent batch, Map<String, String> state, boolean fin, boolean early) {
    return TimeWindowEvents.of(batch, SHARD, ARN, start, end, state, fin, early);
  }

  private FakeLambdaContext context() {
    return FakeLambdaContext.builder().clock(clock).timeout(Duration.ofSeconds(30)).build();
  }

  private static String seq(KinesisEvent e, int i) {
    return e.getRecords().get(i).getKinesis().getSequenceNumber();
  }

  @Test
  void process_stateCarriedIn_foldsTheRecordsIntoItAndReturnsIt() {
    TumblingWindowProcessor p = TumblingWindowProcessor.builder(TumblingWindowProcessorTest::count).clock(clock).build();
    WindowBatchResult r = p.process(event(batch("a", "b", "a"), Map.of("a", "2", "c", "5"), false, false), context());

    assertThat(r.response().getState()).containsExactlyInAnyOrderEntriesOf(Map.of("a", "4", "b", "1", "c", "5"));
    assertThat(r.response().getBatchItemFailures()).isEmpty();
    assertThat(r.stopReason()).isEqualTo(StopReason.COMPLETED);
    assertThat(r.window()).isEqualTo(new WindowInfo(ARN, SHARD, start, end, false, false));
    assertThat(r.windowEndHandled()).isFalse();
  }

  @Test
  void process_secondInvocationOfTheWindow_continuesFromTheFirstsState() {
    TumblingWindowProcessor p = TumblingWindowProcessor.builder(TumblingWindowProcessorTest::count).clock(clock).build();
    TimeWindowEventResponse first = p.handleRequest(event(batch("a", "b"), Map.of(), false, false), context());
    TimeWindowEventResponse second = p.handleRequest(event(batch("a"), first.getState(), false, false), context());
    assertThat(second.getState()).containsExactlyInAnyOrderEntriesOf(Map.of("a", "2", "b", "1"));
  }

  @Test
  void process_recordFails_reportsItAndReturnsTheStateOfTheRecordsBeforeIt() {
    TumblingWindowProcessor p = TumblingWindowProcessor.builder((s, r) -> {
          if (r.partitionKey().equals("bad")) {
            throw new IllegalStateException("cannot count");
          }
          return count(s, r);
        })
        .clock(clock).sleeper(clock::advance).retryPolicy(RetryPolicy.builder().maxAttempts(2).build()).build();
    KinesisEvent b = batch("a", "b", "bad", "a", "c");
    WindowBatchResult r = p.process(event(b, Map.of("a", "10"), false, false), context());

    assertThat(r.reportedSequenceNumber()).isEqualTo(seq(b, 2));
    assertThat(r.response().getBatchItemFailures()).extracting(TimeWindowEventResponse.BatchItemFailure::getItemIdentifier)
        .containsExactly(seq(b, 2));
    assertThat(r.response().getState()).containsExactlyInAnyOrderEntriesOf(Map.of("a", "11", "b", "1"));
    assertThat(r.outcomes()).containsExactly(RecordOutcome.SUCCEEDED, RecordOutcome.SUCCEEDED, RecordOutcome.FAILED,
        RecordOutcome.NOT_PROCESSED, RecordOutcome.NOT_PROCESSED);
    assertThat(r.stopReason()).isEqualTo(StopReason.RECORD_FAILED);
    assertThat(r.failure()).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void process_redeliveryAfterAPartialFailure_countsEveryRecordExactlyOnce() {
    boolean[] failOnce = {true};
    TumblingWindowProcessor p = TumblingWindowProcessor.builder((s, r) -> {
          if (r.partitionKey().equals("flaky") && failOnce[0]) {
            failOnce[0] = false;
            throw new IllegalStateException("transient");
          }
          return count(s, r);
        })
        .clock(clock).retryPolicy(RetryPolicy.builder().maxAttempts(1).build()).build();
    KinesisEvent b = batch("a", "flaky", "a");
    TimeWindowEventResponse first = p.handleRequest(event(b, Map.of(), false, false), context());
    // Lambda redelivers from the reported record, with the state the response carried.
    KinesisEvent rest = new KinesisEvent();
    rest.setRecords(new ArrayList<>(b.getRecords().subList(1, 3)));
    TimeWindowEventResponse second = p.handleRequest(event(rest, first.getState(), false, false), context());
    assertThat(second.getState()).containsExactlyInAnyOrderEntriesOf(Map.of("a", "2", "flaky", "1"));
    assertThat(second.getBatchItemFailures()).isEmpty();
  }

  @Test
  void process_firstRecordGivenUpForGoodWithOthersBehindIt_failsTheInvocationSoTheMappingBisects() {
    TumblingWindowProcessor p = TumblingWindowProcessor.builder((s, r) -> {
          if (r.partitionKey().equals("pill")) {
            throw new IllegalStateException("always");
          }
          return count(s, r);
        })
        .clock(clock).retryPolicy(RetryPolicy.builder().maxAttempts(1).build()).build();
    KinesisEvent b = batch("pill", "a", "b");
    assertThatThrownBy(() -> p.process(event(b, Map.of("a", "1"), false, false), context()))
        .isInstanceOf(BatchFailedException.class).hasMessageContaining("the first of this batch of 3");
    // alone in its batch (after bisecting) it is reported, so the mapping can give up on it alone
    WindowBatchResult alone = p.process(event(batch("pill"), Map.of("a", "1"), false, false), context());
    assertThat(alone.reportedSequenceNumber()).isNotNull();
    assertThat(alone.state().asMap()).containsExactly(Map.entry("a", "1"));
  }

  @Test
  void process_firstRecordOutOfTime_reportedNotThrown() {
    TumblingWindowProcessor p = TumblingWindowProcessor.builder((s, r) -> {
          clock.advance(Duration.ofMillis(29_500));
          throw new IllegalStateException("slow and failing");
        })
        .clock(clock).sleeper(clock::advance).safetyMargin(Duration.ofSeconds(1))
        .retryPolicy(RetryPolicy.builder().maxAttempts(3).deadline(Duration.ofMinutes(5)).build()).build();
    KinesisEvent b = batch("a", "b");
    WindowBatchResult r = p.process(event(b, Map.of(), false, false), context());
    assertThat(r.reportedSequenceNumber()).isEqualTo(seq(b, 0));
  }

  @Test
  void process_subRecordOfAggregateFails_reportsTheAggregateAndNoneOfItsSubRecordsIsInTheState() {
    TumblingWindowProcessor p = TumblingWindowProcessor.builder((s, r) -> {
          if (r.partitionKey().equals("bad")) {
            throw new IllegalStateException("no");
          }
          return count(s, r);
        })
        .clock(clock).retryPolicy(RetryPolicy.builder().maxAttempts(1).build()).build();
    KinesisEvent b = KinesisEvents.builder().clock(clock).streamArn(ARN).shardId(SHARD)
        .record("plain", "x")
        .aggregate(List.of(KinesisRecord.of("u1", new byte[] {1}), KinesisRecord.of("u2", new byte[] {2}),
            KinesisRecord.of("bad", new byte[] {3}), KinesisRecord.of("u4", new byte[] {4})))
        .record("after", "y")
        .build();
    WindowBatchResult r = p.process(event(b, Map.of(), false, false), context());
    assertThat(r.reportedSequenceNumber()).isEqualTo(seq(b, 1));
    assertThat(r.state().asMap()).containsExactly(Map.entry("plain", "1"));
    assertThat(r.outcomes()).containsExactly(RecordOutcome.SUCCEEDED, RecordOutcome.SUCCEEDED, RecordOutcome.SUCCEEDED,
        RecordOutcome.FAILED, RecordOutcome.NOT_PROCESSED, RecordOutcome.NOT_PROCESSED);
  }

  @Test
  void process_finalInvoke_runsTheWindowEndHandlerWithTheCompleteState() {
    List<String> ends = new ArrayList<>();
    TumblingWindowProcessor p = TumblingWindowProcessor.builder(TumblingWindowProcessorTest::count)
        .windowEndHandler((w, s) -> ends.add(w.shardId() + "@" + w.start() + " final=" + w.finalInvoke()
            + " early=" + w.terminatedEarly() + " " + new java.util.TreeMap<>(s.asMap())))
        .clock(clock).build();

    WindowBatchResult withRecords = p.process(event(batch("b"), Map.of("a", "3"), true, false), context());
    assertThat(withRecords.windowEndHandled()).isTrue();
    WindowBatchResult empty = p.process(event(new KinesisEvent(), Map.of("a", "1"), true, false), context());
    assertThat(empty.windowEndHandled()).isTrue();
    assertThat(empty.response().getState()).containsExactly(Map.entry("a", "1"));
    assertThat(ends).containsExactly(SHARD + "@" + start + " final=true early=false {a=3, b=1}",
        SHARD + "@" + start + " final=true early=false {a=1}");
  }

  @Test
  void process_notFinal_doesNotRunTheWindowEndHandler() {
    List<WindowState> ends = new ArrayList<>();
    TumblingWindowProcessor p = TumblingWindowProcessor.builder(TumblingWindowProcessorTest::count)
        .windowEndHandler((w, s) -> ends.add(s)).clock(clock).build();
    p.process(event(batch("a"), Map.of(), false, false), context());
    assertThat(ends).isEmpty();
  }

  @Test
  void process_windowTerminatedEarly_tellsTheWindowEndHandler() {
    List<WindowInfo> ends = new ArrayList<>();
    TumblingWindowProcessor p = TumblingWindowProcessor.builder(TumblingWindowProcessorTest::count)
        .windowEndHandler((w, s) -> ends.add(w)).clock(clock).build();
    p.process(event(new KinesisEvent(), Map.of("a", "1"), true, true), context());
    assertThat(ends).singleElement().satisfies(w -> {
      assertThat(w.finalInvoke()).isTrue();
      assertThat(w.terminatedEarly()).isTrue();
    });
  }

  @Test
  void process_finalInvokeWithAFailedRecord_reportsItAndDoesNotEndTheWindow() {
    List<WindowState> ends = new ArrayList<>();
    TumblingWindowProcessor p = TumblingWindowProcessor.builder((s, r) -> {
          throw new IllegalStateException("no");
        })
        .windowEndHandler((w, s) -> ends.add(s)).clock(clock)
        .retryPolicy(RetryPolicy.builder().maxAttempts(1).build()).build();
    KinesisEvent b = batch("a");
    WindowBatchResult r = p.process(event(b, Map.of("a", "1"), true, false), context());
    assertThat(ends).isEmpty();
    assertThat(r.windowEndHandled()).isFalse();
    assertThat(r.reportedSequenceNumber()).isEqualTo(seq(b, 0));
    assertThat(r.response().getState()).containsExactly(Map.entry("a", "1"));
  }

  @Test
  void process_windowEndHandlerKeepsFailing_throwsAfterTheRetriesSoLambdaInvokesAgain() {
    int[] calls = {0};
    TumblingWindowProcessor p = TumblingWindowProcessor.builder(TumblingWindowProcessorTest::count)
        .windowEndHandler((w, s) -> {
          calls[0]++;
          throw new java.io.IOException("table unavailable");
        })
        .clock(clock).sleeper(clock::advance).retryPolicy(RetryPolicy.builder().maxAttempts(3).build()).build();
    assertThatThrownBy(() -> p.process(event(new KinesisEvent(), Map.of("a", "1"), true, false), context()))
        .isInstanceOf(WindowEndFailedException.class).hasMessageContaining("failed 3 time(s)")
        .hasCauseInstanceOf(java.io.IOException.class);
    assertThat(calls[0]).isEqualTo(3);
  }

  @Test
  void process_windowEndHandlerFailsOnce_retriedInProcess() {
    int[] calls = {0};
    TumblingWindowProcessor p = TumblingWindowProcessor.builder(TumblingWindowProcessorTest::count)
        .windowEndHandler((w, s) -> {
          if (calls[0]++ == 0) {
            throw new java.io.IOException("blip");
          }
        })
        .clock(clock).sleeper(clock::advance).build();
    assertThat(p.process(event(new KinesisEvent(), Map.of(), true, false), context()).windowEndHandled()).isTrue();
    assertThat(calls[0]).isEqualTo(2);
  }

  @Test
  void process_recordWouldPassTheStateLimit_failsWithAClearErrorAndKeepsTheStateBeforeIt() {
    TumblingWindowProcessor p = TumblingWindowProcessor.builder((s, r) -> s.with(r.partitionKey(), r.dataAsString()))
        .clock(clock).maxStateBytes(64).build();
    KinesisEvents.Builder eb = KinesisEvents.builder().clock(clock).streamArn(ARN).shardId(SHARD);
    eb.record("k1", "small");
    eb.record("k2", "x".repeat(100));
    eb.record("k3", "small");
    KinesisEvent b = eb.build();
    WindowBatchResult r = p.process(event(b, Map.of(), false, false), context());

    assertThat(r.reportedSequenceNumber()).isEqualTo(seq(b, 1));
    assertThat(r.state().asMap()).containsExactly(Map.entry("k1", "small"));
    assertThat(r.failure()).isInstanceOf(WindowStateTooLargeException.class)
        .hasMessageContaining("over maxStateBytes 64").hasMessageContaining(seq(b, 1));
    WindowStateTooLargeException e = (WindowStateTooLargeException) r.failure();
    assertThat(e.limitBytes()).isEqualTo(64);
    assertThat(e.sizeBytes()).isEqualTo(WindowState.of(Map.of("k1", "small", "k2", "x".repeat(100))).sizeBytes());
    assertThat(r.outcomes()).containsExactly(RecordOutcome.SUCCEEDED, RecordOutcome.FAILED, RecordOutcome.NOT_PROCESSED);
  }

  @Test
  void process_stateLimitByDefault_isTheDocumentedMegabyte() {
    TumblingWindowProcessor p = TumblingWindowProcessor.builder((s, r) -> s.with("big", "x".repeat(999_991)))
        .clock(clock).build();
    WindowBatchResult r = p.process(event(batch("a"), Map.of(), false, false), context());
    assertThat(r.failure()).isInstanceOf(WindowStateTooLargeException.class).hasMessageContaining("1000000");
    TumblingWindowProcessor fits = TumblingWindowProcessor.builder((s, r2) -> s.with("big", "x".repeat(999_990)))
        .clock(clock).build();
    assertThat(fits.process(event(batch("a"), Map.of(), false, false), context()).failure()).isNull();
  }

  @Test
  void process_poisonPillWithASink_quarantinedNotCountedAndTheWindowMovesOn() {
    List<QuarantinedRecord> sink = new ArrayList<>();
    TumblingWindowProcessor p = TumblingWindowProcessor.builder((s, r) -> {
          if (r.partitionKey().equals("pill")) {
            throw new IllegalArgumentException("malformed");
          }
          return count(s, r);
        })
        .permanentFailure(e -> e instanceof IllegalArgumentException)
        .quarantineSink((q, timeLeft) -> sink.add(q)).clock(clock).build();
    WindowBatchResult r = p.process(event(batch("a", "pill", "a"), Map.of(), false, false), context());
    assertThat(r.reportedSequenceNumber()).isNull();
    assertThat(r.state().asMap()).containsExactly(Map.entry("a", "2"));
    assertThat(sink).singleElement().satisfies(q -> assertThat(q.reason()).isEqualTo(QuarantineReason.PERMANENT_FAILURE));
    assertThat(r.outcomes()).containsExactly(RecordOutcome.SUCCEEDED, RecordOutcome.QUARANTINED, RecordOutcome.SUCCEEDED);
  }

  @Test
  void process_timeRunsOut_stopsBeforeTheMarginAndReportsTheNextRecordWithTheStateSoFar() {
    TumblingWindowProcessor p = TumblingWindowProcessor.builder((s, r) -> {
          clock.advance(Duration.ofSeconds(4));
          return count(s, r);
        })
        .clock(clock).safetyMargin(Duration.ofSeconds(2)).build();
    KinesisEvent b = batch("a", "b", "c", "d");
    WindowBatchResult r = p.process(event(b, Map.of(), false, false),
        FakeLambdaContext.builder().clock(clock).timeout(Duration.ofSeconds(10)).build());
    assertThat(r.stopReason()).isEqualTo(StopReason.DEADLINE);
    assertThat(r.reportedSequenceNumber()).isEqualTo(seq(b, 2));
    assertThat(r.state().asMap()).containsOnlyKeys("a", "b");
  }

  @Test
  void process_partialBatchResponseOff_throwsInsteadOfReporting() {
    TumblingWindowProcessor p = TumblingWindowProcessor.builder((s, r) -> {
          throw new IllegalStateException("no");
        })
        .partialBatchResponse(false).retryPolicy(RetryPolicy.builder().maxAttempts(1).build()).clock(clock).build();
    KinesisEvent b = batch("a");
    assertThatThrownBy(() -> p.process(event(b, Map.of(), false, false), context()))
        .isInstanceOf(BatchFailedException.class).hasMessageContaining(seq(b, 0));
  }

  @Test
  void process_eventWithoutWindow_throwsNamingTheMappingSetting() {
    TumblingWindowProcessor p = TumblingWindowProcessor.builder(TumblingWindowProcessorTest::count).build();
    KinesisTimeWindowEvent e = new KinesisTimeWindowEvent();
    e.setRecords(batch("a").getRecords());
    assertThatThrownBy(() -> p.process(e, context())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("TumblingWindowInSeconds");
  }

  @Test
  void process_handlerReturnsNull_recordFails() {
    TumblingWindowProcessor p = TumblingWindowProcessor.builder((s, r) -> null)
        .retryPolicy(RetryPolicy.builder().maxAttempts(1).build()).clock(clock).build();
    WindowBatchResult r = p.process(event(batch("a"), Map.of(), false, false), context());
    assertThat(r.stopReason()).isEqualTo(StopReason.RECORD_FAILED);
    assertThat(r.failure()).hasMessageContaining("returned null");
  }

  @Test
  void process_responseAlwaysCarriesAState_evenWhenEmpty() {
    TumblingWindowProcessor p = TumblingWindowProcessor.builder((s, r) -> s).clock(clock).build();
    TimeWindowEventResponse r = p.handleRequest(event(new KinesisEvent(), null, false, false), context());
    assertThat(r.getState()).isNotNull().isEmpty();
    assertThat(TimeWindowEvents.toJson(r)).isEqualTo("{\"state\":{},\"batchItemFailures\":[]}");
  }

  @Test
  void builder_maxStateBytesOutOfRangeOrSetTwice_throws() {
    assertThatThrownBy(() -> TumblingWindowProcessor.builder((s, r) -> s).maxStateBytes(1_000_001))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxStateBytes must be in 2..1000000");
    assertThatThrownBy(() -> TumblingWindowProcessor.builder((s, r) -> s).maxStateBytes(1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TumblingWindowProcessor.builder((s, r) -> s).maxStateBytes(10).maxStateBytes(10))
        .isInstanceOf(IllegalStateException.class);
    assertThat(TumblingWindowProcessor.builder((s, r) -> s).build().toString()).contains("maxStateBytes=1000000",
        "windowEndHandler=none", "retryPolicy=", "safetyMargin=", "partialBatchResponse=true", "deaggregate=true",
        "quarantineSink=none", "filter=none");
  }

  // --- WindowState ---------------------------------------------------------------------------

  @Test
  void windowState_sizeBytes_equalsTheUtf8JsonOfItsMapThroughUpdates() {
    Random random = new Random(42);
    String alphabet = "ab\"\\\n\u00e9\u20ac\uD83D\uDE00/";
    WindowState s = WindowState.empty();
    Map<String, String> model = new LinkedHashMap<>();
    for (int i = 0; i < 500; i++) {
      String key = "k" + random.nextInt(20);
      if (random.nextInt(4) == 0) {
        s = s.without(key);
        model.remove(key);
      } else {
        StringBuilder v = new StringBuilder();
        for (int j = random.nextInt(8); j > 0; j--) {
          int c = random.nextInt(alphabet.length());
          v.append(Character.isHighSurrogate(alphabet.charAt(c)) ? alphabet.substring(c, c + 2)
              : Character.isLowSurrogate(alphabet.charAt(c)) ? "z" : String.valueOf(alphabet.charAt(c)));
        }
        s = s.with(key, v.toString());
        model.put(key, v.toString());
      }
      assertThat(s.asMap()).isEqualTo(model);
      assertThat(s.sizeBytes()).isEqualTo(Json.write(model).getBytes(StandardCharsets.UTF_8).length);
    }
    assertThat(WindowState.of(model).sizeBytes()).isEqualTo(s.sizeBytes());
  }

  @Test
  void windowState_isImmutable() {
    Map<String, String> source = new LinkedHashMap<>(Map.of("a", "1"));
    WindowState s = WindowState.of(source);
    source.put("b", "2");
    WindowState t = s.with("c", "3");
    assertThat(s.asMap()).containsExactly(Map.entry("a", "1"));
    assertThat(t.asMap()).containsOnlyKeys("a", "c");
    assertThatThrownBy(() -> t.asMap().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
    assertThat(s.with("a", "1")).isSameAs(s);
    assertThat(s.without("zz")).isSameAs(s);
    assertThat(s.toString()).doesNotContain("\"a\"").contains("entries=1");
    assertThat(WindowState.of(null)).isEqualTo(WindowState.empty());
  }
}
