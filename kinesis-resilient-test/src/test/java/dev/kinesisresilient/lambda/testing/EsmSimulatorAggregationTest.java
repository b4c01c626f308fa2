package dev.kinesisresilient.lambda.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import dev.kinesisresilient.core.KinesisRecord;
import dev.kinesisresilient.core.RetryPolicy;
import dev.kinesisresilient.core.aggregation.AggregateBuilder;
import dev.kinesisresilient.core.testing.FakeKinesisAsyncClient;
import dev.kinesisresilient.core.testing.ManualClock;
import dev.kinesisresilient.core.testing.StoredRecord;
import dev.kinesisresilient.lambda.KinesisBatchProcessor;
import dev.kinesisresilient.lambda.QuarantinedRecord;
import dev.kinesisresilient.lambda.StreamRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * KPL aggregates through the simulated event source mapping: delivered unopened, as Lambda does, and
 * opened by the wrapped handler.
 */
final class EsmSimulatorAggregationTest {

  private final ManualClock clock = ManualClock.create();
  private final FakeKinesisAsyncClient kinesis = FakeKinesisAsyncClient.builder().clock(clock)
      .enforceShardLimits(false).stream("one", 1).stream("two", 2).build();

  private KinesisRecord putAggregate(String stream, List<KinesisRecord> users) {
    AggregateBuilder b = new AggregateBuilder(1024 * 1024);
    for (KinesisRecord u : users) {
      assertThat(b.tryAdd(u)).isTrue();
    }
    KinesisRecord carrier = b.toKinesisRecord();
    put(stream, carrier);
    return carrier;
  }

  private void put(String stream, KinesisRecord r) {
    kinesis.putRecord(b -> b.streamName(stream).partitionKey(r.partitionKey()).data(r.data())
        .explicitHashKey(r.explicitHashKey())).join();
  }

