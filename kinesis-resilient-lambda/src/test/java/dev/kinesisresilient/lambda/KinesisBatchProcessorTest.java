package dev.kinesisresilient.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import dev.kinesisresilient.core.Jitter;
import dev.kinesisresilient.core.RetryPolicy;
import dev.kinesisresilient.core.testing.ManualClock;
import dev.kinesisresilient.lambda.testing.FakeLambdaContext;
import dev.kinesisresilient.lambda.testing.KinesisEvents;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

final class KinesisBatchProcessorTest {

  private final ManualClock clock = ManualClock.create();
  private final List<Duration> slept = new ArrayList<>();
  private final Sleeper sleeper = d -> {
    slept.add(d);
    clock.advance(d);
  };
  private final List<QuarantinedRecord> quarantined = new CopyOnWriteArrayList<>();
  private final QuarantineSink sink = (r, left) -> quarantined.add(r);

  private static final RetryPolicy NO_JITTER = RetryPolicy.builder().maxAttempts(3)
      .baseDelay(Duration.ofMillis(100)).maxDelay(Duration.ofSeconds(1)).jitter(Jitter.NONE)
      .deadline(Duration.ofSeconds(10)).build();

  private KinesisEvent event(int n) {
    KinesisEvents.Builder b = KinesisEvents.builder().clock(clock);
    for (int i = 0; i < n; i++) {
      b.record("key-" + (i % 3), "{\"i\":" + i + "}");
    }
    return b.build();
  }

  private FakeLambdaContext context(Duration timeout) {
    return FakeLambdaContext.builder().clock(clock).timeout(timeout).build();
  }

  private static String seq(KinesisEvent e, int i) {
    return e.getRecords().get(i).getKinesis().getSequenceNumber();
  }

  private static List<String> reported(StreamsEventResponse r) {
    return r.getBatchItemFailures().stream().map(StreamsEventResponse.BatchItemFailure::getItemIdentifier).toList();
  }

  private KinesisBatchProcessor.Builder builder(RecordHandler h) {
    return KinesisBatchProcessor.builder(h).clock(clock).sleeper(sleeper);
  }

  @Test
  void process_nullOrEmptyEvent_succeedsWithNoFailures() {
    KinesisBatchProcessor p = builder(r -> { throw new AssertionError("not called"); }).build();
    assertThat(reported(p.handleRequest(null, context(Duration.ofSeconds(30))))).isEmpty();
    assertThat(reported(p.handleRequest(new KinesisEvent(), context(Duration.ofSeconds(30))))).isEmpty();
    assertThat(reported(p.handleRequest(KinesisEvents.fromResource("/events/kinesis-empty.json"),
        context(Duration.ofSeconds(30))))).isEmpty();
  }

  @Test
  void process_allRecordsSucceed_returnsEmptyFailureListAndSeesEveryRecordInOrder() {
    List<String> seen = new ArrayList<>();
    KinesisBatchProcessor p = builder(r -> seen.add(r.sequenceNumber())).build();
    KinesisEvent e = event(5);
    BatchResult result = p.process(e, context(Duration.ofSeconds(30)));
    assertThat(result.response().getBatchItemFailures()).isNotNull().isEmpty();
    assertThat(result.stopReason()).isEqualTo(StopReason.COMPLETED);
    assertThat(seen).containsExactly(seq(e, 0), seq(e, 1), seq(e, 2), seq(e, 3), seq(e, 4));
  }

  @Test
  void process_handlerSeesRecordMetadata_fromTheEvent() {
    List<StreamRecord> seen = new ArrayList<>();
    KinesisBatchProcessor p = builder(seen::add).build();
    p.process(KinesisEvents.fromResource("/events/kinesis-batch.json"), context(Duration.ofSeconds(30)));
    StreamRecord first = seen.get(0);
    assertThat(first.shardId()).isEqualTo("shardId-000000000003");
    assertThat(first.sequenceNumber()).isEqualTo("49656632116218945776331460018176327016585772817654202370");
    assertThat(first.partitionKey()).isEqualTo("order-1001");
    assertThat(first.streamName()).isEqualTo("orders");
    assertThat(first.streamArn()).isEqualTo("arn:aws:kinesis:eu-west-1:123456789012:stream/orders");
    assertThat(first.approximateArrivalTimestamp()).isEqualTo(Instant.parse("2026-01-01T00:00:00.123Z"));
    assertThat(first.dataAsString()).isEqualTo("{\"orderId\":1001,\"type\":\"created\",\"amount\":42.5}");
    assertThat(first.attempt()).isEqualTo(1);
    assertThat(first.eventId()).isEqualTo("shardId-000000000003:" + first.sequenceNumber());
  }

