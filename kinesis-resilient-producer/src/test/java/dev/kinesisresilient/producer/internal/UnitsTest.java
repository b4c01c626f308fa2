package dev.kinesisresilient.producer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kinesisresilient.core.BatchLimits;
import dev.kinesisresilient.core.HashKeys;
import dev.kinesisresilient.core.testing.FakeKinesisAsyncClient;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The rate limiter and the shard map on their own. */
final class UnitsTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void limiter_startsFull_refillsContinuously_neverAboveOneSecond() {
    AdaptiveRateLimiter l = new AdaptiveRateLimiter(1000, BatchLimits.MIB, 1.0, T0);
    int taken = 0;
    while (l.tryAcquire(10, T0)) {
      taken++;
    }
    assertThat(taken).isEqualTo(1000);
    assertThat(l.availableAt(1, 10, T0)).isEqualTo(T0.plusMillis(1));
    assertThat(l.canTake(100, 1000, T0.plusMillis(99))).isFalse();
    assertThat(l.canTake(100, 1000, T0.plusMillis(100))).isTrue();
    assertThat(l.canTake(1001, 1000, T0.plusSeconds(5))).as("capped at capacity").isTrue();
  }

  @Test
  void limiter_byteBucket_bindsForLargeRecords_andOversizeRecordPassesWhenFull() {
    AdaptiveRateLimiter l = new AdaptiveRateLimiter(1000, 1024 * 10, 1.0, T0);
    assertThat(l.tryAcquire(8 * 1024, T0)).isTrue();
    assertThat(l.tryAcquire(8 * 1024, T0)).isFalse();
    AdaptiveRateLimiter m = new AdaptiveRateLimiter(1000, 1024 * 10, 1.0, T0);
    assertThat(m.tryAcquire(50 * 1024, T0)).as("bigger than the bucket: allowed when full, leaves debt").isTrue();
    assertThat(m.tryAcquire(1, T0.plusSeconds(1))).isTrue();
  }

  @Test
  void limiter_aimd_decreaseSpacedAndFloored_increaseCapped() {
    AdaptiveRateLimiter l = new AdaptiveRateLimiter(1000, BatchLimits.MIB, 1.0, T0);
    l.onThrottled(T0);
    l.onThrottled(T0.plusMillis(50));
    assertThat(l.factor()).as("one episode counts once").isEqualTo(0.7);
    l.onThrottled(T0.plus(AdaptiveRateLimiter.DECREASE_SPACING));
    assertThat(l.factor()).isCloseTo(0.49, org.assertj.core.data.Offset.offset(1e-9));
    for (int i = 0; i < 100; i++) {
      l.onThrottled(T0.plusSeconds(1 + i));
    }
    assertThat(l.factor()).isEqualTo(AdaptiveRateLimiter.MIN_FACTOR);
    l.onSuccess(100_000);
    assertThat(l.factor()).isEqualTo(1.0);
    assertThat(l.recordsPerSecond()).isEqualTo(1000.0);
  }

  @Test
  void limiter_streamLevel_growsOnlyWhileItLimits() {
    AdaptiveRateLimiter l = new AdaptiveRateLimiter(1000, BatchLimits.MIB, 64, T0);
    l.onSuccess(1000);
    assertThat(l.factor()).isEqualTo(1.0);
    int taken = 0;
    while (l.tryAcquire(1, T0)) {
      taken++;
    }
    assertThat(taken).isEqualTo(1000);
    l.onSuccess(1000);
    assertThat(l.factor()).isEqualTo(1.2);
  }

  @Test
  void shardMap_findsTheShardOfEveryHashKey_likeTheFake() {
    FakeKinesisAsyncClient fake = FakeKinesisAsyncClient.builder().stream("s", 7).build();
    ShardMap map = ShardMap.of(fake.listShards(r -> r.streamName("s")).join().shards());
    assertThat(map.size()).isEqualTo(7);
    assertThat(map.shardFor(BigInteger.ZERO)).isEqualTo(Harness.shardId(0));
    assertThat(map.shardFor(BatchLimits.MAX_HASH_KEY)).isEqualTo(Harness.shardId(6));
    for (int i = 0; i < 200; i++) {
      String key = "key-" + i;
      fake.putRecords(r -> r.streamName("s").records(java.util.List.of(
          software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry.builder().partitionKey(key)
              .data(software.amazon.awssdk.core.SdkBytes.fromUtf8String("x")).build()))).join();
    }
    fake.storedRecords("s").forEach(r ->
        assertThat(map.shardFor(HashKeys.md5(r.partitionKey()))).isEqualTo(r.shardId()));
  }

  @Test
  void shardMap_ignoresClosedShards() {
    FakeKinesisAsyncClient fake = FakeKinesisAsyncClient.builder().stream("s", 2).build();
    fake.updateShardCount(r -> r.streamName("s").targetShardCount(3)
        .scalingType(software.amazon.awssdk.services.kinesis.model.ScalingType.UNIFORM_SCALING)).join();
    ShardMap map = ShardMap.of(fake.listShards(r -> r.streamName("s")).join().shards());
    assertThat(map.size()).isEqualTo(3);
    assertThat(map.shardIds()).doesNotContain(Harness.shardId(0), Harness.shardId(1));
    assertThat(Duration.ZERO).isZero();
  }
}
