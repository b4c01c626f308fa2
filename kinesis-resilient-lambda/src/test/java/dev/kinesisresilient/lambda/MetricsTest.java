package dev.kinesisresilient.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import dev.kinesisresilient.core.MetricsOptions;
import dev.kinesisresilient.core.RetryPolicy;
import dev.kinesisresilient.core.testing.ManualClock;
import dev.kinesisresilient.lambda.internal.Json;
import dev.kinesisresilient.lambda.testing.FakeLambdaContext;
import dev.kinesisresilient.lambda.testing.KinesisEvents;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Micrometer meters and the EMF writer, per stream and shard. */
final class MetricsTest {

  private final ManualClock clock = ManualClock.create();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();

  private KinesisEvent event() {
    KinesisEvents.Builder b = KinesisEvents.builder().clock(clock)
        .streamArn("arn:aws:kinesis:eu-west-1:123456789012:stream/orders").shardId("shardId-000000000007");
    b.record("k", "skip".getBytes(StandardCharsets.UTF_8), clock.instant().minusSeconds(5));
    b.record("k", "ok".getBytes(StandardCharsets.UTF_8), clock.instant().minusSeconds(4));
    b.record("k", "flaky".getBytes(StandardCharsets.UTF_8), clock.instant().minusSeconds(3));
    b.record("k", "bad".getBytes(StandardCharsets.UTF_8), clock.instant().minusSeconds(2));
    b.record("k", "never".getBytes(StandardCharsets.UTF_8), clock.instant().minusSeconds(2));
    return b.build();
  }

  private KinesisBatchProcessor processor() {
    java.util.Set<String> flakyOnce = new java.util.HashSet<>();
    return KinesisBatchProcessor.builder(r -> {
          clock.advance(Duration.ofMillis(10));
          String d = r.dataAsString();
          if (d.equals("flaky") && flakyOnce.add(d)) {
            throw new RuntimeException("once");
          }
          if (d.equals("bad")) {
            throw new RuntimeException("always");
          }
        })
        .clock(clock).sleeper(clock::advance)
        .retryPolicy(RetryPolicy.builder().maxAttempts(2).build())
        .filter(r -> !r.dataAsString().equals("skip"))
        .metrics(MetricsOptions.of(registry))
        .emf(EmfWriter.builder("KinesisResilient").out(new PrintStream(stdout, true, StandardCharsets.UTF_8))
            .clock(clock).dimension("FunctionName", "orders-consumer").build())
        .build();
  }

  @Test
  void process_withRegistry_countsRecordsByResultPerStreamAndShard() {
    processor().process(event(), FakeLambdaContext.builder().clock(clock).build());
    assertThat(count("succeeded")).isEqualTo(2);
    assertThat(count("filtered")).isEqualTo(1);
    assertThat(count("failed")).isEqualTo(1);
    assertThat(count("not_processed")).isEqualTo(1);
    assertThat(count("quarantined")).isZero();
    assertThat(registry.get("kinesis.resilient.lambda.record.retries").counter().count()).isEqualTo(2);
    assertThat(registry.get("kinesis.resilient.lambda.early.stops").tag("reason", "failure").counter().count())
        .isEqualTo(1);
    assertThat(registry.get("kinesis.resilient.lambda.batch.records").summary().totalAmount()).isEqualTo(5);
    assertThat(registry.get("kinesis.resilient.lambda.iterator.age").tag("shard", "shardId-000000000007").timer()
        .max(TimeUnit.MILLISECONDS)).isEqualTo(2000);
    assertThat(registry.get("kinesis.resilient.lambda.handler.duration").timer().count()).isEqualTo(5);
    assertThat(registry.get("kinesis.resilient.lambda.batch.duration").timer().count()).isEqualTo(1);
  }

  @Test
  void meters_prometheusNamesDoNotRepeatTheirUnit() {
    processor().process(event(), FakeLambdaContext.builder().clock(clock).build());
    assertThat(registry.getMeters().stream().map(m -> m.getId().getName()).distinct()).hasSize(8);
    assertThat(dev.kinesisresilient.core.it.PrometheusNames.repeatingUnits(registry)).isEmpty();
    assertThat(registry.getMeters().stream().map(m -> dev.kinesisresilient.core.it.PrometheusNames.of(m.getId())))
        .contains("kinesis_resilient_lambda_early_stops", "kinesis_resilient_lambda_records",
            "kinesis_resilient_lambda_subrecords_per_record");
  }

  private double count(String result) {
    return registry.get("kinesis.resilient.lambda.records").tag("stream", "orders")
        .tag("shard", "shardId-000000000007").tag("result", result).counter().count();
  }

