package dev.kinesisresilient.producer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kinesisresilient.core.KinesisRecord;
import dev.kinesisresilient.core.MetricsOptions;
import dev.kinesisresilient.core.RecordResult;
import dev.kinesisresilient.core.it.KinesisMockExtension;
import dev.kinesisresilient.core.it.LocalKinesis;
import dev.kinesisresilient.producer.ResilientProducer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.ScalingType;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/**
 * Aggregation across a reshard, read back as a KCL consumer reads it: the producer aggregates before
 * and after a 2-shard stream is resharded to 4 (each shard split in two), so aggregates predicted for a
 * parent land on a child; every shard is then read through the KCL's own {@code AggregatorUtil.deaggregate}
 * with that shard's hash key range. Nothing acknowledged may be skipped by that filter, and each
 * acknowledged record is read at the shard, sequence number and sub-sequence number its future gave.
 * A server of its own, so other test classes' streams do not slow it.
 */
class ReshardAggregationKinesisMockIT {
  @RegisterExtension
  static final KinesisMockExtension KINESIS = KinesisMockExtension.perClass();

  /** One sent record and its future. */
  private record Sent(KinesisRecord record, CompletableFuture<RecordResult> future) {}

  @Test
  void reshardWhileAggregating_everyAcknowledgedRecordReadByTheKclRangeFilter_whereReported(LocalKinesis kinesis,
      KinesisAsyncClient client) throws Exception {
    String stream = kinesis.createStream(kinesis.uniqueStreamName("producer-agg-reshard"), 2);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    List<Sent> sent = new ArrayList<>();
    double resent;
    ResilientProducer producer = ResilientProducer.builder(client).streamName(stream).clientId("it-agg-reshard")
        .aggregation(true).lingerTime(Duration.ofMillis(50)).metrics(MetricsOptions.of(registry)).build();
    try {
      send(producer, sent, "before", 1_000);
      producer.flush().get(60, TimeUnit.SECONDS);
      // Reshard between two bursts: the producer's shard map (two parents) is out of date until a record
      // lands elsewhere, so the next aggregates are predicted for the parents and land on children.
      // (Resharding with records in flight is timing-dependent: on kinesis-mock the first record to land
      // on a child usually refreshes the map before any aggregate is misplaced.)
      client.updateShardCount(b -> b.streamName(stream).targetShardCount(4)
          .scalingType(ScalingType.UNIFORM_SCALING)).get(30, TimeUnit.SECONDS);
      // Keep producing while the stream is resharded, and after.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!active(client, stream) && System.nanoTime() < deadline) {
        send(producer, sent, "during", 100);
        Thread.sleep(20);
      }
      for (int chunk = 0; chunk < 20; chunk++) {
        send(producer, sent, "after", 100);
        Thread.sleep(20);
      }
      producer.flush().get(120, TimeUnit.SECONDS);
      // Read before close, which removes the producer's meters.
      resent = registry.find(ProducerMetrics.AGGREGATION_RESENT).counters().stream().mapToDouble(Counter::count)
          .sum();
    } finally {
      producer.close(Duration.ofSeconds(30));
    }
    List<Shard> shards = kinesis.listShards(stream);
    KclReadBack kcl = KclReadBack.of(shards, kinesis.readAll(stream));

    long acknowledged = 0;
    long found = 0;
    for (Sent s : sent) {
      RecordResult r = s.future().join();
      assertThat(r).as("record %s", s.record().partitionKey()).isInstanceOf(RecordResult.Acknowledged.class);
      RecordResult.Acknowledged a = (RecordResult.Acknowledged) r;
      acknowledged++;
      KclReadBack.Read read = kcl.find(a.shardId(), a.sequenceNumber(), a.subSequenceNumber());
      if (read != null && read.partitionKey().equals(s.record().partitionKey())) {
        assertThat(read.data()).isEqualTo(s.record().data().asByteArrayUnsafe());
        found++;
      }
    }
    Set<String> keysRead = new HashSet<>();
    kcl.reads().forEach(u -> keysRead.add(u.partitionKey()));
    long dropped = sent.stream().filter(s -> !keysRead.contains(s.record().partitionKey())).count();
    // The figures of docs/aggregation.md (stdout: shown by failsafe).
    System.out.printf("aggregation across a reshard (2 -> 4 shards): written %d, acknowledged %d, found by the KCL's "
        + "range filter where acknowledged %d, dropped %d, re-sent %d; Kinesis records %d, of which skipped by the "
        + "filter %d%n", sent.size(), acknowledged, found, dropped, (long) resent, kcl.kinesisRecords(), kcl.skipped());
    assertThat(acknowledged).isEqualTo(sent.size());
    assertThat(found).as("acknowledged records read by the KCL where their futures said").isEqualTo(acknowledged);
    assertThat(dropped).as("user records a KCL consumer never sees").isZero();
    assertThat(resent).as("aggregates predicted for a parent landed on a child: records sent again").isPositive();
    kinesis.deleteStream(stream);
  }

  private static boolean active(KinesisAsyncClient client, String stream) throws Exception {
    return client.describeStreamSummary(b -> b.streamName(stream)).get(30, TimeUnit.SECONDS)
        .streamDescriptionSummary().streamStatus() == StreamStatus.ACTIVE;
  }

  private static void send(ResilientProducer producer, List<Sent> sent, String prefix, int count) {
    int from = sent.size();
    for (int i = from; i < from + count; i++) {
      String key = prefix + "-" + i;
      KinesisRecord r = KinesisRecord.of(key, ("payload of " + key + " " + "x".repeat(i % 50))
          .getBytes(StandardCharsets.UTF_8));
      sent.add(new Sent(r, producer.send(r)));
    }
  }
}