  @Test
  void process_thirdRecordFailsWithoutSink_stopsAndReportsExactlyThatSequenceNumber() {
    KinesisEvent e = event(6);
    List<String> seen = new ArrayList<>();
    KinesisBatchProcessor p = builder(r -> {
      seen.add(r.sequenceNumber());
      if (r.sequenceNumber().equals(seq(e, 2))) {
        throw new IllegalStateException("boom");
      }
    }).build();
    BatchResult result = p.process(e, context(Duration.ofSeconds(30)));
    assertThat(reported(result.response())).containsExactly(seq(e, 2));
    assertThat(result.stopReason()).isEqualTo(StopReason.RECORD_FAILED);
    assertThat(result.outcomes()).containsExactly(RecordOutcome.SUCCEEDED, RecordOutcome.SUCCEEDED,
        RecordOutcome.FAILED, RecordOutcome.NOT_PROCESSED, RecordOutcome.NOT_PROCESSED, RecordOutcome.NOT_PROCESSED);
    // three attempts of record 2 (retry policy), nothing after it
    assertThat(seen).containsExactly(seq(e, 0), seq(e, 1), seq(e, 2), seq(e, 2), seq(e, 2));
  }

  @Test
  void process_failureThenSuccess_retriesInProcessWithCappedBackoffAndAttemptNumbers() {
    List<Integer> attempts = new ArrayList<>();
    KinesisBatchProcessor p = builder(r -> {
      attempts.add(r.attempt());
      if (r.attempt() < 3) {
        throw new RuntimeException("transient");
      }
    }).retryPolicy(NO_JITTER).build();
    BatchResult result = p.process(event(1), context(Duration.ofSeconds(30)));
    assertThat(result.outcomes()).containsExactly(RecordOutcome.SUCCEEDED);
    assertThat(attempts).containsExactly(1, 2, 3);
    assertThat(slept).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
  }

  @Test
  void process_jitteredBackoff_neverExceedsCap() {
    RetryPolicy policy = RetryPolicy.builder().maxAttempts(10).baseDelay(Duration.ofMillis(100))
        .maxDelay(Duration.ofMillis(400)).jitter(Jitter.FULL).deadline(Duration.ofMinutes(1)).build();
    SplittableRandom random = new SplittableRandom(1);
    KinesisBatchProcessor p = KinesisBatchProcessor.builder(r -> { throw new RuntimeException("x"); })
        .clock(clock).sleeper(sleeper).retryPolicy(policy).random(() -> random).build();
    p.process(event(1), context(Duration.ofMinutes(5)));
    assertThat(slept).hasSize(9).allSatisfy(d -> assertThat(d).isBetween(Duration.ZERO, Duration.ofMillis(400)));
  }

  @Test
  void process_retriesExhaustedWithSink_quarantinesWithMetadataAndMovesOn() {
    KinesisEvent e = event(3);
    KinesisBatchProcessor p = builder(r -> {
      if (r.sequenceNumber().equals(seq(e, 1))) {
        throw new IllegalArgumentException("poison");
      }
    }).quarantineSink(sink).build();
    BatchResult result = p.process(e, context(Duration.ofSeconds(30)));
    assertThat(reported(result.response())).isEmpty();
    assertThat(result.outcomes()).containsExactly(RecordOutcome.SUCCEEDED, RecordOutcome.QUARANTINED,
        RecordOutcome.SUCCEEDED);
    assertThat(quarantined).singleElement().satisfies(q -> {
      assertThat(q.reason()).isEqualTo(QuarantineReason.RETRIES_EXHAUSTED);
      assertThat(q.attempts()).isEqualTo(3);
      assertThat(q.error()).isInstanceOf(IllegalArgumentException.class).hasMessage("poison");
      assertThat(q.record().sequenceNumber()).isEqualTo(seq(e, 1));
      assertThat(q.record().shardId()).isEqualTo(KinesisEvents.DEFAULT_SHARD_ID);
    });
  }