  @Test
  void process_withEmf_writesOneEmfLinePerInvocationWithDimensionsAndValues() {
    KinesisBatchProcessor p = processor();
    p.process(event(), FakeLambdaContext.builder().clock(clock).build());
    String[] lines = stdout.toString(StandardCharsets.UTF_8).split("\n");
    assertThat(lines).hasSize(1);
    Map<String, Object> doc = Json.parseObject(lines[0]);
    @SuppressWarnings("unchecked")
    Map<String, Object> aws = (Map<String, Object>) doc.get("_aws");
    assertThat(aws.get("Timestamp")).isEqualTo(new BigDecimal(clock.millis()));
    @SuppressWarnings("unchecked")
    Map<String, Object> directive = ((List<Map<String, Object>>) aws.get("CloudWatchMetrics")).get(0);
    assertThat(directive.get("Namespace")).isEqualTo("KinesisResilient");
    assertThat(directive.get("Dimensions")).isEqualTo(List.of(List.of("FunctionName", "Stream", "Shard"),
        List.of("FunctionName", "Stream")));
    assertThat(doc).containsEntry("Stream", "orders").containsEntry("Shard", "shardId-000000000007")
        .containsEntry("FunctionName", "orders-consumer")
        .containsEntry("RecordsSucceeded", new BigDecimal(2))
        .containsEntry("RecordsFiltered", new BigDecimal(1))
        .containsEntry("RecordsFailed", new BigDecimal(1))
        .containsEntry("RecordsNotProcessed", new BigDecimal(1))
        .containsEntry("FailureStops", new BigDecimal(1))
        .containsEntry("IteratorAge", new BigDecimal(2000))
        .containsEntry("BatchSize", new BigDecimal(5))
        .containsEntry("UserRecords", new BigDecimal(5));
    // every metric named in the directive has a value in the document
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> defs = (List<Map<String, Object>>) directive.get("Metrics");
    assertThat(defs).allSatisfy(d -> assertThat(doc).containsKey((String) d.get("Name")));
  }

  @Test
  void process_withAggregates_recordsUserRecordsPerKinesisRecordAndCountsUserRecords() {
    KinesisEvent e = KinesisEvents.builder().clock(clock)
        .streamArn("arn:aws:kinesis:eu-west-1:123456789012:stream/orders").shardId("shardId-000000000007")
        .record("k", "plain")
        .aggregate(List.of(dev.kinesisresilient.core.KinesisRecord.of("a", new byte[] {1}),
            dev.kinesisresilient.core.KinesisRecord.of("b", new byte[] {2}),
            dev.kinesisresilient.core.KinesisRecord.of("c", new byte[] {3})))
        .aggregate(java.util.stream.IntStream.range(0, 5)
            .mapToObj(i -> dev.kinesisresilient.core.KinesisRecord.of("k" + i, new byte[] {(byte) i})).toList())
        .build();
    KinesisBatchProcessor p = KinesisBatchProcessor.builder(r -> { }).clock(clock)
        .metrics(MetricsOptions.of(registry))
        .emf(EmfWriter.builder("KinesisResilient").out(new PrintStream(stdout, true, StandardCharsets.UTF_8))
            .clock(clock).build())
        .build();
    p.process(e, FakeLambdaContext.builder().clock(clock).build());

    io.micrometer.core.instrument.DistributionSummary perRecord =
        registry.get("kinesis.resilient.lambda.subrecords.per.record").tag("shard", "shardId-000000000007").summary();
    assertThat(perRecord.count()).isEqualTo(3);
    assertThat(perRecord.totalAmount()).isEqualTo(9);
    assertThat(perRecord.max()).isEqualTo(5);
    assertThat(count("succeeded")).isEqualTo(9);
    assertThat(registry.get("kinesis.resilient.lambda.batch.records").summary().totalAmount()).isEqualTo(3);
    Map<String, Object> doc = Json.parseObject(stdout.toString(StandardCharsets.UTF_8).trim());
    assertThat(doc).containsEntry("BatchSize", new BigDecimal(3)).containsEntry("UserRecords", new BigDecimal(9))
        .containsEntry("RecordsSucceeded", new BigDecimal(9));
  }

  @Test
  void process_deaggregateOff_recordsNoSubRecordDistribution() {
    KinesisBatchProcessor p = KinesisBatchProcessor.builder(r -> { }).clock(clock).deaggregate(false)
        .metrics(MetricsOptions.of(registry)).build();
    p.process(event(), FakeLambdaContext.builder().clock(clock).build());
    assertThat(registry.get("kinesis.resilient.lambda.subrecords.per.record").summary().count()).isZero();
  }

  @Test
  void process_emptyBatch_writesNoEmfLine() {
    processor().process(new KinesisEvent(), FakeLambdaContext.builder().clock(clock).build());
    assertThat(stdout.size()).isZero();
  }

  @Test
  void shardTag_beyondCap_countedAsOther() {
    KinesisBatchProcessor p = KinesisBatchProcessor.builder(r -> { }).clock(clock)
        .metrics(MetricsOptions.of(registry).withMaxShardTagValues(1)).build();
    p.process(KinesisEvents.builder().clock(clock).shardId("shardId-000000000001").record("k", "a").build(),
        FakeLambdaContext.builder().clock(clock).build());
    p.process(KinesisEvents.builder().clock(clock).shardId("shardId-000000000002").record("k", "a").build(),
        FakeLambdaContext.builder().clock(clock).build());
    assertThat(registry.get("kinesis.resilient.lambda.records").tag("shard", "other").tag("result", "succeeded")
        .counter().count()).isEqualTo(1);
  }

  @Test
  void emfBuilder_invalidNamespaceOrReservedDimension_throws() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> EmfWriter.builder("AWS/Lambda"))
        .isInstanceOf(IllegalArgumentException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> EmfWriter.builder("ns").dimension("Stream", "x"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
