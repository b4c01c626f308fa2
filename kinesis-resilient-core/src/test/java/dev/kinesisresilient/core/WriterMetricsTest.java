package dev.kinesisresilient.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kinesisresilient.core.testing.ManualClock;
import dev.kinesisresilient.core.testing.ManualScheduler;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

final class WriterMetricsTest {

  private static final String PTE = "ProvisionedThroughputExceededException";

  private final ManualClock clock = ManualClock.create();
  private final ManualScheduler scheduler = ManualScheduler.create(clock);
  private final ScriptedKinesisClient client = new ScriptedKinesisClient();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private KinesisBatchWriter writer(MetricsOptions options, RetryPolicy policy) {
    SplittableRandom random = new SplittableRandom(1);
    return KinesisBatchWriter.builder(client).streamName("orders").clock(clock).scheduler(scheduler)
        .random(() -> random).metrics(options).retryPolicy(policy).build();
  }

  private static List<KinesisRecord> records(int n) {
    List<KinesisRecord> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(KinesisRecord.of("k" + i, ("value" + i).getBytes(UTF_8)));
    }
    return out;
  }

  @Test
  void metrics_partialFailureThenSuccess_countsByNameAndTags() {
    client.thenFailEntries(Map.of(1, PTE, 2, "InternalFailure"));
    KinesisBatchWriter w = writer(MetricsOptions.of(registry).withTags(List.of(Tag.of("app", "test"))),
        RetryPolicy.defaults());
    w.write(records(4));
    scheduler.advance(Duration.ofSeconds(1));

    // acknowledged per shard: the scripted client puts entry j on shard j % 4
    assertThat(registry.get("kinesis.resilient.records.acknowledged")
        .tags("stream", "orders", "app", "test").counters())
        .extracting(c -> c.getId().getTag("shard") + "=" + (int) c.count())
        .containsExactlyInAnyOrder("shardId-000000000000=2", "shardId-000000000001=1", "shardId-000000000003=1");
    // retried entries by error code; the throttled one by the shard named in the service's message
    assertThat(registry.get("kinesis.resilient.entries.retried")
        .tags("stream", "orders", "shard", "shardId-000000000001", "error.code", PTE).counter().count())
        .isEqualTo(1.0);
    assertThat(registry.get("kinesis.resilient.entries.retried")
        .tags("shard", "unknown", "error.code", "InternalFailure").counter().count()).isEqualTo(1.0);
    // attempts per record
    assertThat(registry.get("kinesis.resilient.record.attempts").tags("result", "acknowledged").summary().count())
        .isEqualTo(4);
    assertThat(registry.get("kinesis.resilient.record.attempts").tags("result", "acknowledged").summary()
        .totalAmount()).isEqualTo(6.0);
    // latency per call, by result
    assertThat(registry.get("kinesis.resilient.putrecords.latency").tags("result", "partial", "error.code", "none")
        .timer().count()).isEqualTo(1);
    assertThat(registry.get("kinesis.resilient.putrecords.latency").tags("result", "success").timer().count())
        .isEqualTo(1);
    // request size in records and bytes
    assertThat(registry.get("kinesis.resilient.putrecords.request.records").summary().totalAmount()).isEqualTo(6.0);
    Meter bytes = registry.get("kinesis.resilient.putrecords.request.bytes").summary();
    assertThat(bytes.getId().getBaseUnit()).isEqualTo("bytes");
    long expectedBytes = records(4).stream().mapToLong(KinesisRecord::sizeBytes).sum()
        + records(4).get(1).sizeBytes() + records(4).get(2).sizeBytes();
    assertThat(registry.get("kinesis.resilient.putrecords.request.bytes").summary().totalAmount())
        .isEqualTo((double) expectedBytes);
    assertThat(registry.get("kinesis.resilient.putrecords.inflight").gauge().value()).isZero();
  }

  @Test
  void metrics_failures_countedByReasonAndCode() {
    client.thenThrow("ResourceNotFoundException", 400);
    KinesisBatchWriter w = writer(MetricsOptions.of(registry), RetryPolicy.defaults());
    w.write(records(3)).join();
    assertThat(registry.get("kinesis.resilient.records.failed")
        .tags("stream", "orders", "reason", "not_retriable", "error.code", "ResourceNotFoundException")
        .counter().count()).isEqualTo(3.0);
    assertThat(registry.get("kinesis.resilient.putrecords.latency")
        .tags("result", "error", "error.code", "ResourceNotFoundException").timer().count()).isEqualTo(1);
    assertThat(registry.get("kinesis.resilient.record.attempts").tags("result", "failed").summary().count())
        .isEqualTo(3);
  }

  @Test
  void metrics_unknownEntryCode_countedAsOther() {
    client.thenFailAll("BrandNewError");
    KinesisBatchWriter w = writer(MetricsOptions.of(registry), RetryPolicy.builder().maxAttempts(1).build());
    RecordResult.Failed f = w.write(records(1)).join().failed().get(0);
    assertThat(f.errorCode()).isEqualTo("BrandNewError");
    assertThat(f.reason()).isEqualTo(FailureReason.RETRIES_EXHAUSTED);
    assertThat(registry.get("kinesis.resilient.records.failed")
        .tags("reason", "retries_exhausted", "error.code", "other").counter().count()).isEqualTo(1.0);
  }

  @Test
  void metrics_shardLevelOff_tagsAll() {
    KinesisBatchWriter w = writer(MetricsOptions.of(registry).withShardLevel(false), RetryPolicy.defaults());
    w.write(records(4)).join();
    assertThat(registry.get("kinesis.resilient.records.acknowledged").counters()).hasSize(1);
    assertThat(registry.get("kinesis.resilient.records.acknowledged").tags("shard", "all").counter().count())
        .isEqualTo(4.0);
  }

  @Test
  void metrics_shardCap_furtherShardsCountedAsOther() {
    KinesisBatchWriter w = writer(MetricsOptions.of(registry).withMaxShardTagValues(2), RetryPolicy.defaults());
    w.write(records(8)).join();
    assertThat(registry.get("kinesis.resilient.records.acknowledged").counters())
        .extracting(c -> c.getId().getTag("shard") + "=" + (int) c.count())
        .containsExactlyInAnyOrder("shardId-000000000000=2", "shardId-000000000001=2", "other=4");
  }

  @Test
  void close_removesMeters() {
    KinesisBatchWriter w = writer(MetricsOptions.of(registry), RetryPolicy.defaults());
    w.write(records(2)).join();
    assertThat(registry.getMeters()).isNotEmpty();
    w.close();
    assertThat(registry.getMeters()).isEmpty();
  }

  private KinesisBatchWriter writer(MetricsOptions options, String clientId) {
    SplittableRandom random = new SplittableRandom(1);
    return KinesisBatchWriter.builder(client).streamName("orders").clock(clock).scheduler(scheduler)
        .random(() -> random).metrics(options).clientId(clientId).build();
  }

  private double acknowledged() {
    return registry.get("kinesis.resilient.records.acknowledged").tag("stream", "orders").counters().stream()
        .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
  }

  @Test
  void twoWriters_sameStreamAndRegistry_closingOneKeepsTheOthersMetersUntilTheLastCloses() {
    KinesisBatchWriter a = writer(MetricsOptions.of(registry), "a");
    KinesisBatchWriter b = writer(MetricsOptions.of(registry), "b");
    a.write(records(2)).join();
    b.write(records(2)).join();
    assertThat(acknowledged()).isEqualTo(4.0);
    assertThat(registry.get("kinesis.resilient.putrecords.inflight").gauges())
        .extracting(g -> g.getId().getTag("client.id")).containsExactlyInAnyOrder("a", "b");

    a.close();
    b.write(records(3)).join();
    assertThat(acknowledged()).as("the shared counters survive a's close and keep counting b's records")
        .isEqualTo(7.0);
    assertThat(registry.get("kinesis.resilient.putrecords.latency").timers()).isNotEmpty();
    assertThat(registry.get("kinesis.resilient.record.attempts").tags("result", "acknowledged").summary().count())
        .isEqualTo(7);
    assertThat(registry.get("kinesis.resilient.putrecords.inflight").gauges())
        .as("a's own gauge is gone, b's stays").extracting(g -> g.getId().getTag("client.id")).containsExactly("b");

    b.close();
    assertThat(registry.getMeters()).as("the last user removes the shared meters").isEmpty();
  }

  @Test
  void twoWriters_differentTags_doNotShareMeterLifetimes() {
    registry.config().commonTags("env", "test");
    KinesisBatchWriter a = writer(MetricsOptions.of(registry), "a");
    KinesisBatchWriter b = writer(MetricsOptions.of(registry).withTags(List.of(Tag.of("app", "x"))), "b");
    a.write(records(1)).join();
    b.write(records(1)).join();
    a.close();
    assertThat(registry.find("kinesis.resilient.records.acknowledged").tag("app", "x").counters()).isNotEmpty();
    assertThat(registry.getMeters()).allMatch(m -> "x".equals(m.getId().getTag("app")));
    b.close();
    assertThat(registry.getMeters()).isEmpty();
  }

  @Test
  void meters_unitsSetAndPrometheusNamesDoNotRepeatTheirUnit() {
    client.thenFailEntries(Map.of(1, PTE));
    KinesisBatchWriter w = writer(MetricsOptions.of(registry), RetryPolicy.defaults());
    w.write(records(2));
    scheduler.advance(Duration.ofSeconds(1));
    client.thenThrow("ResourceNotFoundException", 400);
    w.write(records(1)).join();
    assertThat(registry.get("kinesis.resilient.record.attempts").summaries())
        .allMatch(m -> "attempts".equals(m.getId().getBaseUnit()));
    assertThat(registry.get("kinesis.resilient.putrecords.request.records").summary().getId().getBaseUnit())
        .isEqualTo("records");
    assertThat(registry.get("kinesis.resilient.putrecords.inflight").gauge().getId().getBaseUnit())
        .isEqualTo("requests");
    assertThat(registry.getMeters().stream().map(m -> m.getId().getName()).distinct()).hasSize(8);
    assertThat(dev.kinesisresilient.core.it.PrometheusNames.repeatingUnits(registry)).isEmpty();
    assertThat(registry.getMeters().stream().map(m -> dev.kinesisresilient.core.it.PrometheusNames.of(m.getId()))
        .distinct()).contains("kinesis_resilient_records_acknowledged", "kinesis_resilient_records_failed",
            "kinesis_resilient_entries_retried", "kinesis_resilient_record_attempts",
            "kinesis_resilient_putrecords_request_records", "kinesis_resilient_putrecords_inflight_requests",
            "kinesis_resilient_putrecords_request_bytes", "kinesis_resilient_putrecords_latency_seconds");
  }

  @Test
  void noRegistry_noMeters() {
    SplittableRandom random = new SplittableRandom(1);
    KinesisBatchWriter.builder(client).streamName("orders").clock(clock).scheduler(scheduler)
        .random(() -> random).build().write(records(2)).join();
    assertThat(registry.getMeters()).isEmpty();
  }
}