  @Test
  void process_permanentFailure_quarantinedAtOnceWithoutRetry() {
    List<Integer> attempts = new ArrayList<>();
    KinesisBatchProcessor p = builder(r -> {
      attempts.add(r.attempt());
      throw new IllegalArgumentException("bad schema");
    }).permanentFailure(ex -> ex instanceof IllegalArgumentException).quarantineSink(sink).build();
    BatchResult result = p.process(event(1), context(Duration.ofSeconds(30)));
    assertThat(result.outcomes()).containsExactly(RecordOutcome.QUARANTINED);
    assertThat(attempts).containsExactly(1);
    assertThat(quarantined.get(0).reason()).isEqualTo(QuarantineReason.PERMANENT_FAILURE);
    assertThat(slept).isEmpty();
  }

  @Test
  void process_sinkFails_recordReportedFailedNeverLost() {
    KinesisEvent e = event(3);
    KinesisBatchProcessor p = builder(r -> {
      if (r.sequenceNumber().equals(seq(e, 1))) {
        throw new IllegalStateException("poison");
      }
    }).quarantineSink((r, left) -> { throw new java.io.IOException("sink down"); }).build();
    BatchResult result = p.process(e, context(Duration.ofSeconds(30)));
    assertThat(reported(result.response())).containsExactly(seq(e, 1));
    assertThat(result.outcomes()).containsExactly(RecordOutcome.SUCCEEDED, RecordOutcome.FAILED,
        RecordOutcome.NOT_PROCESSED);
  }

  @Test
  void process_retryWouldPassInvocationDeadline_reportsFailedForRedeliveryNotQuarantined() {
    KinesisBatchProcessor p = builder(r -> { throw new RuntimeException("slow dependency"); })
        .retryPolicy(RetryPolicy.builder().maxAttempts(5).baseDelay(Duration.ofSeconds(2))
            .maxDelay(Duration.ofSeconds(2)).jitter(Jitter.NONE).deadline(Duration.ofMinutes(1)).build())
        .quarantineSink(sink).safetyMargin(Duration.ofSeconds(1)).build();
    KinesisEvent e = event(2);
    BatchResult result = p.process(e, context(Duration.ofSeconds(4)));
    // 4 s - 1 s margin = 3 s: one 2 s retry fits, the second does not
    assertThat(slept).containsExactly(Duration.ofSeconds(2));
    assertThat(reported(result.response())).containsExactly(seq(e, 0));
    assertThat(quarantined).isEmpty();
  }

  /** One record whose handler always throws, retried every second (10 attempts) within {@code deadline}. */
  private BatchResult failEveryAttemptEverySecond(Duration deadline) {
    KinesisBatchProcessor p = builder(r -> { throw new RuntimeException("x"); })
        .retryPolicy(RetryPolicy.builder().maxAttempts(10).baseDelay(Duration.ofSeconds(1))
            .maxDelay(Duration.ofSeconds(1)).jitter(Jitter.NONE).deadline(deadline).build())
        .quarantineSink(sink).build();
    return p.process(event(1), context(Duration.ofMinutes(1)));
  }

  @Test
  void process_perRecordRetryBudgetSpent_quarantinesAsExhausted() {
    BatchResult result = failEveryAttemptEverySecond(Duration.ofMillis(2500));
    assertThat(result.outcomes()).containsExactly(RecordOutcome.QUARANTINED);
    assertThat(slept).hasSize(2);
    assertThat(quarantined.get(0).reason()).isEqualTo(QuarantineReason.RETRIES_EXHAUSTED);
  }

