package dev.kinesisresilient.producer.internal;

import static dev.kinesisresilient.producer.internal.Harness.record;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kinesisresilient.core.RecordResult;
import dev.kinesisresilient.core.testing.FakeKinesisAsyncClient;
import dev.kinesisresilient.core.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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

/** Provisioned, on-demand and AUTO-distribution streams, and missing permissions for discovery. */
final class StreamModeTest {

  /** Delegates to the fake, optionally denying the discovery calls. */
  private static final class DenyingClient implements KinesisAsyncClient {
    final FakeKinesisAsyncClient fake;
    final boolean denyDescribe;
    final boolean denyListShards;

    DenyingClient(FakeKinesisAsyncClient fake, boolean denyDescribe, boolean denyListShards) {
      this.fake = fake;
      this.denyDescribe = denyDescribe;
      this.denyListShards = denyListShards;
    }

    @Override
    public CompletableFuture<DescribeStreamSummaryResponse> describeStreamSummary(DescribeStreamSummaryRequest r) {
      return denyDescribe ? CompletableFuture.failedFuture(
          FakeKinesisAsyncClient.serviceException("AccessDeniedException", 400, "not authorized"))
          : fake.describeStreamSummary(r);
    }

    @Override
    public CompletableFuture<ListShardsResponse> listShards(ListShardsRequest r) {
      return denyListShards ? CompletableFuture.failedFuture(
          FakeKinesisAsyncClient.serviceException("AccessDeniedException", 400, "not authorized"))
          : fake.listShards(r);
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
  }

  private static Harness with(boolean denyDescribe, boolean denyListShards) {
    ManualClock clock = ManualClock.create();
    FakeKinesisAsyncClient fake = FakeKinesisAsyncClient.builder().clock(clock).stream(Harness.STREAM, 2).build();
    return Harness.on(clock, fake, new DenyingClient(fake, denyDescribe, denyListShards),
        b -> b.lingerTime(Duration.ZERO));
  }

  @Test
  void describeDenied_toleratedAndShardsStillPredicted() {
    Harness h = with(true, false);
    CompletableFuture<RecordResult> f = h.send(record("a"));
    h.step();
    assertThat(h.sender.routing()).isEqualTo(ShardRouter.Routing.SHARDS);
    assertThat(f.join().isAcknowledged()).isTrue();
  }

  @Test
  void listShardsDenied_fallsBackToStreamLevelLimit_andRetriesDiscoveryLater() {
    Harness h = with(false, true);
    List<CompletableFuture<RecordResult>> fs = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      fs.add(h.send(record("k" + i)));
    }
    h.step();
    assertThat(h.sender.routing()).isEqualTo(ShardRouter.Routing.STREAM);
    assertThat(h.sender.lanes()).extracting(l -> l.id).containsExactly(Lane.STREAM);
    assertThat(h.sender.lane(Lane.STREAM).limiter.recordsPerSecond()).as("2 open shards' worth").isEqualTo(2000.0);
    assertThat(fs).allMatch(f -> f.join().isAcknowledged());
    h.advanceAndStep(ShardRouter.FAILED_DISCOVERY_RETRY);
    assertThat(h.fake.callCount("PutRecords")).isEqualTo(1);
  }

  @Test
  void autoDistribution_noShardPrediction_oneStreamLevelLimit() {
    ManualClock clock = ManualClock.create();
    FakeKinesisAsyncClient fake = FakeKinesisAsyncClient.builder().clock(clock).build();
    fake.createStream(r -> r.streamName(Harness.STREAM)
        .streamModeDetails(m -> m.streamMode(StreamMode.ON_DEMAND))
        .recordDistributionStrategy(RecordDistributionStrategy.AUTO)).join();
    Harness h = Harness.on(clock, fake, fake, b -> b.lingerTime(Duration.ZERO));
    CompletableFuture<RecordResult> f = h.send(record("a"));
    h.step();
    assertThat(h.sender.routing()).isEqualTo(ShardRouter.Routing.STREAM);
    assertThat(fake.callCount("ListShards")).isZero();
    assertThat(f.join().isAcknowledged()).isTrue();
    assertThat(h.sender.shardMap()).isNull();
  }

  @Test
  void onDemandWithPartitionKeys_predictsShards() {
    ManualClock clock = ManualClock.create();
    FakeKinesisAsyncClient fake = FakeKinesisAsyncClient.builder().clock(clock).build();
    fake.createStream(r -> r.streamName(Harness.STREAM).streamModeDetails(m -> m.streamMode(StreamMode.ON_DEMAND))).join();
    Harness h = Harness.on(clock, fake, fake, b -> b.lingerTime(Duration.ZERO));
    h.send(record("a"));
    h.step();
    assertThat(h.sender.routing()).isEqualTo(ShardRouter.Routing.SHARDS);
    assertThat(h.sender.shardMap().size()).isEqualTo(FakeKinesisAsyncClient.ON_DEMAND_SHARD_COUNT);
  }
}
