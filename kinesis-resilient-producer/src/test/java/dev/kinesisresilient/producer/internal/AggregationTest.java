package dev.kinesisresilient.producer.internal;

import static dev.kinesisresilient.producer.internal.Harness.hashKeyInShard;
import static dev.kinesisresilient.producer.internal.Harness.shardId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kinesisresilient.core.FailureReason;
import dev.kinesisresilient.core.KinesisRecord;
import dev.kinesisresilient.core.MetricsOptions;
import dev.kinesisresilient.core.RecordResult;
import dev.kinesisresilient.core.aggregation.KplAggregation;
import dev.kinesisresilient.core.aggregation.UserRecord;
import dev.kinesisresilient.core.testing.FakeKinesisAsyncClient;
import dev.kinesisresilient.core.testing.ManualClock;
import dev.kinesisresilient.core.testing.StoredRecord;
import dev.kinesisresilient.producer.BuilderSettings;
import dev.kinesisresilient.producer.ResilientProducer;
import dev.kinesisresilient.producer.ResilientProducerBuilder;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryRequest;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryResponse;
import software.amazon.awssdk.services.kinesis.model.ListShardsRequest;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.RecordDistributionStrategy;
import software.amazon.awssdk.services.kinesis.model.StreamMode;

/** Producer-side KPL aggregation, one {@code runOnce} at a time on a manual clock and the fake. */
final class AggregationTest {

  private static Harness aggregating(int shards, Consumer<ResilientProducerBuilder> more) {
    return Harness.create(shards, b -> {
      b.aggregation(true);
      more.accept(b);
    });
  }

  private static KinesisRecord rec(int i) {
    return KinesisRecord.of("key-" + i, ("payload-" + i).getBytes(StandardCharsets.UTF_8));
  }

  /** Steps the sender until nothing is pending (or 10,000 steps), following its wake-ups. */
  private static void drain(Harness h) {
    Instant next = h.step();
    for (int i = 0; i < 10_000 && h.producer.stats().pending() > 0; i++) {
      if (next.isAfter(h.clock.instant())) {
        h.clock.set(next.equals(Instant.MAX) ? h.clock.instant().plusMillis(1) : next);
      }
      next = h.step();
    }
  }

  /** Every user record stored on the fake, per stored record, in storage order. */
  private static Map<StoredRecord, List<UserRecord>> decoded(Harness h) {
    Map<StoredRecord, List<UserRecord>> out = new java.util.LinkedHashMap<>();
    for (StoredRecord s : h.fake.storedRecords(Harness.STREAM)) {
      out.put(s, KplAggregation.decode(s.data(), s.partitionKey(), s.explicitHashKey()));
    }
    return out;
  }

  private static int predictedShard(Harness h, KinesisRecord r) {
    return h.sender.shardMap().indexFor(Harness.hash(r));
  }