  @Test
  void process_retryWouldStartExactlyAtTheRecordDeadline_notMadeAsInTheWriter() {
    // One retry rule for every engine: a retry is made only when it starts before the deadline. Here the
    // second retry would start at 2 s, exactly the record's deadline.
    BatchResult result = failEveryAttemptEverySecond(Duration.ofSeconds(2));
    assertThat(slept).containsExactly(Duration.ofSeconds(1));
    assertThat(result.outcomes()).containsExactly(RecordOutcome.QUARANTINED);
    assertThat(quarantined.get(0).reason()).isEqualTo(QuarantineReason.RETRIES_EXHAUSTED);
  }

  @Test
  void process_remainingTimeFallsBelowMargin_stopsBeforeNextRecordAndReportsIt() {
    KinesisEvent e = event(5);
    KinesisBatchProcessor p = builder(r -> {
      if (r.sequenceNumber().equals(seq(e, 1))) {
        clock.advance(Duration.ofMillis(8_500)); // a slow record
      }
    }).safetyMargin(Duration.ofSeconds(2)).build();
    BatchResult result = p.process(e, context(Duration.ofSeconds(10)));
    assertThat(result.stopReason()).isEqualTo(StopReason.DEADLINE);
    assertThat(reported(result.response())).containsExactly(seq(e, 2));
    assertThat(result.outcomes()).containsExactly(RecordOutcome.SUCCEEDED, RecordOutcome.SUCCEEDED,
        RecordOutcome.NOT_PROCESSED, RecordOutcome.NOT_PROCESSED, RecordOutcome.NOT_PROCESSED);
  }

  @Test
  void process_noTimeBeforeFirstRecord_reportsFirstRecord() {
    KinesisEvent e = event(2);
    KinesisBatchProcessor p = builder(r -> { throw new AssertionError("must not run"); }).build();
    BatchResult result = p.process(e, context(Duration.ofMillis(500)));
    assertThat(reported(result.response())).containsExactly(seq(e, 0));
    assertThat(result.stopReason()).isEqualTo(StopReason.DEADLINE);
  }

  @Test
  void process_recordOlderThanMaxAge_quarantinedForAgeOrSkipped() {
    KinesisEvents.Builder b = KinesisEvents.builder().clock(clock);
    b.record("k", "old".getBytes(), clock.instant().minus(Duration.ofHours(2)));
    b.record("k", "new".getBytes(), clock.instant());
    KinesisEvent e = b.build();
    List<String> handled = new ArrayList<>();
    KinesisBatchProcessor quarantine = builder(r -> handled.add(r.dataAsString()))
        .maxRecordAge(Duration.ofHours(1)).quarantineSink(sink).build();
    BatchResult r1 = quarantine.process(e, context(Duration.ofSeconds(30)));
    assertThat(r1.outcomes()).containsExactly(RecordOutcome.EXPIRED_QUARANTINED, RecordOutcome.SUCCEEDED);
    assertThat(quarantined).singleElement().satisfies(q -> {
      assertThat(q.reason()).isEqualTo(QuarantineReason.RECORD_TOO_OLD);
      assertThat(q.attempts()).isZero();
      assertThat(q.error()).isNull();
    });
    KinesisBatchProcessor skip = builder(r -> handled.add(r.dataAsString()))
        .maxRecordAge(Duration.ofHours(1)).expiredRecordAction(ExpiredRecordAction.SKIP).build();
    assertThat(skip.process(e, context(Duration.ofSeconds(30))).outcomes())
        .containsExactly(RecordOutcome.EXPIRED_SKIPPED, RecordOutcome.SUCCEEDED);
    assertThat(handled).containsExactly("new", "new");
  }

  @Test
  void process_filterRejects_recordSkippedAndCountedNeverHandled() {
    List<String> handled = new ArrayList<>();
    KinesisBatchProcessor p = builder(r -> handled.add(r.dataAsString()))
        .filter(r -> r.dataAsString().contains("\"i\":1")).build();
    BatchResult result = p.process(event(3), context(Duration.ofSeconds(30)));
    assertThat(result.outcomes()).containsExactly(RecordOutcome.FILTERED, RecordOutcome.SUCCEEDED,
        RecordOutcome.FILTERED);
    assertThat(handled).containsExactly("{\"i\":1}");
    assertThat(result.counts()).containsEntry(RecordOutcome.FILTERED, 2);
  }

