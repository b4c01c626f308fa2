package dev.kinesisresilient.lambda.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kinesisresilient.core.KinesisBatchWriter;
import dev.kinesisresilient.core.RetryPolicy;
import dev.kinesisresilient.core.testing.FakeKinesisAsyncClient;
import dev.kinesisresilient.core.testing.ManualClock;
import dev.kinesisresilient.core.testing.ManualScheduler;
import dev.kinesisresilient.core.testing.StoredRecord;
import dev.kinesisresilient.lambda.KinesisBatchProcessor;
import dev.kinesisresilient.lambda.QuarantineSink;
import dev.kinesisresilient.lambda.internal.Json;
import java.math.BigInteger;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;

/**
 * The end-to-end check: 1,000 records on 2 shards with one poison pill and one slow record
 * near the deadline, through the simulated event source mapping (recommended settings) into a
 * wrapped handler with a Kinesis quarantine sink, all on the in-memory Kinesis and a manual clock.
 */
final class EsmSimulatorWithProcessorTest {

  private static final Duration SLOW = Duration.ofMillis(8_500);

  private final ManualClock clock = ManualClock.create();
  private final FakeKinesisAsyncClient kinesis = FakeKinesisAsyncClient.builder().clock(clock)
      .enforceShardLimits(false).stream("orders", 2).stream("orders-quarantine", 1).build();

  @Test
  void thousandRecordsTwoShards_pillQuarantinedSlowRecordStopsEarly_nothingLostNoAvoidableRedelivery() {
    for (int i = 0; i < 1000; i++) {
      String kind = i == 337 ? "pill" : i == 612 ? "slow" : "ok";
      String json = "{\"i\":" + i + ",\"kind\":\"" + kind + "\"}";
      String key = "user-" + (i % 50);
      kinesis.putRecord(b -> b.streamName("orders").partitionKey(key).data(SdkBytes.fromUtf8String(json))).join();
    }
    List<StoredRecord> stored = kinesis.storedRecords("orders");
    String pill = stored.stream().filter(r -> r.dataAsUtf8().contains("pill")).findFirst().orElseThrow().sequenceNumber();
    String slow = stored.stream().filter(r -> r.dataAsUtf8().contains("slow")).findFirst().orElseThrow().sequenceNumber();

    Map<String, Integer> handled = new HashMap<>();
    KinesisBatchWriter quarantineWriter = KinesisBatchWriter.builder(kinesis).streamName("orders-quarantine")
        .clock(clock).scheduler(ManualScheduler.create(clock)).build();
    KinesisBatchProcessor processor = KinesisBatchProcessor.builder(r -> {
          String data = r.dataAsString();
          if (data.contains("pill")) {
            throw new IllegalStateException("cannot process order");
          }
          if (data.contains("slow")) {
            clock.advance(SLOW);
          }
          handled.merge(r.sequenceNumber(), 1, Integer::sum);
        })
        .clock(clock).sleeper(clock::advance)
        .retryPolicy(RetryPolicy.builder().maxAttempts(3).baseDelay(Duration.ofMillis(50))
            .maxDelay(Duration.ofMillis(200)).deadline(Duration.ofSeconds(5)).build())
        .safetyMargin(Duration.ofSeconds(2))
        .quarantineSink(QuarantineSink.kinesis(quarantineWriter))
        .build();

    EsmSimulator esm = EsmSimulator.builder(kinesis, "orders", processor::handleRequest)
        .mapping(EventSourceMappingConfig.recommended().batchSize(100).build())
        .clock(clock).functionTimeout(Duration.ofSeconds(10)).build();
    esm.runUntilIdle();
    SimulatorTrace trace = esm.trace();

    // The shard was never blocked: nothing was discarded, no function error, the pipeline went idle.
    assertThat(trace.discarded()).isEmpty();
    assertThat(esm.onFailureRecords()).isEmpty();
    assertThat(trace.invocations()).allSatisfy(i -> assertThat(i.outcome())
        .isIn(SimulatorTrace.Outcome.SUCCESS, SimulatorTrace.Outcome.PARTIAL_FAILURE));

    // Nothing lost: every record committed by the mapping; the pill also sits in the quarantine stream.
    assertThat(trace.committed()).containsExactlyInAnyOrderElementsOf(
        stored.stream().map(StoredRecord::sequenceNumber).toList());

    // The pill was quarantined once, with its metadata and error.
    List<StoredRecord> quarantined = kinesis.storedRecords("orders-quarantine");
    assertThat(quarantined).hasSize(1);
    Map<String, Object> doc = Json.parseObject(quarantined.get(0).dataAsUtf8());
    @SuppressWarnings("unchecked")
    Map<String, Object> source = (Map<String, Object>) doc.get("source");
    StoredRecord pillRecord = stored.stream().filter(r -> r.sequenceNumber().equals(pill)).findFirst().orElseThrow();
    assertThat(source).containsEntry("sequenceNumber", pill).containsEntry("shardId", pillRecord.shardId())
        .containsEntry("partitionKey", pillRecord.partitionKey())
        .containsEntry("streamArn", kinesis.streamArn("orders"));
    assertThat(doc).containsEntry("reason", "RETRIES_EXHAUSTED");
    assertThat(((Map<?, ?>) doc.get("error")).get("message")).isEqualTo("cannot process order");

    // The slow record made the wrapper stop early and report the next record (not time out).
    List<SimulatorTrace.Invocation> partials = trace.invocations().stream()
        .filter(i -> i.outcome() == SimulatorTrace.Outcome.PARTIAL_FAILURE).toList();
    assertThat(partials).hasSize(1);
    SimulatorTrace.Invocation early = partials.get(0);
    List<String> batch = early.sequenceNumbers();
    assertThat(batch).contains(slow);
    assertThat(early.reported()).isEqualTo(batch.get(batch.indexOf(slow) + 1));

    // Every record handled successfully exactly once (the pill never): no duplicate processing.
    assertThat(handled).doesNotContainKey(pill);
    assertThat(handled).hasSize(999).allSatisfy((seq, n) -> assertThat(n).as(seq).isEqualTo(1));

    // Redelivered only what the ESM forces: records at or after the reported one in that batch,
    // which the wrapper had not processed.
    BigInteger from = new BigInteger(early.reported());
    Set<String> forced = batch.stream().filter(s -> new BigInteger(s).compareTo(from) >= 0)
        .collect(Collectors.toCollection(HashSet::new));
    assertThat(trace.redelivered().keySet()).isNotEmpty().isSubsetOf(forced);
    assertThat(trace.redelivered().values()).allSatisfy(n -> assertThat(n).isEqualTo(2));
  }
}
