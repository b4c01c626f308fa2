package dev.kinesisresilient.producer.internal;

import static dev.kinesisresilient.producer.internal.Harness.record;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kinesisresilient.core.MetricsOptions;
import dev.kinesisresilient.core.RecordResult;
import dev.kinesisresilient.core.testing.StoredRecord;
import dev.kinesisresilient.producer.ProducerStats;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

final class OverloadAndMetricsTest {

  /**
   * Twice the shards' capacity offered for 20 simulated seconds on the fake with real per-shard limits:
   * nothing accepted is lost, almost nothing is throttled, and the shards run near capacity.
   */
  @Test
  void overload_twiceCapacity_nothingLost_goodputNearCapacity() {
    int shards = 4;
    Harness h = Harness.create(shards, b -> b.maxBufferedBytes(2 * 1024 * 1024));
    List<CompletableFuture<RecordResult>> accepted = new ArrayList<>();
    long offered = 0;
    long rejected = 0;
    Duration tick = Duration.ofMillis(5);
    int perTick = 2 * 1000 * shards * 5 / 1000; // 2x capacity
    Instant start = h.clock.instant();
    int n = 0;
    for (int t = 0; t < 4000; t++) {
      for (int i = 0; i < perTick; i++) {
        offered++;
        Optional<CompletableFuture<RecordResult>> f = h.producer.trySend(record("k" + (n++)));
        if (f.isPresent()) {
          accepted.add(f.get());
        } else {
          rejected++;
        }
      }
      h.step();
      h.clock.advance(tick);
    }
    long ackedInWindow = h.producer.stats().acknowledged();
    double seconds = Duration.between(start, h.clock.instant()).toMillis() / 1000.0;
    h.producer.flush();
    for (int i = 0; i < 10_000 && h.producer.stats().pending() > 0; i++) {
      h.clock.set(h.step());
    }
    ProducerStats s = h.producer.stats();
    assertThat(offered).isEqualTo(accepted.size() + rejected);
    assertThat(rejected).as("the bounded buffer pushes back").isPositive();
    assertThat(s.pending()).isZero();
    assertThat(s.failed()).isZero();
    assertThat(accepted).allMatch(f -> f.join().isAcknowledged());
    Set<String> stored = new HashSet<>();
    for (StoredRecord r : h.fake.storedRecords(Harness.STREAM)) {
      stored.add(r.shardId() + "/" + r.sequenceNumber());
    }
    long lost = accepted.stream().map(f -> (RecordResult.Acknowledged) f.join())
        .filter(a -> !stored.contains(a.shardId() + "/" + a.sequenceNumber())).count();
    assertThat(lost).isZero();
    double goodput = ackedInWindow / (seconds * 1000 * shards);
    assertThat(goodput).as("goodput as a fraction of shard capacity").isGreaterThanOrEqualTo(0.97);
    assertThat(s.throttledEntries()).as("throttled entries").isLessThanOrEqualTo(s.sent() * 3 / 100);
  }

