package dev.kinesisresilient.producer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kinesisresilient.core.FailureReason;
import dev.kinesisresilient.core.KinesisRecord;
import dev.kinesisresilient.core.RecordResult;
import dev.kinesisresilient.core.aggregation.KplAggregation;
import dev.kinesisresilient.core.aggregation.UserRecord;
import dev.kinesisresilient.core.it.KinesisMockExtension;
import dev.kinesisresilient.core.it.LocalKinesis;
import dev.kinesisresilient.core.it.PutRecordsFaultInterceptor;
import dev.kinesisresilient.core.it.PutRecordsFaultInterceptor.EntryError;
import dev.kinesisresilient.core.it.PutRecordsFaultInterceptor.EntrySelector;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.ScalingType;
import software.amazon.awssdk.services.kinesis.model.Shard;

/**
 * The producer against kinesis-mock (a real Kinesis API on loopback): every acknowledged record is
 * read back once, with the shard and sequence number the producer reported and the bytes it was
 * given; counts reconcile (sent = acknowledged + failed) after resharding, close and throttling.
 * Volumes are modest: kinesis-mock stores about 1,000 records/s and slows as a stream fills. A server
 * of its own, so other test classes' streams do not slow it.
 */
class ProducerKinesisMockIT {

  @RegisterExtension
  static final KinesisMockExtension KINESIS = KinesisMockExtension.perClass();

  /** One sent record and its future. */
  private record Sent(KinesisRecord record, CompletableFuture<RecordResult> future) {}

  @Test
  void send_everyAcknowledgedRecordIsStoredOnceWhereReported(LocalKinesis kinesis, KinesisAsyncClient client)
      throws Exception {
    String stream = kinesis.createStream(kinesis.uniqueStreamName("producer-send"), 4);
    List<Sent> sent = new ArrayList<>();
    try (ResilientProducer producer = producer(client, stream, "it-send")) {
      sendAll(producer, sent, "send", 0, 2_000);
      producer.flush().get(60, TimeUnit.SECONDS);
      assertThat(producer.stats().acknowledged()).isEqualTo(2_000);
      assertThat(producer.stats().pending()).isZero();
    }
    Map<String, Record> stored = storedBySequence(kinesis, stream, 2_000);
    assertAllAcknowledgedAndStored(sent, stored);
    assertThat(sent.stream().map(s -> ((RecordResult.Acknowledged) s.future().join()).shardId()).distinct())
        .hasSize(4);
    kinesis.deleteStream(stream);
  }

  @Test
  void reshardWhileProducing_shardMapRefreshed_nothingLost(LocalKinesis kinesis, KinesisAsyncClient client)
      throws Exception {
    String stream = kinesis.createStream(kinesis.uniqueStreamName("producer-reshard"), 2);
    List<Sent> sent = new ArrayList<>();
    ResilientProducer producer = producer(client, stream, "it-reshard");
    try {
      sendAll(producer, sent, "before", 0, 600);
      client.updateShardCount(b -> b.streamName(stream).targetShardCount(4)
          .scalingType(ScalingType.UNIFORM_SCALING)).get(30, TimeUnit.SECONDS);
      sendAll(producer, sent, "during", 0, 400);
      kinesis.awaitStreamActive(stream, Duration.ofSeconds(30));
      sendAll(producer, sent, "after", 0, 600);
      producer.flush().get(60, TimeUnit.SECONDS);
      // A refresh asked for by the last mispredicted records runs at most MIN_REFRESH_INTERVAL later.
      Thread.sleep(Sender.MIN_REFRESH_INTERVAL.toMillis() + 500);
      sendAll(producer, sent, "last", 0, 50);
      producer.flush().get(60, TimeUnit.SECONDS);
      ProducerStats stats = producer.stats();
      assertThat(stats.acknowledged()).isEqualTo(1_650);
      assertThat(stats.failed()).isZero();
    } finally {
      producer.close(Duration.ofSeconds(30));
    }
    // close() returned after the sender thread ended: its state is safe to read here.
    ShardMap map = ((DefaultResilientProducer) producer).sender().shardMap();
    List<String> open = kinesis.listShards(stream).stream()
        .filter(s -> s.sequenceNumberRange().endingSequenceNumber() == null).map(Shard::shardId).toList();
    assertThat(open).hasSize(4);
    assertThat(map).isNotNull();
    assertThat(map.shardIds()).containsExactlyInAnyOrderElementsOf(open);
    Map<String, Record> stored = storedBySequence(kinesis, stream, 1_650);
    assertAllAcknowledgedAndStored(sent, stored);
    kinesis.deleteStream(stream);
  }

