package dev.kinesisresilient.producer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kinesisresilient.core.FailureReason;
import dev.kinesisresilient.core.KinesisRecord;
import dev.kinesisresilient.core.MetricsOptions;
import dev.kinesisresilient.core.RecordResult;
import dev.kinesisresilient.core.aggregation.KplAggregation;
import dev.kinesisresilient.core.aggregation.UserRecord;
import dev.kinesisresilient.core.it.AtLeastOnce;
import dev.kinesisresilient.core.it.KinesisMockExtension;
import dev.kinesisresilient.core.it.LocalKinesis;
import dev.kinesisresilient.core.it.PutRecordsFaultInterceptor;
import dev.kinesisresilient.core.it.PutRecordsFaultInterceptor.EntryError;
import dev.kinesisresilient.core.it.PutRecordsFaultInterceptor.EntrySelector;
import dev.kinesisresilient.core.it.ReadBack;
import dev.kinesisresilient.producer.ProducerStats;
import dev.kinesisresilient.producer.ResilientProducer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
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
 * read back, with the shard and sequence number the producer reported and the bytes it was given;
 * counts reconcile (sent = acknowledged + failed) after resharding, close and throttling. Delivery is
 * at least once ({@link AtLeastOnce}): a record may be stored twice only where it took more than one
 * attempt. Volumes are modest: kinesis-mock stores about 1,000 records/s and slows as a stream fills.
 * A server of its own, so other test classes' streams do not slow it.
 *
 * <p>Timeouts are hang guards ({@link #ATTEMPT_TIMEOUT}, {@link #DELIVERY_TIMEOUT}): a busy 2-core
 * build machine slows kinesis-mock down, and no test here is about a timeout.
 */
class ProducerKinesisMockIT {

  @RegisterExtension
  static final KinesisMockExtension KINESIS = KinesisMockExtension.perClass();

  /** Per attempt: far above what kinesis-mock needs on a loaded machine. */
  private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(30);

  /** Per record, from send to result. */
  private static final Duration DELIVERY_TIMEOUT = Duration.ofMinutes(3);

  /** For flushes and the first acknowledgement: longer than {@link #DELIVERY_TIMEOUT}. */
  private static final long WAIT_SECONDS = DELIVERY_TIMEOUT.toSeconds() + 60;

  /** One sent record and its future. */
  private record Sent(KinesisRecord record, CompletableFuture<RecordResult> future) {}

  @Test
  void send_everyAcknowledgedRecordIsStoredOnceWhereReported(LocalKinesis kinesis, KinesisAsyncClient client)
      throws Exception {
    String stream = kinesis.createStream(kinesis.uniqueStreamName("producer-send"), 4);
    List<Sent> sent = new ArrayList<>();
    try (ResilientProducer producer = producer(client, stream, "it-send")) {
      sendAll(producer, sent, "send", 0, 2_000);
      producer.flush().get(WAIT_SECONDS, TimeUnit.SECONDS);
      assertThat(producer.stats().acknowledged()).isEqualTo(2_000);
      assertThat(producer.stats().pending()).isZero();
    }
    assertAllAcknowledgedAndStoredAtLeastOnce(kinesis, stream, sent);
    assertThat(sent.stream().map(s -> ((RecordResult.Acknowledged) s.future().join()).shardId()).distinct())
        .hasSize(4);
    kinesis.deleteStream(stream);
  }

  @Test
  void reshardWhileProducing_shardMapRefreshed_nothingLost(LocalKinesis kinesis, KinesisAsyncClient client)
      throws Exception {
    String stream = kinesis.createStream(kinesis.uniqueStreamName("producer-reshard"), 2);
    List<Sent> sent = new ArrayList<>();
    // Per-shard meters appear when the producer installs a shard map: a thread-safe view of it.
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ResilientProducer producer = ResilientProducer.builder(client).streamName(stream).clientId("it-reshard")
        .attemptTimeout(ATTEMPT_TIMEOUT).deliveryTimeout(DELIVERY_TIMEOUT)
        .metrics(MetricsOptions.of(registry)).build();
    try {
      sendAll(producer, sent, "before", 0, 600);
      client.updateShardCount(b -> b.streamName(stream).targetShardCount(4)
          .scalingType(ScalingType.UNIFORM_SCALING)).get(WAIT_SECONDS, TimeUnit.SECONDS);
      sendAll(producer, sent, "during", 0, 400);
      kinesis.awaitStreamActive(stream, LocalKinesis.STREAM_ACTIVE_TIMEOUT);
      sendAll(producer, sent, "after", 0, 600);
      producer.flush().get(WAIT_SECONDS, TimeUnit.SECONDS);
      // Mispredicted records ask for a refresh, which runs at most MIN_REFRESH_INTERVAL later. Wait
      // for its result (a lane for every open shard) rather than for a time: under load it is late.
      List<String> openNow = openShards(kinesis, stream);
      assertThat(openNow).hasSize(4);
      awaitLanes(registry, openNow);
      sendAll(producer, sent, "last", 0, 50);
      producer.flush().get(WAIT_SECONDS, TimeUnit.SECONDS);
      ProducerStats stats = producer.stats();
      assertThat(stats.acknowledged()).isEqualTo(1_650);
      assertThat(stats.failed()).isZero();
    } finally {
      producer.close(DELIVERY_TIMEOUT);
    }
    // close() returned after the sender thread ended: its state is safe to read here.
    ShardMap map = ((DefaultResilientProducer) producer).sender().shardMap();
    List<String> open = openShards(kinesis, stream);
    assertThat(open).hasSize(4);
    assertThat(map).isNotNull();
    assertThat(map.shardIds()).containsExactlyInAnyOrderElementsOf(open);
    assertAllAcknowledgedAndStoredAtLeastOnce(kinesis, stream, sent);
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
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
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
        assertThat(f.reason()).isIn(FailureReason.CLOSED, FailureReason.DEADLINE_EXCEEDED);
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

    // Acknowledged records are stored where reported; a record failed CLOSED after it was sent may be
    // stored too (at most once per attempt, so never one that was not sent).
    AtLeastOnce.Summary summary = AtLeastOnce.check(results(sent), ReadBack.of(kinesis, stream));
    assertThat(summary.acknowledged()).isEqualTo(acknowledged);
    kinesis.deleteStream(stream);
  }

  @Test
  void perEntryThrottling_onlyFailedEntriesResent_eachStoredOnce(LocalKinesis kinesis) throws Exception {
    String stream = kinesis.createStream(kinesis.uniqueStreamName("producer-throttle"), 2);
    PutRecordsFaultInterceptor faults = kinesis.newFaultInterceptor()
        .failEntries(EntryError.THROTTLED, EntrySelector.withProbability(0.2, 42), 4);
    List<Sent> sent = new ArrayList<>();
    // No timeout may trip here (ATTEMPT_TIMEOUT is a hang guard): every re-send is an injected fault.
    try (KinesisAsyncClient client = kinesis.newClient(o -> o.addExecutionInterceptor(faults));
        ResilientProducer producer = producer(client, stream, "it-throttle")) {
      sendAll(producer, sent, "throttle", 0, 1_000);
      producer.flush().get(WAIT_SECONDS, TimeUnit.SECONDS);
      ProducerStats stats = producer.stats();
      assertThat(stats.acknowledged()).isEqualTo(1_000);
      assertThat(faults.entriesFailed()).isPositive();
      // Each injected failure is retried once, alone: the entries the server saw are the records plus
      // the throttled entries re-sent, never a whole request again.
      assertThat(stats.throttledEntries()).isEqualTo(faults.entriesFailed());
      assertThat(stats.retriedEntries()).isEqualTo(faults.entriesFailed());
      assertThat(faults.entriesSeen()).isEqualTo(1_000 + faults.entriesFailed());
    }
    AtLeastOnce.Summary summary = assertAllAcknowledgedAndStoredAtLeastOnce(kinesis, stream, sent);
    // Throttled entries were never stored (fault injection drops them), and nothing else was re-sent.
    assertThat(summary.duplicated()).isZero();
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
        .aggregation(true).maxAggregateBytes(8 * 1024).lingerTime(Duration.ofMillis(50))
        .attemptTimeout(ATTEMPT_TIMEOUT).deliveryTimeout(DELIVERY_TIMEOUT).build()) {
      sendAll(producer, sent, "agg", 0, 3_000);
      for (int i = 0; i < 100; i++) { // other keys, pinned to one place by explicit hash key
        KinesisRecord r = KinesisRecord.of("pinned-" + i, ("pinned " + i).getBytes(StandardCharsets.UTF_8), ehk);
        sent.add(new Sent(r, producer.send(r)));
      }
      producer.flush().get(WAIT_SECONDS, TimeUnit.SECONDS);
      assertThat(producer.stats().acknowledged()).isEqualTo(3_100);
    }
    Map<String, Record> stored = storedBySequence(kinesis, stream);
    assertThat(stored.size()).as("Kinesis records for 3,100 user records").isLessThan(300);
    Map<String, List<UserRecord>> decoded = new HashMap<>();
    Map<String, Integer> copies = new HashMap<>();
    for (Map.Entry<String, Record> e : stored.entrySet()) {
      Record r = e.getValue();
      List<UserRecord> us = KplAggregation.decode(r.data(), r.partitionKey(), null);
      decoded.put(e.getKey(), us);
      us.forEach(u -> copies.merge(u.partitionKey(), 1, Integer::sum));
    }
    // At least once: every user record stored, a second copy only where its aggregate was retried.
    assertThat(copies.keySet()).as("user records stored, each sent")
        .containsExactlyInAnyOrderElementsOf(sent.stream().map(s -> s.record().partitionKey()).toList());
    for (Sent s : sent) {
      RecordResult.Acknowledged ack = (RecordResult.Acknowledged) s.future().join();
      assertThat(copies.get(s.record().partitionKey())).as("copies of %s", s.record().partitionKey())
          .isBetween(1, ack.attempts());
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
    return ResilientProducer.builder(client).streamName(stream).clientId(clientId)
        .attemptTimeout(ATTEMPT_TIMEOUT).deliveryTimeout(DELIVERY_TIMEOUT).build();
  }

  private static List<String> openShards(LocalKinesis kinesis, String stream) {
    return kinesis.listShards(stream).stream()
        .filter(s -> s.sequenceNumberRange().endingSequenceNumber() == null).map(Shard::shardId).toList();
  }

  /** Waits until the registry holds a meter tagged with each shard id (a lane of the shard map). */
  private static void awaitLanes(SimpleMeterRegistry registry, List<String> shardIds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (true) {
      java.util.Set<String> tagged = new java.util.HashSet<>();
      registry.getMeters().forEach(m -> {
        String shard = m.getId().getTag("shard");
        if (shard != null) {
          tagged.add(shard);
        }
      });
      if (tagged.containsAll(shardIds)) {
        return;
      }
      assertThat(System.nanoTime() - deadline).as("lanes for %s, have %s", shardIds, tagged).isNegative();
      Thread.sleep(50);
    }
  }

  private static List<RecordResult> results(List<Sent> sent) {
    return sent.stream().map(s -> s.future().join()).toList();
  }

  private static void sendAll(ResilientProducer producer, List<Sent> sent, String prefix, int from, int count) {
    for (int i = from; i < from + count; i++) {
      String key = prefix + "-" + i;
      KinesisRecord r = KinesisRecord.of(key, ("payload of " + key + " " + "x".repeat(i % 50))
          .getBytes(StandardCharsets.UTF_8));
      sent.add(new Sent(r, producer.send(r)));
    }
  }

  /** Every record of the stream by shard and sequence number; each position must appear once. */
  private static Map<String, Record> storedBySequence(LocalKinesis kinesis, String stream) {
    Map<String, Record> out = new HashMap<>();
    for (Map.Entry<String, List<Record>> shard : kinesis.readAll(stream).entrySet()) {
      for (Record r : shard.getValue()) {
        assertThat(out.put(shard.getKey() + "/" + r.sequenceNumber(), r)).as("duplicate sequence number").isNull();
      }
    }
    return out;
  }

  /**
   * Every record acknowledged, and stored at least once: where reported, with its bytes, a second
   * copy only where it took more than one attempt, nothing stored that was not sent.
   */
  private static AtLeastOnce.Summary assertAllAcknowledgedAndStoredAtLeastOnce(
      LocalKinesis kinesis, String stream, List<Sent> sent) {
    List<RecordResult> results = results(sent);
    assertThat(results).allSatisfy(r -> assertThat(r).isInstanceOf(RecordResult.Acknowledged.class));
    AtLeastOnce.Summary summary = AtLeastOnce.check(results, ReadBack.of(kinesis, stream));
    assertThat(summary.acknowledged()).isEqualTo(sent.size());
    return summary;
  }
}