  @Test
  void process_filterThrows_recordFailsLikeAHandlerFailure() {
    KinesisEvent e = event(1);
    KinesisBatchProcessor p = builder(r -> { }).filter(r -> { throw new IllegalStateException("bad filter"); })
        .build();
    assertThat(reported(p.handleRequest(e, context(Duration.ofSeconds(30))))).containsExactly(seq(e, 0));
  }

  @Test
  void process_firstRecordFailsForGoodWithoutSink_failsTheInvocationSoTheMappingBisects_nothingAfterItRuns() {
    KinesisEvent e = event(3);
    List<String> seen = new ArrayList<>();
    KinesisBatchProcessor p = builder(r -> {
      seen.add(r.sequenceNumber());
      if (r.sequenceNumber().equals(seq(e, 0))) {
        throw new IllegalStateException("poison");
      }
    }).retryPolicy(NO_JITTER).build();
    assertThatThrownBy(() -> p.process(e, context(Duration.ofSeconds(30))))
        .isInstanceOf(BatchFailedException.class).hasMessageContaining("bisect")
        .satisfies(t -> assertThat(((BatchFailedException) t).sequenceNumber()).isEqualTo(seq(e, 0)));
    assertThat(seen).containsOnly(seq(e, 0));
  }

  @Test
  void process_firstRecordFailsForGoodAndTheSinkThrows_failsTheInvocation() {
    KinesisEvent e = event(2);
    KinesisBatchProcessor p = builder(r -> { throw new IllegalStateException("poison"); })
        .permanentFailure(ex -> true)
        .quarantineSink((q, left) -> { throw new IllegalStateException("sink down"); }).build();
    assertThatThrownBy(() -> p.process(e, context(Duration.ofSeconds(30))))
        .isInstanceOf(BatchFailedException.class)
        .satisfies(t -> assertThat(((BatchFailedException) t).sequenceNumber()).isEqualTo(seq(e, 0)));
  }

  @Test
  void process_onlyRecordOfItsBatchFailsForGood_reportedSoRetriesRunOutOnItAlone() {
    KinesisEvent e = event(1);
    KinesisBatchProcessor p = builder(r -> { throw new IllegalStateException("poison"); }).retryPolicy(NO_JITTER)
        .build();
    BatchResult result = p.process(e, context(Duration.ofSeconds(30)));
    assertThat(reported(result.response())).containsExactly(seq(e, 0));
    assertThat(result.stopReason()).isEqualTo(StopReason.RECORD_FAILED);
  }

  @Test
  void process_failureAfterAFilteredFirstRecord_reportedNotThrown_soTheNextBatchStartsWithIt() {
    KinesisEvent e = event(3);
    KinesisBatchProcessor p = builder(r -> { throw new IllegalStateException("poison"); })
        .filter(r -> !r.sequenceNumber().equals(seq(e, 0))).retryPolicy(NO_JITTER).build();
    BatchResult result = p.process(e, context(Duration.ofSeconds(30)));
    assertThat(reported(result.response())).containsExactly(seq(e, 1));
    assertThat(result.outcomes()).containsExactly(RecordOutcome.FILTERED, RecordOutcome.FAILED,
        RecordOutcome.NOT_PROCESSED);
  }

  @Test
  void process_orderedParallelism_firstRecordFailsForGood_failsTheInvocation() {
    KinesisEvent e = event(6);
    try (KinesisBatchProcessor p = builder(r -> {
          if (r.sequenceNumber().equals(seq(e, 0))) {
            throw new IllegalStateException("poison");
          }
        }).retryPolicy(RetryPolicy.builder().maxAttempts(1).build()).orderedParallelism(2, Runnable::run).build()) {
      assertThatThrownBy(() -> p.process(e, context(Duration.ofSeconds(30))))
          .isInstanceOf(BatchFailedException.class)
          .satisfies(t -> assertThat(((BatchFailedException) t).sequenceNumber()).isEqualTo(seq(e, 0)));
    }
  }