  @Test
  void closeWhileProducing_everyFutureCompletesOnce_acknowledgedStored_restFailedClosed(LocalKinesis kinesis,
      KinesisAsyncClient client) throws Exception {
    String stream = kinesis.createStream(kinesis.uniqueStreamName("producer-close"), 2);
    List<Sent> sent = new ArrayList<>();
    List<RecordResult.Failed> handled = new ArrayList<>();
    ResilientProducer producer = ResilientProducer.builder(client).streamName(stream).clientId("it-close")
        .failureHandler(f -> {
          synchronized (handled) {
            handled.add(f);
          }
        }).build();
    sendAll(producer, sent, "close", 0, 3_000);
    // Close once a first request is acknowledged, with most records still buffered or in flight.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (producer.stats().acknowledged() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    producer.close(Duration.ofMillis(200));

    long acknowledged = 0;
    long failed = 0;
    for (Sent s : sent) {
      assertThat(s.future()).isDone();
      RecordResult r = s.future().join();
      if (r instanceof RecordResult.Acknowledged) {
        acknowledged++;
      } else {
        RecordResult.Failed f = (RecordResult.Failed) r;
        assertThat(f.reason()).isIn(FailureReason.CLOSED, FailureReason.EXPIRED);
        failed++;
      }
    }
    ProducerStats stats = producer.stats();
    assertThat(acknowledged).isPositive();
    assertThat(failed).isPositive();
    assertThat(stats.sent()).isEqualTo(3_000).isEqualTo(acknowledged + failed);
    assertThat(stats.acknowledged()).isEqualTo(acknowledged);
    assertThat(stats.failed()).isEqualTo(failed);
    assertThat(stats.pending()).isZero();
    synchronized (handled) {
      assertThat(handled).hasSize((int) failed); // the failure handler saw each failed record once
    }

    // Acknowledged records are stored once; a record failed CLOSED after it was sent may be stored too.
    Map<String, Record> stored = storedBySequence(kinesis, stream, -1);
    Map<String, Sent> byKey = new HashMap<>();
    for (Sent s : sent) {
      byKey.put(s.record().partitionKey(), s);
    }
    long storedButFailed = 0;
    for (Record r : stored.values()) {
      Sent s = byKey.get(r.partitionKey());
      assertThat(s).as("stored record %s was sent", r.partitionKey()).isNotNull();
      if (s.future().join() instanceof RecordResult.Failed f) {
        assertThat(f.attempts()).isPositive();
        storedButFailed++;
      }
    }
    assertThat(stored).hasSize((int) (acknowledged + storedButFailed));
    assertAcknowledgedStored(sent, stored);
    kinesis.deleteStream(stream);
  }

  @Test
  void perEntryThrottling_onlyFailedEntriesResent_eachStoredOnce(LocalKinesis kinesis) throws Exception {
    String stream = kinesis.createStream(kinesis.uniqueStreamName("producer-throttle"), 2);
    PutRecordsFaultInterceptor faults = kinesis.newFaultInterceptor()
        .failEntries(EntryError.THROTTLED, EntrySelector.withProbability(0.2, 42), 4);
    List<Sent> sent = new ArrayList<>();
    try (KinesisAsyncClient client = kinesis.newClient(o -> o.addExecutionInterceptor(faults));
        ResilientProducer producer = producer(client, stream, "it-throttle")) {
      sendAll(producer, sent, "throttle", 0, 1_000);
      producer.flush().get(60, TimeUnit.SECONDS);
      ProducerStats stats = producer.stats();
      assertThat(stats.acknowledged()).isEqualTo(1_000);
      assertThat(faults.entriesFailed()).isPositive();
      // Each injected failure is retried once, alone: the entries the server saw are the records plus
      // the throttled entries re-sent, never a whole request again.
      assertThat(stats.throttledEntries()).isEqualTo(faults.entriesFailed());
      assertThat(stats.retriedEntries()).isEqualTo(faults.entriesFailed());
      assertThat(faults.entriesSeen()).isEqualTo(1_000 + faults.entriesFailed());
    }
    Map<String, Record> stored = storedBySequence(kinesis, stream, 1_000);
    assertAllAcknowledgedAndStored(sent, stored);
    long retriedRecords = sent.stream()
        .filter(s -> ((RecordResult.Acknowledged) s.future().join()).attempts() > 1).count();
    assertThat(retriedRecords).isPositive();
    kinesis.deleteStream(stream);
  }

