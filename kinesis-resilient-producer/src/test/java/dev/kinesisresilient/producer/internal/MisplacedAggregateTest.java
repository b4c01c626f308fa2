package dev.kinesisresilient.producer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kinesisresilient.core.FailureReason;
import dev.kinesisresilient.core.KinesisRecord;
import dev.kinesisresilient.core.MetricsOptions;
import dev.kinesisresilient.core.RecordResult;
import dev.kinesisresilient.core.testing.FakeKinesisAsyncClient;
import dev.kinesisresilient.core.testing.ManualClock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryRequest;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryResponse;
import software.amazon.awssdk.services.kinesis.model.ListShardsRequest;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.ScalingType;

/**
 * Aggregates that land on a shard other than predicted because the stream was resharded between the
 * prediction and the response: no user record is acknowledged that a KCL consumer, filtering each
 * aggregate by its shard's hash key range, would skip.
 */
final class MisplacedAggregateTest {
  private static final int RECORDS = 400;

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

  /** Sends {@link #RECORDS} records and steps once: each is routed to the lane of its predicted shard. */
  private static List<CompletableFuture<RecordResult>> sendAndPredict(Harness h) {
    List<CompletableFuture<RecordResult>> fs = new ArrayList<>();
    for (int i = 0; i < RECORDS; i++) {
      fs.add(h.send(rec(i)));
    }
    h.step();
    assertThat(h.fake.putRecordsRequests()).as("still lingering: predicted, not sent").isEmpty();
    assertThat(h.sender.lanes()).allMatch(l -> l.size() > 0);
    return fs;
  }

  private static void split(FakeKinesisAsyncClient fake) {
    fake.updateShardCount(r -> r.streamName(Harness.STREAM).targetShardCount(4)
        .scalingType(ScalingType.UNIFORM_SCALING)).join();
  }

  private static double resent(SimpleMeterRegistry registry) {
    return registry.find(ProducerMetrics.AGGREGATION_RESENT).counters().stream().mapToDouble(Counter::count).sum();
  }

  @Test
  void splitBetweenPredictionAndResponse_recordsOutsideTheActualShard_resent_everyAcknowledgedRecordKeptByKcl() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Harness h = Harness.create(2, b -> b.aggregation(true).lingerTime(Duration.ofMillis(50))
        .metrics(MetricsOptions.of(registry)));
    h.step();
    assertThat(h.sender.shardMap().size()).isEqualTo(2);
    List<CompletableFuture<RecordResult>> fs = sendAndPredict(h);
    split(h.fake); // each parent's aggregate now lands on one of its two children
    drain(h);

