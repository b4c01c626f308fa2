package dev.kinesisresilient.lambda.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import dev.kinesisresilient.core.testing.FakeKinesisAsyncClient;
import dev.kinesisresilient.core.testing.ManualClock;
import dev.kinesisresilient.core.testing.StoredRecord;
import dev.kinesisresilient.lambda.internal.Json;
import dev.kinesisresilient.lambda.testing.SimulatorTrace.Outcome;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;

/** The event source mapping rules of the contract, one or two tests per rule, on the in-memory Kinesis. */
final class EsmSimulatorTest {

  private final ManualClock clock = ManualClock.create();
  private final FakeKinesisAsyncClient kinesis = FakeKinesisAsyncClient.builder().clock(clock)
      .enforceShardLimits(false).stream("one", 1).stream("two", 2).build();

  private List<StoredRecord> put(String stream, int n, String prefix) {
    for (int i = 0; i < n; i++) {
      String pk = "key-" + (i % 7);
      String data = "{\"n\":" + i + ",\"tag\":\"" + prefix + "\"}";
      kinesis.putRecord(b -> b.streamName(stream).partitionKey(pk).data(SdkBytes.fromUtf8String(data))).join();
    }
    return kinesis.storedRecords(stream);
  }

  private EsmSimulator.Builder sim(String stream, RequestHandler<KinesisEvent, ?> h, EventSourceMappingConfig c) {
    return EsmSimulator.builder(kinesis, stream, h).mapping(c).clock(clock).functionTimeout(Duration.ofSeconds(30));
  }

  private static List<String> seqs(KinesisEvent e) {
    return e.getRecords().stream().map(r -> r.getKinesis().getSequenceNumber()).toList();
  }

  private static Map<String, Object> failure(String seq) {
    return Map.of("batchItemFailures", List.of(Map.of("itemIdentifier", seq)));
  }

  private static String data(KinesisEvent.KinesisEventRecord r) {
    return StandardCharsets.UTF_8.decode(r.getKinesis().getData().duplicate()).toString();
  }

  @Test
  void batches_respectBatchSizeOneShardEachInOrder_everyRecordDeliveredOnce() {
    List<StoredRecord> stored = put("two", 250, "a");
    List<KinesisEvent> events = new ArrayList<>();
    EsmSimulator esm = sim("two", (e, c) -> { events.add(e); return null; },
        EventSourceMappingConfig.builder().batchSize(40).build()).build();
    esm.runUntilIdle();
    assertThat(events).allSatisfy(e -> {
      assertThat(e.getRecords()).hasSizeBetween(1, 40);
      assertThat(e.getRecords().stream().map(r -> r.getEventID().split(":")[0]).distinct()).hasSize(1);
      List<BigInteger> s = seqs(e).stream().map(BigInteger::new).toList();
      assertThat(s).isSorted();
    });
    assertThat(esm.trace().deliveryCounts()).hasSize(250).allSatisfy((k, v) -> assertThat(v).isEqualTo(1));
    assertThat(esm.trace().committed()).containsExactlyInAnyOrderElementsOf(
        stored.stream().map(StoredRecord::sequenceNumber).toList());
  }

  @Test
  void event_shapedAsLambdaSendsIt() {
    put("one", 1, "a");
    List<KinesisEvent> events = new ArrayList<>();
    sim("one", (e, c) -> { events.add(e); return null; }, EventSourceMappingConfig.defaults()).build().runUntilIdle();
    KinesisEvent.KinesisEventRecord r = events.get(0).getRecords().get(0);
    assertThat(r.getEventSourceARN()).isEqualTo(kinesis.streamArn("one"));
    assertThat(r.getEventID()).isEqualTo("shardId-000000000000:" + r.getKinesis().getSequenceNumber());
    assertThat(r.getEventSource()).isEqualTo("aws:kinesis");
    assertThat(data(r)).isEqualTo("{\"n\":0,\"tag\":\"a\"}");
  }

