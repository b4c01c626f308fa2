package dev.kinesisresilient.producer.internal;

import static dev.kinesisresilient.producer.internal.Harness.record;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kinesisresilient.core.FailureReason;
import dev.kinesisresilient.core.MetricsOptions;
import dev.kinesisresilient.core.RecordResult;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The producer reads PutRecords answers with core's kernel: one throttling list, one code and reason
 * for running out of time (the writer's), one shard tag cap for all of its meters.
 */
final class ResponseHandlerTest {

  @Test
  void entryRejected_anyCodeOfTheOneThrottlingList_countsAsThrottledAndSlowsItsShard() {
    Harness h = Harness.create(1, b -> b.lingerTime(Duration.ZERO).retryPolicy(Harness.noJitter(5)));
    h.step();
    h.fake.failNextEntries(1, "KMSThrottlingException", "Rate exceeded for KMS key");
    CompletableFuture<RecordResult> f = h.send(record("a"));
    for (int i = 0; i < 20 && !f.isDone(); i++) {
      h.clock.set(h.step());
    }

    assertThat(f.join().isAcknowledged()).isTrue();
    assertThat(((RecordResult.Acknowledged) f.join()).attempts()).isEqualTo(2);
    assertThat(h.producer.stats().throttledEntries()).isEqualTo(1);
    assertThat(Objects.requireNonNull(h.sender.lane(Harness.shardId(0))).limiter.recordsPerSecond())
        .isLessThan(1000.0);
  }

  @Test
  void deliveryTimeout_neverSentRecord_failsDeadlineExceededWithTheWritersCode() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Harness h = Harness.create(1, b -> b.lingerTime(Duration.ZERO).shardLimits(1, 1024)
        .deliveryTimeout(Duration.ofSeconds(6)).attemptTimeout(Duration.ofSeconds(1))
        .metrics(MetricsOptions.of(registry)));
    h.step();
    List<CompletableFuture<RecordResult>> fs = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      fs.add(h.send(record("k" + i)));
    }
    for (int i = 0; i < 100 && !fs.get(19).isDone(); i++) {
      Instant next = h.step();
      h.clock.set(next);
    }

    RecordResult.Failed last = (RecordResult.Failed) fs.get(19).join();
    assertThat(last.reason()).isEqualTo(FailureReason.DEADLINE_EXCEEDED);
    assertThat(last.errorCode()).isEqualTo("DeadlineExceeded");
    assertThat(last.attempts()).isZero();
    assertThat(registry.get("kinesis.resilient.records.failed")
        .tags("reason", "deadline_exceeded", "error.code", "DeadlineExceeded").counter().count()).isPositive();
  }

  @Test
  void shardTag_oneCapForTheProducersGaugesAndTheWritersCounters() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Harness h = Harness.create(2, b -> b.lingerTime(Duration.ZERO)
        .metrics(MetricsOptions.of(registry).withMaxShardTagValues(1)));
    h.step();
    // Lanes (and their rate gauges) exist for both shards; the records all go to the second one.
    List<CompletableFuture<RecordResult>> fs = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      fs.add(h.send(Harness.toShard(1, 2, "k" + i, 10)));
    }
    for (int i = 0; i < 20 && !fs.stream().allMatch(CompletableFuture::isDone); i++) {
      h.clock.set(h.step());
    }
    assertThat(fs).allSatisfy(f -> assertThat(f.join().isAcknowledged()).isTrue());

    Set<String> shardIds = registry.getMeters().stream().map(Meter::getId).map(id -> id.getTag("shard"))
        .filter(s -> s != null && s.startsWith("shardId-")).collect(Collectors.toSet());
    assertThat(shardIds).hasSize(1);
  }
}