    assertThat(fs).allMatch(CompletableFuture::isDone);
    KclReadBack kcl = KclReadBack.ofFake(h.fake, Harness.STREAM);
    for (int i = 0; i < RECORDS; i++) {
      RecordResult r = fs.get(i).join();
      assertThat(r.isAcknowledged()).as("record %d: %s", i, r).isTrue();
      RecordResult.Acknowledged a = (RecordResult.Acknowledged) r;
      KclReadBack.Read read = kcl.find(a.shardId(), a.sequenceNumber(), a.subSequenceNumber());
      assertThat(read).as("record %d acknowledged at %s/%s/%d is handed over by the KCL", i, a.shardId(),
          a.sequenceNumber(), a.subSequenceNumber()).isNotNull();
      assertThat(read.partitionKey()).isEqualTo(rec(i).partitionKey());
      assertThat(read.data()).isEqualTo(rec(i).data().asByteArray());
    }
    Set<String> keysRead = new HashSet<>();
    kcl.reads().forEach(u -> keysRead.add(u.partitionKey()));
    assertThat(keysRead).as("no user record lost to a KCL consumer").hasSize(RECORDS);
    assertThat(kcl.skipped()).as("the misplaced aggregates stay in the stream; the KCL skips them").isPositive();
    assertThat(resent(registry)).as("records sent again").isPositive();
    assertThat(registry.find(ProducerMetrics.AGGREGATION_RESENT).counters())
        .as("tagged with the shard the aggregate landed on: a child").isNotEmpty()
        .allMatch(c -> !List.of(Harness.shardId(0), Harness.shardId(1)).contains(c.getId().getTag("shard")));
    assertThat(h.sender.shardMap().size()).isEqualTo(4);
    h.assertReconciles();
  }

  @Test
  void misplacedAggregate_everyUserRecordInsideTheActualShard_acknowledgedThere_notResent() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Harness h = Harness.create(2, b -> b.aggregation(true).lingerTime(Duration.ofMillis(50))
        .metrics(MetricsOptions.of(registry)));
    h.step();
    BigInteger firstQuarter = new BigInteger(Harness.hashKeyInShard(0, 4));
    List<KinesisRecord> sent = new ArrayList<>();
    List<CompletableFuture<RecordResult>> fs = new ArrayList<>();
    for (int i = 0; i < 50; i++) { // different keys, all pinned into the first quarter of the hash space
      sent.add(KinesisRecord.of("in-" + i, ("in " + i).getBytes(StandardCharsets.UTF_8),
          firstQuarter.add(BigInteger.valueOf(i)).toString()));
      fs.add(h.send(sent.get(i)));
    }
    h.step();
    assertThat(h.sender.lane(Harness.shardId(0)).size()).isEqualTo(50);
    split(h.fake); // the first quarter is now one child of shard 0
    drain(h);

    KclReadBack kcl = KclReadBack.ofFake(h.fake, Harness.STREAM);
    for (int i = 0; i < 50; i++) {
      RecordResult.Acknowledged a = (RecordResult.Acknowledged) fs.get(i).join();
      assertThat(a.shardId()).isNotEqualTo(Harness.shardId(0));
      assertThat(a.attempts()).as("acknowledged where it landed, not sent again").isEqualTo(1);
      assertThat(a.aggregated()).isTrue();
      assertThat(a.subSequenceNumber()).isEqualTo(i);
      KclReadBack.Read read = kcl.find(a.shardId(), a.sequenceNumber(), a.subSequenceNumber());
      assertThat(read).isNotNull();
      assertThat(read.partitionKey()).isEqualTo(sent.get(i).partitionKey());
    }
    assertThat(kcl.skipped()).isZero();
    assertThat(resent(registry)).isZero();
  }

  @Test
  void responseAfterTheShardMapFollowed_rangeKnown_decidedAtOnce_noWaitForAnotherRefresh() {
    ManualClock clock = ManualClock.create();
    FakeKinesisAsyncClient fake = FakeKinesisAsyncClient.builder().clock(clock).stream(Harness.STREAM, 2).build();
    List<CompletableFuture<PutRecordsResponse>> stored = new ArrayList<>();
    List<CompletableFuture<PutRecordsResponse>> answers = new ArrayList<>();
    boolean[] hold = {true};
    KinesisAsyncClient slowAnswers = new KinesisAsyncClient() {
      @Override
      public CompletableFuture<DescribeStreamSummaryResponse> describeStreamSummary(DescribeStreamSummaryRequest r) {
        return fake.describeStreamSummary(r);
      }

      @Override
      public CompletableFuture<ListShardsResponse> listShards(ListShardsRequest r) {
        return fake.listShards(r);
      }

      @Override
      public CompletableFuture<PutRecordsResponse> putRecords(PutRecordsRequest r) {
        CompletableFuture<PutRecordsResponse> done = fake.putRecords(r); // stored now, answered later
        if (!hold[0]) {
          return done;
        }
        CompletableFuture<PutRecordsResponse> later = new CompletableFuture<>();
        stored.add(done);
        answers.add(later);
        return later;
      }

      @Override
      public String serviceName() {
        return fake.serviceName();
      }

      @Override
      public void close() {}
    };
    Harness h = Harness.on(clock, fake, slowAnswers, b -> b.aggregation(true).lingerTime(Duration.ofMillis(50)));
    h.step();
    List<CompletableFuture<RecordResult>> fs = sendAndPredict(h);
    split(fake);
    h.advanceAndStep(Duration.ofMillis(50)); // the aggregates go out; their answers are held
    assertThat(answers).isNotEmpty();
    hold[0] = false;
    // A record sent alone lands on a child: the shard map follows before the aggregates' answers come.
    CompletableFuture<RecordResult> probe = h.send(rec(RECORDS));
    h.producer.flush();
    h.step();
    h.step();
    assertThat(probe.join().isAcknowledged()).isTrue();
    assertThat(h.sender.shardMap().size()).isEqualTo(4);
    for (int i = 0; i < answers.size(); i++) {
      answers.get(i).complete(stored.get(i).join());
    }
    h.step(); // no clock advance: no second refresh can run; ranges come from the map in place

    assertThat(fs).allMatch(CompletableFuture::isDone);
    KclReadBack kcl = KclReadBack.ofFake(fake, Harness.STREAM);
    for (CompletableFuture<RecordResult> f : fs) {
      RecordResult.Acknowledged a = (RecordResult.Acknowledged) f.join();
      KclReadBack.Read read = kcl.find(a.shardId(), a.sequenceNumber(), a.subSequenceNumber());
      assertThat(read).isNotNull();
      assertThat(read.partitionKey()).isEqualTo(a.record().partitionKey());
    }
    assertThat(fs).anyMatch(f -> f.join().attempts() == 2);
    h.assertReconciles();
  }

  @Test
  void misplacedOnAnUnknownShard_refreshNeverAnswers_recordsExpireUnacknowledged() {
    ManualClock clock = ManualClock.create();
    FakeKinesisAsyncClient fake = FakeKinesisAsyncClient.builder().clock(clock).stream(Harness.STREAM, 2).build();
    AtomicInteger listings = new AtomicInteger();
    KinesisAsyncClient refreshHangs = new KinesisAsyncClient() {
      @Override
      public CompletableFuture<DescribeStreamSummaryResponse> describeStreamSummary(DescribeStreamSummaryRequest r) {
        return fake.describeStreamSummary(r);
      }

      @Override
      public CompletableFuture<ListShardsResponse> listShards(ListShardsRequest r) {
        return listings.getAndIncrement() == 0 ? fake.listShards(r) : new CompletableFuture<>();
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
    Harness h = Harness.on(clock, fake, refreshHangs, b -> b.aggregation(true).lingerTime(Duration.ofMillis(50))
        .attemptTimeout(Duration.ofSeconds(1)).deliveryTimeout(Duration.ofSeconds(3)));
    h.step();
    List<CompletableFuture<RecordResult>> fs = sendAndPredict(h);
    split(fake);
    drain(h);

    for (CompletableFuture<RecordResult> f : fs) {
      RecordResult r = f.join();
      assertThat(r).as("the shard's range is unknown: never acknowledged").isInstanceOf(RecordResult.Failed.class);
      RecordResult.Failed failed = (RecordResult.Failed) r;
      assertThat(failed.reason()).isEqualTo(FailureReason.DEADLINE_EXCEEDED);
      assertThat(failed.errorMessage()).contains("shard map does not know");
    }
    assertThat(listings.get()).as("a refresh was asked for").isEqualTo(2);
    assertThat(fake.storedRecords(Harness.STREAM)).as("stored, on a shard the map did not know").isNotEmpty();
    h.assertReconciles();
  }
}