  @Test
  void aggregates_decodeToTheSentRecords_inOrder_onThePredictedShard_andFuturesCarrySubSequence() {
    Harness h = aggregating(4, b -> {});
    h.step();
    List<KinesisRecord> sent = new ArrayList<>();
    List<CompletableFuture<RecordResult>> fs = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      sent.add(rec(i));
      fs.add(h.send(sent.get(i)));
    }
    drain(h);
    Map<StoredRecord, List<UserRecord>> stored = decoded(h);
    assertThat(stored.size()).as("far fewer Kinesis records than user records").isLessThan(100);
    Map<String, List<String>> perShard = new HashMap<>();
    Map<String, StoredRecord> bySequence = new HashMap<>();
    int total = 0;
    for (Map.Entry<StoredRecord, List<UserRecord>> e : stored.entrySet()) {
      StoredRecord s = e.getKey();
      bySequence.put(s.sequenceNumber(), s);
      assertThat(e.getValue().get(0).aggregated()).isTrue();
      for (UserRecord u : e.getValue()) {
        KinesisRecord original = KinesisRecord.of(u.partitionKey(), u.data().asByteArray());
        assertThat(shardId(predictedShard(h, original))).as("sub-record lands on its predicted shard")
            .isEqualTo(s.shardId());
        perShard.computeIfAbsent(s.shardId(), k -> new ArrayList<>()).add(u.partitionKey());
        total++;
      }
    }
    assertThat(total).isEqualTo(2000);
    for (int shard = 0; shard < 4; shard++) {
      int sh = shard;
      List<String> expected = sent.stream().filter(r -> predictedShard(h, r) == sh).map(KinesisRecord::partitionKey)
          .toList();
      assertThat(perShard.get(shardId(shard))).as("order within shard %d", shard).containsExactlyElementsOf(expected);
    }
    for (int i = 0; i < fs.size(); i++) {
      RecordResult.Acknowledged a = (RecordResult.Acknowledged) fs.get(i).join();
      assertThat(a.aggregated()).isTrue();
      StoredRecord carrier = bySequence.get(a.sequenceNumber());
      assertThat(carrier.shardId()).isEqualTo(a.shardId());
      UserRecord u = stored.get(carrier).get((int) a.subSequenceNumber());
      assertThat(u.subSequenceNumber()).isEqualTo(a.subSequenceNumber());
      assertThat(u.partitionKey()).isEqualTo(sent.get(i).partitionKey());
      assertThat(u.data()).isEqualTo(sent.get(i).data());
      assertThat(a.attempts()).isEqualTo(1);
    }
    h.assertReconciles();
  }

  @Test
  void mixedKeysAndExplicitHashKeys_inOneAggregate_landOnOneShard_keysKept() {
    Harness h = aggregating(2, b -> {});
    h.step();
    // Partition keys that hash all over the stream, pinned to shard 1 by explicit hash keys, and a second
    // explicit hash key inside shard 1 too.
    String ehk1 = hashKeyInShard(1, 2);
    String ehk2 = new java.math.BigInteger(ehk1).add(java.math.BigInteger.valueOf(12345)).toString();
    List<KinesisRecord> sent = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      sent.add(KinesisRecord.of("mixed-" + i, new byte[20], i % 2 == 0 ? ehk1 : ehk2));
    }
    List<CompletableFuture<RecordResult>> fs = sent.stream().map(h::send).toList();
    drain(h);
    Map<StoredRecord, List<UserRecord>> stored = decoded(h);
    assertThat(stored).hasSize(1);
    StoredRecord s = stored.keySet().iterator().next();
    assertThat(s.shardId()).isEqualTo(shardId(1));
    assertThat(s.explicitHashKey()).as("carrier pinned to the first record's hash key").isEqualTo(ehk1);
    List<UserRecord> us = stored.get(s);
    assertThat(us).hasSize(50);
    for (int i = 0; i < 50; i++) {
      assertThat(us.get(i).partitionKey()).isEqualTo("mixed-" + i);
      assertThat(us.get(i).explicitHashKey()).isEqualTo(i % 2 == 0 ? ehk1 : ehk2);
      RecordResult.Acknowledged a = (RecordResult.Acknowledged) fs.get(i).join();
      assertThat(a.subSequenceNumber()).isEqualTo(i);
    }
    // and plain keys that all hash elsewhere still travel under shard 0's first key
    Harness h2 = aggregating(2, b -> {});
    h2.step();
    for (int i = 0; i < 400; i++) {
      h2.send(rec(i));
    }
    drain(h2);
    for (Map.Entry<StoredRecord, List<UserRecord>> e : decoded(h2).entrySet()) {
      for (UserRecord u : e.getValue()) {
        assertThat(shardId(h2.sender.shardMap().indexFor(Harness.hash(KinesisRecord.of(u.partitionKey(),
            u.data().asByteArray()))))).isEqualTo(e.getKey().shardId());
      }
    }
  }

  @Test
  void sizeLimits_aggregatesStayWithinMaxAggregateBytes_bigRecordsGoAlone() {
    Harness h = aggregating(1, b -> b.maxAggregateBytes(4096));
    h.step();
    for (int i = 0; i < 300; i++) {
      h.send(KinesisRecord.of("k" + i, new byte[100]));
    }
    CompletableFuture<RecordResult> big = h.send(KinesisRecord.of("big", new byte[10_000]));
    drain(h);
    int users = 0;
    for (Map.Entry<StoredRecord, List<UserRecord>> e : decoded(h).entrySet()) {
      if (e.getValue().get(0).aggregated()) {
        assertThat(e.getKey().sizeBytes()).isLessThanOrEqualTo(4096);
        users += e.getValue().size();
      }
    }
    assertThat(users).isEqualTo(300);
    RecordResult.Acknowledged a = (RecordResult.Acknowledged) big.join();
    assertThat(a.aggregated()).isFalse();
    assertThat(a.subSequenceNumber()).isZero();
    assertThat(h.fake.storedRecords(Harness.STREAM)).filteredOn(s -> s.sizeBytes() > 4096).hasSize(1);
    assertThat(h.fake.putRecordsRequests()).allSatisfy(r -> assertThat(r.records().stream()
        .mapToLong(e -> e.data().asByteArrayUnsafe().length + e.partitionKey().length()).sum())
        .isLessThanOrEqualTo(5L * 1024 * 1024));
  }

  @Test
  void loneRecord_sentAsItIs() {
    Harness h = aggregating(1, b -> {});
    h.step();
    CompletableFuture<RecordResult> f = h.send(rec(1));
    drain(h);
    RecordResult.Acknowledged a = (RecordResult.Acknowledged) f.join();
    assertThat(a.aggregated()).isFalse();
    assertThat(h.fake.storedRecords(Harness.STREAM).get(0).data()).isEqualTo(rec(1).data());
  }

  @Test
  void aggregateCountsAsOneRecordAgainstTheShardLimit() {
    Harness h = aggregating(1, b -> b.lingerTime(Duration.ZERO));
    h.step();
    for (int i = 0; i < 5000; i++) {
      h.send(KinesisRecord.of("k" + i, new byte[100]));
    }
    h.step();
    assertThat(h.producer.stats().acknowledged()).as("5,000 records of ~110 bytes, in one shard's first second")
        .isEqualTo(5000);
    assertThat(h.producer.stats().throttledEntries()).isZero();
  }

  @Test
  void oneShard_100ByteRecords_deliversAbove9000PerSecond_withoutThrottling() {
    Harness h = aggregating(1, b -> b.lingerTime(Duration.ofMillis(20)).maxBufferedBytes(64L * 1024 * 1024));
    h.step();
    Instant t0 = h.clock.instant();
    for (int i = 0; i < 60_000; i++) {
      h.send(KinesisRecord.of("k" + (i % 100), new byte[100]));
    }
    drain(h);
    assertThat(h.producer.stats().acknowledged()).isEqualTo(60_000);
    double seconds = Duration.between(t0, h.clock.instant()).toNanos() / 1e9;
    // the first second's burst allowance counts once: measure the rest
    double rate = (60_000 - 9_000) / (seconds - 1);
    assertThat(rate).as("user records/s after the first second (%.1f s in all)", seconds).isGreaterThan(9000);
    assertThat(h.producer.stats().throttledEntries()).isZero();
  }

  @Test
  void throttledAggregate_retried_everyUserRecordCompletesExactlyOnce() {
    Harness h = aggregating(1, b -> b.retryPolicy(Harness.noJitter(10)));
    h.step();
    h.fake.failNextEntries(1, FakeKinesisAsyncClient.PROVISIONED_THROUGHPUT_EXCEEDED,
        FakeKinesisAsyncClient.rateExceededMessage(shardId(0), Harness.STREAM, FakeKinesisAsyncClient.DEFAULT_ACCOUNT_ID));
    List<CompletableFuture<RecordResult>> fs = new ArrayList<>();
    int[] completions = new int[200];
    for (int i = 0; i < 200; i++) {
      int n = i;
      CompletableFuture<RecordResult> f = h.send(rec(i));
      f.whenComplete((r, e) -> completions[n]++);
      fs.add(f);
    }
    h.producer.flush();
    h.step();
    assertThat(h.producer.stats().throttledEntries()).isEqualTo(1);
    assertThat(fs).noneMatch(CompletableFuture::isDone);
    drain(h);
    assertThat(completions).containsOnly(1);
    assertThat(fs).allMatch(f -> f.join().isAcknowledged());
    assertThat(fs).allMatch(f -> f.join().attempts() == 2);
    List<String> keys = new ArrayList<>();
    decoded(h).values().forEach(us -> us.forEach(u -> keys.add(u.partitionKey())));
    assertThat(keys).hasSize(200).doesNotHaveDuplicates();
    h.assertReconciles();
  }

  @Test
  void expiredRecords_neverSent_restDelivered() {
    Harness h = aggregating(1, b -> b.lingerTime(Duration.ZERO).attemptTimeout(Duration.ofMillis(500))
        .deliveryTimeout(Duration.ofSeconds(1)).shardLimits(1000, 10_240));
    h.step();
    List<CompletableFuture<RecordResult>> fs = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      fs.add(h.send(KinesisRecord.of("k" + i, new byte[500])));
    }
    drain(h);
    List<String> stored = new ArrayList<>();
    decoded(h).values().forEach(us -> us.forEach(u -> stored.add(u.partitionKey())));
    long acked = fs.stream().filter(f -> f.join().isAcknowledged()).count();
    assertThat(acked).isBetween(20L, 60L);
    assertThat(stored).hasSize((int) acked);
    for (int i = 0; i < 100; i++) {
      RecordResult r = fs.get(i).join();
      if (r instanceof RecordResult.Failed f) {
        assertThat(f.reason()).isEqualTo(FailureReason.DEADLINE_EXCEEDED);
        assertThat(f.attempts()).isZero();
        assertThat(stored).doesNotContain("k" + i);
      }
    }
    assertThat(h.fake.storedRecords(Harness.STREAM)).allSatisfy(s -> assertThat(s.sizeBytes()).isLessThanOrEqualTo(10_240));
    h.assertReconciles();
  }

  @Test
  void autoDistribution_turnsAggregationOff_andSaysSoInTheGauge() {
    ManualClock clock = ManualClock.create();
    FakeKinesisAsyncClient fake = FakeKinesisAsyncClient.builder().clock(clock).build();
    fake.createStream(r -> r.streamName(Harness.STREAM).streamModeDetails(m -> m.streamMode(StreamMode.ON_DEMAND))
        .recordDistributionStrategy(RecordDistributionStrategy.AUTO)).join();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Harness h = Harness.on(clock, fake, fake, b -> b.aggregation(true).lingerTime(Duration.ZERO)
        .metrics(MetricsOptions.of(registry)));
    List<CompletableFuture<RecordResult>> fs = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      fs.add(h.send(rec(i)));
    }
    drain(h);
    assertThat(h.sender.aggregating()).isFalse();
    assertThat(registry.get(ProducerMetrics.AGGREGATION_ENABLED).gauge().value()).isZero();
    assertThat(fake.storedRecords(Harness.STREAM)).hasSize(10)
        .allSatisfy(s -> assertThat(KplAggregation.isAggregate(s.data().asByteArrayUnsafe())).isFalse());
    assertThat(fs).allMatch(f -> !((RecordResult.Acknowledged) f.join()).aggregated());
  }

  @Test
  void noShardMap_turnsAggregationOff() {
    ManualClock clock = ManualClock.create();
    FakeKinesisAsyncClient fake = FakeKinesisAsyncClient.builder().clock(clock).stream(Harness.STREAM, 2).build();
    KinesisAsyncClient noListShards = new KinesisAsyncClient() {
      @Override
      public CompletableFuture<DescribeStreamSummaryResponse> describeStreamSummary(DescribeStreamSummaryRequest r) {
        return fake.describeStreamSummary(r);
      }

      @Override
      public CompletableFuture<ListShardsResponse> listShards(ListShardsRequest r) {
        return CompletableFuture.failedFuture(
            FakeKinesisAsyncClient.serviceException("AccessDeniedException", 400, "not authorized"));
      }

      @Override
      public CompletableFuture<PutRecordsResponse> putRecords(PutRecordsRequest r) {
        return fake.putRecords(r);
      }

      @Override
      public String serviceName() {
        return fake.serviceName();
      }

      @Override
      public void close() {}
    };
    Harness h = Harness.on(clock, fake, noListShards, b -> b.aggregation(true).lingerTime(Duration.ZERO));
    CompletableFuture<RecordResult> f1 = h.send(rec(1));
    CompletableFuture<RecordResult> f2 = h.send(rec(2));
    drain(h);
    assertThat(h.sender.routing()).isEqualTo(ShardRouter.Routing.STREAM);
    assertThat(h.sender.aggregating()).isFalse();
    assertThat(((RecordResult.Acknowledged) f1.join()).aggregated()).isFalse();
    assertThat(((RecordResult.Acknowledged) f2.join()).aggregated()).isFalse();
  }

  @Test
  void metrics_userRecordsPerKinesisRecord_bytesSaved_enabledGauge() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Harness h = aggregating(1, b -> b.metrics(MetricsOptions.of(registry)));
    h.step();
    assertThat(registry.get(ProducerMetrics.AGGREGATION_ENABLED).gauge().value()).isEqualTo(1.0);
    long userBytes = 0;
    for (int i = 0; i < 100; i++) {
      KinesisRecord r = KinesisRecord.of("same-key", new byte[50]);
      userBytes += r.sizeBytes();
      h.send(r);
    }
    drain(h);
    StoredRecord s = h.fake.storedRecords(Harness.STREAM).get(0);
    DistributionSummary perRecord = registry.get(ProducerMetrics.AGGREGATION_USER_RECORDS).summary();
    assertThat(perRecord.count()).isEqualTo(1);
    assertThat(perRecord.totalAmount()).isEqualTo(100.0);
    assertThat(registry.get(ProducerMetrics.AGGREGATION_BYTES_SAVED).counter().count())
        .isEqualTo((double) (userBytes - s.sizeBytes()));
    assertThat(registry.get(ProducerMetrics.AGGREGATION_BYTES_OVERHEAD).counter().count()).isZero();
  }

  @Test
  void builder_validatesAggregationOptions() {
    assertThatThrownBy(() -> ResilientProducer.builder(FakeKinesisAsyncClient.builder().build()).maxAggregateBytes(100))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> BuilderSettings.of(ResilientProducer.builder(FakeKinesisAsyncClient.builder().build()).streamName("s")
        .aggregation(true).preserveOrder(true))).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("preserveOrder");
    assertThatThrownBy(() -> BuilderSettings.of(ResilientProducer.builder(FakeKinesisAsyncClient.builder().build()).streamName("s")
        .limits(dev.kinesisresilient.core.BatchLimits.defaults().withMaxRecordBytes(2048)).maxAggregateBytes(4096)
        )).isInstanceOf(IllegalStateException.class).hasMessageContaining("maxAggregateBytes");
    ProducerSettings d = BuilderSettings.of(ResilientProducer.builder(FakeKinesisAsyncClient.builder().build()).streamName("s"));
    assertThat(d.aggregation()).isFalse();
    assertThat(d.maxAggregateBytes()).isEqualTo(ResilientProducerBuilder.DEFAULT_MAX_AGGREGATE_BYTES);
  }
}