  @Test
  void process_partialBatchResponseOff_throwsBatchFailedExceptionInsteadOfReporting() {
    KinesisEvent e = event(2);
    KinesisBatchProcessor p = builder(r -> { throw new RuntimeException("x"); }).partialBatchResponse(false).build();
    assertThatThrownBy(() -> p.process(e, context(Duration.ofSeconds(30))))
        .isInstanceOf(BatchFailedException.class)
        .satisfies(t -> assertThat(((BatchFailedException) t).sequenceNumber()).isEqualTo(seq(e, 0)));
  }

  @Test
  void process_recordWithoutSequenceNumber_throwsIllegalArgument() {
    KinesisEvent e = event(1);
    e.getRecords().get(0).getKinesis().setSequenceNumber(null);
    KinesisBatchProcessor p = builder(r -> { }).build();
    assertThatThrownBy(() -> p.process(e, context(Duration.ofSeconds(30))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sequence number");
  }

  @Test
  void process_errorFromHandler_propagatesSoLambdaRetriesTheBatch() {
    KinesisBatchProcessor p = builder(r -> { throw new OutOfMemoryError("simulated"); }).build();
    assertThatThrownBy(() -> p.process(event(1), context(Duration.ofSeconds(30)))).isInstanceOf(OutOfMemoryError.class);
  }

  @Test
  void process_randomFailures_reportedIdentifierIsAlwaysTheFirstFailureAndInTheBatch() {
    SplittableRandom random = new SplittableRandom(42);
    for (int round = 0; round < 200; round++) {
      KinesisEvent e = event(1 + random.nextInt(20));
      Set<String> failing = e.getRecords().stream().map(r -> r.getKinesis().getSequenceNumber())
          .filter(s -> random.nextInt(5) == 0).collect(Collectors.toSet());
      KinesisBatchProcessor p = builder(r -> {
        if (failing.contains(r.sequenceNumber())) {
          throw new RuntimeException("x");
        }
      }).retryPolicy(RetryPolicy.builder().maxAttempts(1).build()).build();
      List<String> batch = e.getRecords().stream().map(r -> r.getKinesis().getSequenceNumber()).toList();
      String expected = batch.stream().filter(failing::contains).findFirst().orElse(null);
      if (expected != null && expected.equals(batch.get(0)) && batch.size() > 1) {
        // the first record failed for good: the invocation fails so the mapping bisects
        assertThatThrownBy(() -> p.handleRequest(e, context(Duration.ofSeconds(30))))
            .isInstanceOf(BatchFailedException.class)
            .satisfies(t -> assertThat(((BatchFailedException) t).sequenceNumber()).isEqualTo(expected));
        continue;
      }
      List<String> ids = reported(p.handleRequest(e, context(Duration.ofSeconds(30))));
      if (expected == null) {
        assertThat(ids).isEmpty();
      } else {
        assertThat(ids).containsExactly(expected);
        assertThat(batch).contains(ids.get(0));
      }
    }
  }

  @Test
  void process_orderedParallelismOnCallerThread_keepsKeyOrderAndReportsLowestFailedOrUnprocessed() {
    KinesisEvents.Builder b = KinesisEvents.builder().clock(clock);
    // keys: a a b b a c b c
    String[] keys = {"a", "a", "b", "b", "a", "c", "b", "c"};
    for (int i = 0; i < keys.length; i++) {
      b.record(keys[i], "{\"i\":" + i + "}");
    }
    KinesisEvent e = b.build();
    List<String> seen = new ArrayList<>();
    KinesisBatchProcessor p = builder(r -> {
      seen.add(r.partitionKey() + r.dataAsString());
      if (r.sequenceNumber().equals(seq(e, 3))) { // second "b"
        throw new RuntimeException("b fails");
      }
    }).retryPolicy(RetryPolicy.builder().maxAttempts(1).build()).orderedParallelism(2, Runnable::run).build();
    BatchResult result = p.process(e, context(Duration.ofSeconds(30)));
    assertThat(reported(result.response())).containsExactly(seq(e, 3));
    assertThat(result.outcomes().get(3)).isEqualTo(RecordOutcome.FAILED);
    assertThat(result.outcomes().get(6)).isEqualTo(RecordOutcome.NOT_PROCESSED);
    // per key in order: "a" records 0,1,4 in that order
    assertThat(seen.stream().filter(s -> s.startsWith("a")).toList())
        .containsExactly("a{\"i\":0}", "a{\"i\":1}", "a{\"i\":4}");
  }

  @Test
  void process_orderedParallelismOnThreads_runsKeysConcurrentlyEachKeyInOrder() throws Exception {
    KinesisEvents.Builder b = KinesisEvents.builder().clock(clock);
    for (int i = 0; i < 400; i++) {
      b.record("key-" + (i % 8), "{\"i\":" + i + "}");
    }
    KinesisEvent e = b.build();
    ConcurrentHashMap<String, List<Integer>> perKey = new ConcurrentHashMap<>();
    Set<String> threads = ConcurrentHashMap.newKeySet();
    java.util.concurrent.CountDownLatch bothStarted = new java.util.concurrent.CountDownLatch(2);
    try (KinesisBatchProcessor p = KinesisBatchProcessor.builder(r -> {
          threads.add(Thread.currentThread().getName());
          bothStarted.countDown();
          // the first two keys wait for each other: only possible if they run concurrently
          bothStarted.await(1, java.util.concurrent.TimeUnit.MINUTES); // a hang guard
          perKey.computeIfAbsent(r.partitionKey(), k -> new CopyOnWriteArrayList<>())
              .add(Integer.parseInt(r.dataAsString().replaceAll("\\D", "")));
        }).orderedParallelism(4).build()) {
      BatchResult result = p.process(e, FakeLambdaContext.builder().timeout(Duration.ofMinutes(1)).build());
      assertThat(reported(result.response())).isEmpty();
    }
    assertThat(bothStarted.getCount()).isZero();
    assertThat(threads.size()).isBetween(2, 4);
    perKey.values().forEach(l -> assertThat(l).isSorted().hasSize(50));
  }

  @Test
  void process_parallelFailuresOnSeveralKeys_reportsNumericallyLowestComparedAsBigInteger() {
    // sequence numbers of different lengths: string order would pick the wrong one
    KinesisEvent e = KinesisEvents.builder().clock(clock)
        .record("a", "x".getBytes(), "999", clock.instant())
        .record("b", "y".getBytes(), "1000", clock.instant())
        .record("c", "z".getBytes(), "10000", clock.instant())
        .build();
    KinesisBatchProcessor p = builder(r -> {
      if (!r.partitionKey().equals("a")) {
        throw new RuntimeException("x");
      }
    }).retryPolicy(RetryPolicy.builder().maxAttempts(1).build()).orderedParallelism(3, Runnable::run).build();
    assertThat(reported(p.handleRequest(e, context(Duration.ofSeconds(30))))).containsExactly("1000");
    assertThat(new BigInteger("1000")).isLessThan(new BigInteger("10000"));
  }

  @Test
  void builder_maxRecordAgeQuarantineWithoutSink_throwsIllegalState() {
    assertThatThrownBy(() -> KinesisBatchProcessor.builder(r -> { }).maxRecordAge(Duration.ofHours(1)).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("quarantineSink");
  }

  @Test
  void builder_optionSetTwiceOrOutOfRange_throws() {
    KinesisBatchProcessor.Builder b = KinesisBatchProcessor.builder(r -> { }).safetyMargin(Duration.ZERO);
    assertThatThrownBy(() -> b.safetyMargin(Duration.ofSeconds(1))).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> KinesisBatchProcessor.builder(r -> { }).orderedParallelism(1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> KinesisBatchProcessor.builder(r -> { }).safetyMargin(Duration.ofMinutes(16)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> KinesisBatchProcessor.builder(r -> { }).expiredRecordAction(ExpiredRecordAction.SKIP)
        .build()).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void streamRecord_dataView_cannotDisturbTheRecord() {
    List<StreamRecord> seen = new ArrayList<>();
    builder(seen::add).build().process(event(1), context(Duration.ofSeconds(30)));
    StreamRecord r = seen.get(0);
    r.data().get(new byte[3]);
    assertThat(r.dataAsString()).isEqualTo("{\"i\":0}");
    assertThat(r.data().isReadOnly()).isTrue();
    assertThat(r.toString()).doesNotContain("key-0").doesNotContain("{\"i\"");
  }
}