  @Test
  void aggregation_everyUserRecordReadBackOnceThroughKplDecode_whereReported(LocalKinesis kinesis,
      KinesisAsyncClient client) throws Exception {
    String stream = kinesis.createStream(kinesis.uniqueStreamName("producer-aggregation"), 2);
    List<Sent> sent = new ArrayList<>();
    String ehk = LocalKinesis.hashKey("pinned", null).toString();
    try (ResilientProducer producer = ResilientProducer.builder(client).streamName(stream).clientId("it-aggregation")
        .aggregation(true).maxAggregateBytes(8 * 1024).lingerTime(Duration.ofMillis(50)).build()) {
      sendAll(producer, sent, "agg", 0, 3_000);
      for (int i = 0; i < 100; i++) { // other keys, pinned to one place by explicit hash key
        KinesisRecord r = KinesisRecord.of("pinned-" + i, ("pinned " + i).getBytes(StandardCharsets.UTF_8), ehk);
        sent.add(new Sent(r, producer.send(r)));
      }
      producer.flush().get(60, TimeUnit.SECONDS);
      assertThat(producer.stats().acknowledged()).isEqualTo(3_100);
    }
    Map<String, Record> stored = storedBySequence(kinesis, stream, -1);
    assertThat(stored.size()).as("Kinesis records for 3,100 user records").isLessThan(300);
    Map<String, List<UserRecord>> decoded = new HashMap<>();
    int users = 0;
    for (Map.Entry<String, Record> e : stored.entrySet()) {
      Record r = e.getValue();
      List<UserRecord> us = KplAggregation.decode(r.data(), r.partitionKey(), null);
      decoded.put(e.getKey(), us);
      users += us.size();
    }
    assertThat(users).as("every user record stored once").isEqualTo(3_100);
    java.util.Set<String> keys = new java.util.HashSet<>();
    decoded.values().forEach(us -> us.forEach(u -> assertThat(keys.add(u.partitionKey())).isTrue()));
    for (Sent s : sent) {
      RecordResult.Acknowledged ack = (RecordResult.Acknowledged) s.future().join();
      List<UserRecord> us = decoded.get(ack.shardId() + "/" + ack.sequenceNumber());
      assertThat(us).as("aggregate of %s at %s/%s", s.record().partitionKey(), ack.shardId(), ack.sequenceNumber())
          .isNotNull();
      UserRecord u = us.get((int) ack.subSequenceNumber());
      assertThat(u.partitionKey()).isEqualTo(s.record().partitionKey());
      assertThat(u.explicitHashKey()).isEqualTo(s.record().explicitHashKey());
      assertThat(u.data().asByteArrayUnsafe()).isEqualTo(s.record().data().asByteArrayUnsafe());
      assertThat(u.aggregated()).isEqualTo(ack.aggregated());
      assertThat(ack.shardId()).as("stored on the shard its own keys map to")
          .isEqualTo(kinesis.shardIdFor(stream, PendingRecord.entryOf(s.record())));
    }
    kinesis.deleteStream(stream);
  }

  // ---------------------------------------------------------------- helpers

  private static ResilientProducer producer(KinesisAsyncClient client, String stream, String clientId) {
    return ResilientProducer.builder(client).streamName(stream).clientId(clientId).build();
  }

  private static void sendAll(ResilientProducer producer, List<Sent> sent, String prefix, int from, int count) {
    for (int i = from; i < from + count; i++) {
      String key = prefix + "-" + i;
      KinesisRecord r = KinesisRecord.of(key, ("payload of " + key + " " + "x".repeat(i % 50))
          .getBytes(StandardCharsets.UTF_8));
      sent.add(new Sent(r, producer.send(r)));
    }
  }

  /** Every record of the stream by sequence number; each sequence number must appear once. */
  private static Map<String, Record> storedBySequence(LocalKinesis kinesis, String stream, int expected) {
    Map<String, Record> out = new HashMap<>();
    for (Map.Entry<String, List<Record>> shard : kinesis.readAll(stream).entrySet()) {
      for (Record r : shard.getValue()) {
        assertThat(out.put(shard.getKey() + "/" + r.sequenceNumber(), r)).as("duplicate sequence number").isNull();
      }
    }
    if (expected >= 0) {
      assertThat(out).hasSize(expected);
      assertThat(out.values().stream().map(Record::partitionKey).distinct()).hasSize(expected);
    }
    return out;
  }

  private static void assertAllAcknowledgedAndStored(List<Sent> sent, Map<String, Record> stored) {
    for (Sent s : sent) {
      assertThat(s.future().join()).isInstanceOf(RecordResult.Acknowledged.class);
    }
    assertAcknowledgedStored(sent, stored);
  }

  /** Each acknowledged record is in the stream at the reported shard and sequence number, same bytes. */
  private static void assertAcknowledgedStored(List<Sent> sent, Map<String, Record> stored) {
    for (Sent s : sent) {
      if (s.future().join() instanceof RecordResult.Acknowledged ack) {
        Record r = stored.get(ack.shardId() + "/" + ack.sequenceNumber());
        assertThat(r).as("record %s at %s/%s", s.record().partitionKey(), ack.shardId(), ack.sequenceNumber())
            .isNotNull();
        assertThat(r.partitionKey()).isEqualTo(s.record().partitionKey());
        assertThat(r.data().asByteArrayUnsafe()).isEqualTo(s.record().data().asByteArrayUnsafe());
      }
    }
  }
}