  private static KinesisRecord user(String key, String data) {
    return KinesisRecord.of(key, data.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] bytes(ByteBuffer b) {
    ByteBuffer d = b.duplicate();
    byte[] out = new byte[d.remaining()];
    d.get(out);
    return out;
  }

  @Test
  void aggregate_deliveredUnopened_asOneRecordWithTheOuterSequenceNumberKeyAndBytes() {
    put("one", user("plain", "p0"));
    KinesisRecord carrier = putAggregate("one", List.of(user("a", "x"), user("b", "y"), user("c", "z")));
    List<StoredRecord> stored = kinesis.storedRecords("one");
    List<KinesisEvent> events = new ArrayList<>();
    EsmSimulator esm = EsmSimulator.builder(kinesis, "one", (e, c) -> { events.add(e); return null; })
        .clock(clock).functionTimeout(Duration.ofSeconds(30)).build();
    esm.runUntilIdle();

    List<KinesisEvent.KinesisEventRecord> delivered = events.stream().flatMap(e -> e.getRecords().stream()).toList();
    assertThat(delivered).hasSize(2);
    KinesisEvent.Record agg = delivered.get(1).getKinesis();
    assertThat(agg.getSequenceNumber()).isEqualTo(stored.get(1).sequenceNumber());
    assertThat(agg.getPartitionKey()).isEqualTo("a");
    assertThat(bytes(agg.getData())).isEqualTo(carrier.data().asByteArray());
    assertThat(esm.trace().deliveryCounts()).hasSize(2);
  }

  @Test
  void parallelizationFactor_lanesFollowTheOuterPartitionKeyOnly() {
    // sub-record keys differ from the carrier's; the ESM only sees the carrier's key "a"
    putAggregate("one", List.of(user("a", "0"), user("b", "1"), user("c", "2"), user("d", "3")));
    EsmSimulator esm = EsmSimulator.builder(kinesis, "one", (e, c) -> null)
        .mapping(EventSourceMappingConfig.builder().parallelizationFactor(4).build())
        .clock(clock).functionTimeout(Duration.ofSeconds(30)).build();
    esm.runUntilIdle();
    assertThat(esm.trace().invocations()).singleElement()
        .satisfies(i -> assertThat(i.lane()).isEqualTo(Math.floorMod("a".hashCode(), 4)));
  }

  @Test
  void dataFilterCriteria_neverMatchAnAggregate_itsBytesAreNotJson() {
    put("one", user("p", "{\"tag\":\"keep\"}"));
    putAggregate("one", List.of(user("a", "{\"tag\":\"keep\"}"), user("b", "{\"tag\":\"keep\"}")));
    List<StreamRecord> seen = new ArrayList<>();
    KinesisBatchProcessor processor = KinesisBatchProcessor.builder(seen::add).clock(clock).build();
    EsmSimulator esm = EsmSimulator.builder(kinesis, "one", processor::handleRequest)
        .mapping(EventSourceMappingConfig.builder().filter("{\"data\":{\"tag\":[\"keep\"]}}").build())
        .clock(clock).functionTimeout(Duration.ofSeconds(30)).build();
    esm.runUntilIdle();
    assertThat(seen).singleElement().satisfies(r -> assertThat(r.aggregated()).isFalse());
    assertThat(esm.trace().filtered()).containsExactly(kinesis.storedRecords("one").get(1).sequenceNumber());
  }

  @Test
  void aggregatesThroughTheSimulatorIntoAWrappedHandler_everyUserRecordHandledOnceWithItsKey_poisonQuarantined() {
    Map<String, String> expected = new HashMap<>(); // data -> key
    int n = 0;
    for (int agg = 0; agg < 40; agg++) {
      if (agg % 5 == 0) {
        String data = "plain-" + n++;
        put("two", user("user-" + (n % 23), data));
        expected.put(data, "user-" + (n % 23));
      }
      List<KinesisRecord> users = new ArrayList<>();
      for (int sub = 0, subs = 1 + agg % 9; sub < subs; sub++, n++) {
        String data = (agg == 17 && sub == 2) ? "poison-" + n : "u-" + n;
        users.add(user("user-" + (n % 23), data));
        expected.put(data, "user-" + (n % 23));
      }
      putAggregate("two", users);
    }
    List<StoredRecord> stored = kinesis.storedRecords("two");
    assertThat(stored.stream().map(StoredRecord::shardId).distinct()).hasSize(2);

    Map<String, Integer> handledByKey = new HashMap<>();
    Map<String, String> handledData = new HashMap<>();
    List<QuarantinedRecord> quarantined = new CopyOnWriteArrayList<>();
    KinesisBatchProcessor processor = KinesisBatchProcessor.builder(r -> {
          if (r.dataAsString().startsWith("poison")) {
            throw new IllegalStateException("poison");
          }
          handledByKey.merge(r.idempotencyKey(), 1, Integer::sum);
          handledData.put(r.dataAsString(), r.partitionKey());
        })
        .clock(clock).sleeper(clock::advance)
        .retryPolicy(RetryPolicy.builder().maxAttempts(2).baseDelay(Duration.ofMillis(10)).build())
        .quarantineSink((q, left) -> quarantined.add(q))
        .build();
    EsmSimulator esm = EsmSimulator.builder(kinesis, "two", processor::handleRequest)
        .mapping(EventSourceMappingConfig.recommended().batchSize(7).build())
        .clock(clock).functionTimeout(Duration.ofSeconds(30)).build();
    esm.runUntilIdle();

    // every user record but the poison handled exactly once, with its own key
    Map<String, String> expectedHandled = new HashMap<>(expected);
    expectedHandled.keySet().removeIf(d -> d.startsWith("poison"));
    assertThat(handledData).isEqualTo(expectedHandled);
    assertThat(handledByKey).hasSize(expected.size() - 1).allSatisfy((k, v) -> assertThat(v).as(k).isEqualTo(1));
    // the poison sub-record quarantined once, with its aggregate's sequence number and its sub-sequence number
    assertThat(quarantined).singleElement().satisfies(q -> {
      StreamRecord r = q.record();
      assertThat(r.dataAsString()).startsWith("poison");
      assertThat(r.subSequenceNumber()).isEqualTo(2);
      assertThat(r.aggregated()).isTrue();
      assertThat(r.partitionKey()).isEqualTo(expected.get(r.dataAsString()));
      assertThat(stored).anySatisfy(s -> assertThat(s.sequenceNumber()).isEqualTo(r.sequenceNumber()));
    });
    // the shards moved on: every Kinesis record committed, nothing redelivered or discarded
    assertThat(esm.trace().committed()).containsExactlyInAnyOrderElementsOf(
        stored.stream().map(StoredRecord::sequenceNumber).toList());
    assertThat(esm.trace().redelivered()).isEmpty();
    assertThat(esm.trace().discarded()).isEmpty();
  }

  @Test
  void subRecordFailsOnce_lambdaRedeliversTheWholeAggregate_earlierSubRecordsComeAgainSameIdempotencyKey() {
    put("one", user("p", "before"));
    putAggregate("one", List.of(user("a", "s0"), user("b", "s1"), user("c", "flaky"), user("d", "s3")));
    put("one", user("p", "after"));
    List<String> attempts = new ArrayList<>();
    Set<String> done = new HashSet<>();
    List<String> effects = new ArrayList<>();
    Set<String> failedOnce = new HashSet<>();
    KinesisBatchProcessor processor = KinesisBatchProcessor.builder(r -> {
          attempts.add(r.idempotencyKey());
          if (r.dataAsString().equals("flaky") && failedOnce.add("flaky")) {
            throw new IllegalStateException("transient");
          }
          if (done.add(r.idempotencyKey())) { // the idempotency check a handler makes
            effects.add(r.dataAsString());
          }
        })
        .clock(clock).retryPolicy(RetryPolicy.builder().maxAttempts(1).build()).build();
    EsmSimulator esm = EsmSimulator.builder(kinesis, "one", processor::handleRequest)
        .mapping(EventSourceMappingConfig.recommended().batchSize(10).build())
        .clock(clock).functionTimeout(Duration.ofSeconds(30)).build();
    esm.runUntilIdle();

    String aggregateSeq = kinesis.storedRecords("one").get(1).sequenceNumber();
    assertThat(esm.trace().invocations().get(0).reported()).isEqualTo(aggregateSeq);
    assertThat(esm.trace().redelivered()).containsOnlyKeys(aggregateSeq, kinesis.storedRecords("one").get(2)
        .sequenceNumber());
    // s0 and s1 were handled twice (same keys), the side effects happened once each
    assertThat(attempts.stream().filter(k -> k.equals(aggregateSeq + ":0"))).hasSize(2);
    assertThat(attempts.stream().filter(k -> k.equals(aggregateSeq + ":1"))).hasSize(2);
    assertThat(effects).containsExactly("before", "s0", "s1", "flaky", "s3", "after");
  }
}