  @Test
  void maximumRetryAttemptsN_functionErrors_NPlusOneInvocationsThenDiscardedWithOnFailureRecord() {
    put("one", 3, "a");
    EsmSimulator esm = sim("one", (e, c) -> { throw new RuntimeException("boom"); },
        EventSourceMappingConfig.builder().maximumRetryAttempts(2)
            .onFailureDestination(EventSourceMappingConfig.DestinationType.SQS).build()).build();
    esm.runUntilIdle();
    assertThat(esm.trace().invocations()).hasSize(3).allSatisfy(i -> assertThat(i.outcome()).isEqualTo(Outcome.FUNCTION_ERROR));
    assertThat(esm.trace().invocations().stream().map(SimulatorTrace.Invocation::retryAttempt)).containsExactly(0, 1, 2);
    assertThat(esm.trace().discarded()).hasSize(3);
    Map<String, Object> doc = Json.parseObject(esm.onFailureRecords().get(0));
    assertThat(doc).containsEntry("version", "1.0").containsKey("timestamp");
    assertThat((String) doc.get("timestamp")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    @SuppressWarnings("unchecked")
    Map<String, Object> rc = (Map<String, Object>) doc.get("requestContext");
    assertThat(rc).containsEntry("condition", "RetryAttemptsExhausted").containsKey("requestId");
    assertThat(rc.get("approximateInvokeCount").toString()).isEqualTo("3");
    assertThat((String) rc.get("functionArn")).startsWith("arn:aws:lambda:us-east-1:123456789012:function:");
    @SuppressWarnings("unchecked")
    Map<String, Object> resp = (Map<String, Object>) doc.get("responseContext");
    assertThat(resp).containsEntry("executedVersion", "$LATEST").containsEntry("functionError", "Unhandled");
    assertThat(resp.get("statusCode").toString()).isEqualTo("200");
    @SuppressWarnings("unchecked")
    Map<String, Object> info = (Map<String, Object>) doc.get("KinesisBatchInfo");
    List<StoredRecord> stored = kinesis.storedRecords("one");
    assertThat(info).containsEntry("shardId", "shardId-000000000000")
        .containsEntry("startSequenceNumber", stored.get(0).sequenceNumber())
        .containsEntry("endSequenceNumber", stored.get(2).sequenceNumber())
        .containsEntry("streamArn", kinesis.streamArn("one"))
        .containsKeys("approximateArrivalOfFirstRecord", "approximateArrivalOfLastRecord");
    assertThat(info.get("batchSize").toString()).isEqualTo("3");
    assertThat(doc).doesNotContainKey("payload");
  }

  @Test
  void maximumRetryAttemptsZero_oneInvocationOnly() {
    put("one", 1, "a");
    EsmSimulator esm = sim("one", (e, c) -> { throw new RuntimeException("boom"); },
        EventSourceMappingConfig.builder().maximumRetryAttempts(0).build()).build();
    assertThat(esm.runUntilIdle()).isEqualTo(1);
  }

  @Test
  void infiniteRetries_poisonPillBlocksItsShard_guardStopsTheSimulation() {
    put("one", 2, "a");
    EsmSimulator esm = sim("one", (e, c) -> { throw new RuntimeException("boom"); },
        EventSourceMappingConfig.defaults()).maxInvocations(50).build();
    assertThatThrownBy(esm::runUntilIdle).isInstanceOf(IllegalStateException.class).hasMessageContaining("stuck");
    assertThat(esm.trace().committed()).isEmpty();
  }

  @Test
  void bisectOnFunctionError_splitsWithoutUsingAttempts_isolatesThePill() {
    List<StoredRecord> stored = put("one", 8, "a");
    String pill = stored.get(5).sequenceNumber();
    EsmSimulator esm = sim("one", (e, c) -> {
      if (seqs(e).contains(pill)) {
        throw new RuntimeException("pill");
      }
      return null;
    }, EventSourceMappingConfig.builder().bisectBatchOnFunctionError(true).maximumRetryAttempts(0)
        .onFailureDestination(EventSourceMappingConfig.DestinationType.SQS).build()).build();
    esm.runUntilIdle();
    assertThat(esm.trace().discarded()).containsExactly(pill);
    assertThat(esm.trace().committed()).hasSize(7).doesNotContain(pill);
    // 8 -> [4 ok] [4 fail] -> [2 ok][2 fail] -> [1 ok][1 fail, attempts exhausted]
    assertThat(esm.trace().invocations()).hasSize(7);
    Map<String, Object> doc = Json.parseObject(esm.onFailureRecords().get(0));
    assertThat(((Map<?, ?>) doc.get("KinesisBatchInfo")).get("batchSize").toString()).isEqualTo("1");
  }

  @Test
  void partialResponse_reportBatchItemFailuresOff_ignoredAndWholeBatchCommitted() {
    List<StoredRecord> stored = put("one", 4, "a");
    EsmSimulator esm = sim("one", (e, c) -> failure(stored.get(1).sequenceNumber()),
        EventSourceMappingConfig.builder().reportBatchItemFailures(false).build()).build();
    esm.runUntilIdle();
    assertThat(esm.trace().committed()).hasSize(4);
    assertThat(esm.trace().redelivered()).isEmpty();
  }

  @Test
  void partialResponse_commitsBeforeLowestAndRedeliversFromIt_countsAsAttempt() {
    List<StoredRecord> stored = put("one", 6, "a");
    String failing = stored.get(2).sequenceNumber();
    int[] calls = {0};
    EsmSimulator esm = sim("one", (e, c) -> calls[0]++ == 0
            ? Map.of("batchItemFailures", List.of(Map.of("itemIdentifier", stored.get(4).sequenceNumber()),
                Map.of("itemIdentifier", failing)))
            : Map.of(),
        EventSourceMappingConfig.builder().reportBatchItemFailures(true).maximumRetryAttempts(1).build()).build();
    esm.runUntilIdle();
    List<SimulatorTrace.Invocation> inv = esm.trace().invocations();
    assertThat(inv.get(0).outcome()).isEqualTo(Outcome.PARTIAL_FAILURE);
    assertThat(inv.get(0).reported()).isEqualTo(failing);
    assertThat(inv.get(1).sequenceNumbers()).first().isEqualTo(failing);
    assertThat(inv.get(1).retryAttempt()).isEqualTo(1);
    assertThat(esm.trace().checkpoints().get(0).sequenceNumber()).isEqualTo(stored.get(1).sequenceNumber());
    assertThat(esm.trace().redelivered().keySet()).containsExactlyElementsOf(
        stored.subList(2, 6).stream().map(StoredRecord::sequenceNumber).toList());
  }

  @Test
  void partialResponse_exhaustedAttempts_discardsOnlyTheRemainderWithNullFunctionError() {
    List<StoredRecord> stored = put("one", 5, "a");
    EsmSimulator esm = sim("one", (e, c) -> failure(stored.get(3).sequenceNumber()),
        EventSourceMappingConfig.builder().reportBatchItemFailures(true).maximumRetryAttempts(1)
            .onFailureDestination(EventSourceMappingConfig.DestinationType.SNS).build())
        .partialFailureRetry(EsmSimulator.PartialRetry.EXACT_REMAINDER).build();
    esm.runUntilIdle();
    assertThat(esm.trace().invocations()).hasSize(2);
    assertThat(esm.trace().discarded()).containsExactly(stored.get(3).sequenceNumber(), stored.get(4).sequenceNumber());
    Map<String, Object> doc = Json.parseObject(esm.onFailureRecords().get(0));
    assertThat(((Map<?, ?>) doc.get("responseContext")).get("functionError")).isNull();
    assertThat(((Map<?, ?>) doc.get("KinesisBatchInfo")).get("startSequenceNumber"))
        .isEqualTo(stored.get(3).sequenceNumber());
  }

  @Test
  void partialResponse_identifierNotInBatch_wholeBatchFails() {
    put("one", 3, "a");
    int[] calls = {0};
    EsmSimulator esm = sim("one", (e, c) -> calls[0]++ == 0 ? failure("12345") : null,
        EventSourceMappingConfig.builder().reportBatchItemFailures(true).build()).build();
    esm.runUntilIdle();
    assertThat(esm.trace().invocations().get(0).outcome()).isEqualTo(Outcome.INVALID_RESPONSE);
    assertThat(esm.trace().invocations().get(1).sequenceNumbers()).hasSize(3);
    assertThat(esm.trace().redelivered()).hasSize(3);
  }

  @Test
  void timeout_isAFunctionError_responseDiscarded() {
    put("one", 2, "a");
    int[] calls = {0};
    EsmSimulator esm = sim("one", (e, c) -> {
      if (calls[0]++ == 0) {
        clock.advance(Duration.ofSeconds(31));
      }
      return null;
    }, EventSourceMappingConfig.builder().reportBatchItemFailures(true).build()).build();
    esm.runUntilIdle();
    assertThat(esm.trace().invocations().get(0).outcome()).isEqualTo(Outcome.TIMEOUT);
    assertThat(esm.trace().redelivered()).hasSize(2);
  }

  @Test
  void maximumRecordAge_expiredRecordsDiscardedBeforeAttemptWithRecordAgeExceeded() {
    put("one", 2, "old");
    clock.advance(Duration.ofSeconds(120));
    put("one", 1, "new");
    List<String> delivered = new ArrayList<>();
    EsmSimulator esm = sim("one", (e, c) -> {
      e.getRecords().forEach(r -> delivered.add(data(r)));
      return null;
    }, EventSourceMappingConfig.builder().maximumRecordAgeInSeconds(60)
        .onFailureDestination(EventSourceMappingConfig.DestinationType.SQS).build()).build();
    esm.runUntilIdle();
    assertThat(delivered).containsExactly("{\"n\":0,\"tag\":\"new\"}");
    assertThat(esm.trace().discarded()).hasSize(2);
    Map<String, Object> doc = Json.parseObject(esm.onFailureRecords().get(0));
    assertThat(((Map<?, ?>) doc.get("requestContext")).get("condition")).isEqualTo("RecordAgeExceeded");
    // AWS's recorded on-failure record for records never delivered says 1, not 0
    assertThat(((Map<?, ?>) doc.get("requestContext")).get("approximateInvokeCount").toString()).isEqualTo("1");
    assertThat(doc).doesNotContainKey("responseContext");
  }

  @Test
  void bisect_splitCountingModes_documentedSplitUsesNoAttempt_otherModeDiscardsAHalf() {
    List<StoredRecord> stored = put("one", 8, "a");
    String pill = stored.get(4).sequenceNumber();
    RequestHandler<KinesisEvent, ?> h = (e, c) -> {
      if (seqs(e).contains(pill)) {
        throw new RuntimeException("pill");
      }
      return null;
    };
    EventSourceMappingConfig mapping = EventSourceMappingConfig.builder().bisectBatchOnFunctionError(true)
        .maximumRetryAttempts(1).build();
    EsmSimulator documented = sim("one", h, mapping).build();
    documented.runUntilIdle();
    assertThat(documented.trace().discarded()).containsExactly(pill);

    // Every failure counts: [1..8] fails (1, split), [1..4] succeeds (reset), [5..8] fails (1, split),
    // [5,6] fails with no attempt left: discarded with the healthy record 6.
    EsmSimulator counted = sim("one", h, mapping)
        .bisectRetryCounting(EsmSimulator.BisectRetryCounting.SPLIT_USES_ATTEMPT).build();
    counted.runUntilIdle();
    assertThat(counted.trace().discarded()).containsExactlyInAnyOrder(pill, stored.get(5).sequenceNumber());
  }

  @Test
  void filterCriteria_nonMatchingAndNonJsonRecordsSkippedNeverDelivered() {
    put("one", 4, "keep");
    kinesis.putRecord(b -> b.streamName("one").partitionKey("p").data(SdkBytes.fromUtf8String("plain"))).join();
    put("one", 3, "drop");
    List<String> delivered = new ArrayList<>();
    EsmSimulator esm = sim("one", (e, c) -> {
      e.getRecords().forEach(r -> delivered.add(data(r)));
      return null;
    }, EventSourceMappingConfig.builder().filter("{\"data\":{\"tag\":[\"keep\"]}}").build()).build();
    esm.runUntilIdle();
    assertThat(delivered).hasSize(4).allSatisfy(d -> assertThat(d).contains("keep"));
    assertThat(esm.trace().filtered()).hasSize(4);
  }

  @Test
  void parallelizationFactor_eachKeyInOneLaneInOrder() {
    List<StoredRecord> stored = put("one", 200, "a");
    Map<String, List<BigInteger>> perKey = new HashMap<>();
    Map<String, Set<Integer>> lanesPerKey = new HashMap<>();
    EsmSimulator esm = sim("one", (e, c) -> {
      e.getRecords().forEach(r -> perKey.computeIfAbsent(r.getKinesis().getPartitionKey(), k -> new ArrayList<>())
          .add(new BigInteger(r.getKinesis().getSequenceNumber())));
      return null;
    }, EventSourceMappingConfig.builder().parallelizationFactor(4).batchSize(10).build()).build();
    esm.runUntilIdle();
    esm.trace().invocations().forEach(i -> i.sequenceNumbers().forEach(s -> {
      String key = stored.stream().filter(r -> r.sequenceNumber().equals(s)).findFirst().orElseThrow().partitionKey();
      lanesPerKey.computeIfAbsent(key, k -> new java.util.HashSet<>()).add(i.lane());
    }));
    assertThat(perKey.values()).allSatisfy(l -> assertThat(l).isSorted());
    assertThat(lanesPerKey.values()).allSatisfy(l -> assertThat(l).hasSize(1));
    assertThat(esm.trace().invocations().stream().map(SimulatorTrace.Invocation::lane).collect(Collectors.toSet()))
        .hasSizeGreaterThan(1);
  }

  @Test
  void shardsAreIndependent_stuckShardDoesNotBlockTheOther() {
    put("two", 60, "a");
    Map<String, List<StoredRecord>> byShard = kinesis.storedRecords("two").stream()
        .collect(Collectors.groupingBy(StoredRecord::shardId));
    assertThat(byShard).hasSize(2);
    EsmSimulator esm = sim("two", (e, c) -> {
      if (e.getRecords().get(0).getEventID().startsWith("shardId-000000000000")) {
        throw new RuntimeException("shard 0 is stuck");
      }
      return null;
    }, EventSourceMappingConfig.defaults()).build();
    for (int i = 0; i < 10; i++) {
      esm.step();
    }
    assertThat(esm.trace().committed()).containsExactlyInAnyOrderElementsOf(
        byShard.get("shardId-000000000001").stream().map(StoredRecord::sequenceNumber).toList());
  }

  @Test
  void throttledInvocation_functionNotRunAndNoAttemptUsed() {
    put("one", 1, "a");
    int[] runs = {0};
    EsmSimulator esm = sim("one", (e, c) -> { runs[0]++; return null; },
        EventSourceMappingConfig.builder().maximumRetryAttempts(0).build()).build();
    esm.throttleNextInvocations(3);
    esm.runUntilIdle();
    assertThat(runs[0]).isEqualTo(1);
    assertThat(esm.trace().invocations().stream().map(SimulatorTrace.Invocation::outcome))
        .containsExactly(Outcome.THROTTLED, Outcome.THROTTLED, Outcome.THROTTLED, Outcome.SUCCESS);
    assertThat(esm.trace().committed()).hasSize(1);
  }

  @Test
  void lostCheckpoint_successfulBatchDeliveredAgain() {
    put("one", 3, "a");
    EsmSimulator esm = sim("one", (e, c) -> null, EventSourceMappingConfig.defaults()).build();
    esm.loseNextCheckpoint();
    esm.runUntilIdle();
    assertThat(esm.trace().redelivered()).hasSize(3).allSatisfy((k, v) -> assertThat(v).isEqualTo(2));
  }

  @Test
  void batchingWindow_waitsOnTheClockForMoreRecords_noRealSleep() {
    put("one", 3, "a");
    java.time.Instant start = clock.instant();
    List<Integer> sizes = new ArrayList<>();
    EsmSimulator esm = sim("one", (e, c) -> { sizes.add(e.getRecords().size()); return null; },
        EventSourceMappingConfig.builder().batchSize(10).maximumBatchingWindow(Duration.ofSeconds(5)).build()).build();
    assertThat(esm.step()).isFalse();
    put("one", 2, "b");
    esm.runUntilIdle();
    assertThat(sizes).containsExactly(5);
    assertThat(Duration.between(start, clock.instant())).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void s3Destination_onFailureRecordCarriesThePayload() {
    put("one", 1, "a");
    EsmSimulator esm = sim("one", (e, c) -> { throw new RuntimeException("x"); },
        EventSourceMappingConfig.builder().maximumRetryAttempts(0)
            .onFailureDestination(EventSourceMappingConfig.DestinationType.S3).build()).build();
    esm.runUntilIdle();
    Map<String, Object> doc = Json.parseObject(esm.onFailureRecords().get(0));
    assertThat(((List<?>) ((Map<?, ?>) doc.get("payload")).get("Records"))).hasSize(1);
  }

  @Test
  void tumblingWindowWithParallelizationFactor_notModelled_rejected() {
    assertThatThrownBy(() -> sim("one", (e, c) -> null,
        EventSourceMappingConfig.builder().tumblingWindowInSeconds(60).parallelizationFactor(2).build()).build())
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