  @Test
  void metrics_everyDocumentedMeterRegistered_removedOnClose() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Harness h = Harness.create(2, b -> b.lingerTime(Duration.ZERO).metrics(MetricsOptions.of(registry)));
    h.fake.failNextEntries(1, "InternalFailure", "Internal service failure.");
    h.send(record("a"));
    h.send(record("b"));
    h.step();
    h.clock.set(h.step());
    h.step();
    h.producer.trySend(record("c"));
    assertThat(registry.get("kinesis.resilient.producer.buffer.bytes").tag("stream", Harness.STREAM).gauge()).isNotNull();
    assertThat(registry.get("kinesis.resilient.producer.buffer.limit").gauge().value()).isEqualTo(32.0 * 1024 * 1024);
    assertThat(registry.get("kinesis.resilient.producer.buffer.records").gauge().value()).isEqualTo(1.0);
    assertThat(registry.get("kinesis.resilient.producer.buffer.wait").timer()).isNotNull();
    assertThat(registry.get("kinesis.resilient.producer.records.rejected").tag("reason", "buffer_full").counter())
        .isNotNull();
    assertThat(registry.get("kinesis.resilient.producer.record.latency").tag("result", "acknowledged").timer().count())
        .isEqualTo(2);
    assertThat(registry.get("kinesis.resilient.producer.shard.rate.limit").tag("shard", Harness.shardId(0)).gauge()
        .value()).isEqualTo(1000.0);
    assertThat(registry.get("kinesis.resilient.records.acknowledged").counters()).isNotEmpty();
    assertThat(registry.get("kinesis.resilient.entries.retried").tag("error.code", "InternalFailure").counter().count())
        .isEqualTo(1.0);
    assertThat(registry.get("kinesis.resilient.putrecords.latency").timers()).isNotEmpty();
    assertThat(registry.get("kinesis.resilient.putrecords.inflight").gauge()).isNotNull();
    assertThat(registry.get("kinesis.resilient.producer.buffer.bytes").gauge().getId().getTag("client.id"))
        .isEqualTo("test");
    h.producer.release();
    assertThat(registry.getMeters()).isEmpty();
  }

  private static double acknowledged(SimpleMeterRegistry registry) {
    return registry.get("kinesis.resilient.records.acknowledged").counters().stream()
        .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
  }

  private static void drain(Harness h) {
    for (int i = 0; i < 100 && h.producer.stats().pending() > 0; i++) {
      Instant next = h.step();
      if (next.isBefore(Instant.MAX)) {
        h.clock.set(next);
      }
    }
    assertThat(h.producer.stats().pending()).isZero();
  }

  @Test
  void twoProducers_sameStreamAndRegistry_closingOneKeepsTheOthersMetersUntilTheLastCloses() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Harness a = Harness.create(2, b -> b.lingerTime(Duration.ZERO).metrics(MetricsOptions.of(registry)));
    Harness b = Harness.on(a.clock, a.fake, "second", o -> o.lingerTime(Duration.ZERO)
        .metrics(MetricsOptions.of(registry)));
    a.send(record("a1"));
    b.send(record("b1"));
    drain(a);
    drain(b);
    assertThat(acknowledged(registry)).isEqualTo(2.0);
    assertThat(registry.get("kinesis.resilient.producer.buffer.limit").gauges()).hasSize(2);

    a.producer.release(); // what close does once a's sender has stopped
    b.send(record("b2"));
    drain(b);
    assertThat(acknowledged(registry)).as("b's records still counted after a closed").isEqualTo(3.0);
    assertThat(registry.get("kinesis.resilient.producer.record.latency").tag("result", "acknowledged").timer()
        .count()).isEqualTo(3);
    assertThat(registry.get("kinesis.resilient.producer.buffer.limit").gauges())
        .extracting(g -> g.getId().getTag("client.id")).containsExactly("second");
    assertThat(registry.get("kinesis.resilient.putrecords.inflight").gauges())
        .extracting(g -> g.getId().getTag("client.id")).containsExactly("second");

    b.producer.release();
    assertThat(registry.getMeters()).isEmpty();
  }

  @Test
  void meters_prometheusNamesDoNotRepeatTheirUnit() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Harness h = Harness.create(2, b -> b.lingerTime(Duration.ZERO).aggregation(true)
        .metrics(MetricsOptions.of(registry)));
    h.fake.failNextEntries(1, "InternalFailure", "Internal service failure.");
    for (int i = 0; i < 20; i++) {
      h.send(record("k" + i));
    }
    drain(h);
    assertThat(dev.kinesisresilient.core.it.PrometheusNames.repeatingUnits(registry)).isEmpty();
    assertThat(registry.getMeters().stream().map(m -> dev.kinesisresilient.core.it.PrometheusNames.of(m.getId())))
        .contains("kinesis_resilient_producer_records_rejected", "kinesis_resilient_producer_aggregation_saved_bytes",
            "kinesis_resilient_producer_aggregation_overhead_bytes", "kinesis_resilient_producer_buffer_bytes",
            "kinesis_resilient_producer_shard_rate_limit_records_per_second")
        .doesNotContain("kinesis_resilient_producer_records_rejected_records",
            "kinesis_resilient_producer_aggregation_bytes_saved_bytes");
    h.producer.release();
  }
}
