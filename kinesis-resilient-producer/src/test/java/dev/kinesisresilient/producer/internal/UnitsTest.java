package dev.kinesisresilient.producer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kinesisresilient.core.BatchLimits;
import dev.kinesisresilient.core.HashKeys;
import dev.kinesisresilient.core.testing.FakeKinesisAsyncClient;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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
    Instant t = send(l, T0, 1000, 1000); // the full rate let through: decreases start from the factor
    l.onThrottled(t);
    l.onThrottled(t.plusMillis(50));
    assertThat(l.factor()).as("one episode counts once").isEqualTo(0.7);
    l.onThrottled(t.plus(AdaptiveRateLimiter.DECREASE_SPACING));
    assertThat(l.factor()).isCloseTo(0.49, org.assertj.core.data.Offset.offset(1e-9));
    for (int i = 0; i < 100; i++) {
      l.onThrottled(T0.plusSeconds(1 + i));
    }
    assertThat(l.factor()).isEqualTo(AdaptiveRateLimiter.MIN_FACTOR);
    Instant later = T0.plusSeconds(200);
    while (l.tryAcquire(1, later)) {
      // held back below: it may grow
    }
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

  // ---- issue 14: several producers sharing a shard ----

  /** Takes {@code perSecond} records of 100 bytes, evenly spread, from {@code from} for {@code millis}. */
  private static Instant send(AdaptiveRateLimiter l, Instant from, int perSecond, int millis) {
    long stepNanos = 1_000_000_000L / perSecond;
    Instant t = from;
    for (long n = 0; n * stepNanos < millis * 1_000_000L; n++) {
      t = from.plusNanos(n * stepNanos);
      assertThat(l.tryAcquire(100, t)).isTrue();
    }
    return t;
  }

  @Test
  void limiter_decrease_startsFromTheRateLetThrough_notTheUnusedLimit() {
    AdaptiveRateLimiter l = new AdaptiveRateLimiter(1000, BatchLimits.MIB, 1.0, T0);
    Instant t = send(l, T0, 250, 1000);
    l.onThrottled(t);
    // 250 of 1,000 records/s used: 0.7 x 0.25, not 0.7 x 1.0 (which would not bind at 250/s)
    assertThat(l.factor()).isCloseTo(0.175, org.assertj.core.data.Offset.offset(0.01));
  }

  @Test
  void limiter_decrease_flooredAtAQuarterOfTheFactor_whenAlmostNothingWasSent() {
    AdaptiveRateLimiter l = new AdaptiveRateLimiter(1000, BatchLimits.MIB, 1.0, T0);
    assertThat(l.tryAcquire(100, T0.plusMillis(900))).isTrue();
    l.onThrottled(T0.plusSeconds(1));
    assertThat(l.factor()).isCloseTo(AdaptiveRateLimiter.USED_FLOOR * AdaptiveRateLimiter.DECREASE,
        org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void limiter_perShard_growsOnlyWhileItHeldRecordsBack() {
    AdaptiveRateLimiter l = new AdaptiveRateLimiter(1000, BatchLimits.MIB, 1.0, T0);
    Instant t = send(l, T0, 900, 1000);
    l.onThrottled(t);
    double after = l.factor();
    assertThat(after).as("900 of 1,000/s is using the limit: cut from it").isEqualTo(0.7);
    l.onSuccess(1000);
    assertThat(l.factor()).as("never refused: no probing").isEqualTo(after);
    Instant refusedAt = t.plusMillis(1);
    while (l.tryAcquire(100, refusedAt)) {
      // drain the bucket until it refuses
    }
    l.onSuccess(1000);
    assertThat(l.factor()).as("not shared (decrease from 0.9): full step").isCloseTo(after + 0.2,
        org.assertj.core.data.Offset.offset(1e-9));
    l.canTake(1, 1, refusedAt.plus(AdaptiveRateLimiter.LIMITED_MEMORY)); // time passes, allowed: no refusal
    double grown = l.factor();
    l.onSuccess(1000);
    assertThat(l.factor()).as("a second after the last refusal: no longer limited").isEqualTo(grown);
    Instant waited = refusedAt.plus(AdaptiveRateLimiter.LIMITED_MEMORY).plusMillis(1);
    for (int i = 0; i < (int) l.recordsPerSecond(); i++) {
      assertThat(l.tryAcquire(1, waited)).isTrue(); // the whole bucket, never refused
    }
    l.onSuccess(100);
    assertThat(l.factor()).as("nothing held back yet").isEqualTo(grown);
    assertThat(l.availableAt(1, 1, waited)).as("the next record waits").isAfter(waited);
    l.onSuccess(100);
    assertThat(l.factor()).as("the sender waits for tokens: limited, grows").isGreaterThan(grown);
  }

  @Test
  void limiter_sharedShard_growsSlowlyAfterADecrease_thenFullyAfterAQuietSpell() {
    AdaptiveRateLimiter l = new AdaptiveRateLimiter(1000, BatchLimits.MIB, 1.0, T0);
    Instant t = send(l, T0, 250, 1000);
    l.onThrottled(t);
    double after = l.factor();
    Instant soon = t.plusMillis(500);
    while (l.tryAcquire(100, soon)) {
      // held back
    }
    l.onSuccess(100);
    double step = AdaptiveRateLimiter.INCREASE * 0.1;
    assertThat(l.factor()).isCloseTo(after + step / AdaptiveRateLimiter.SHARED_INCREASE_DIVISOR,
        org.assertj.core.data.Offset.offset(1e-9));
    Instant quiet = t.plus(AdaptiveRateLimiter.SHARED_SLOW_FOR);
    while (l.tryAcquire(100, quiet)) {
      // held back
    }
    double before = l.factor();
    l.onSuccess(100);
    assertThat(l.factor()).as("no decrease for SHARED_SLOW_FOR: the others may have gone")
        .isCloseTo(before + step, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void limiter_aloneCutSeveralTimesByLateThrottles_notTakenForShared_growsAtFullSpeed() {
    AdaptiveRateLimiter l = new AdaptiveRateLimiter(1000, BatchLimits.MIB, 1.0, T0);
    Instant t = send(l, T0, 1000, 1000);
    for (int i = 0; i < 3; i++) { // answers to what it sent at the full rate keep coming back throttled
      l.onThrottled(t.plus(AdaptiveRateLimiter.DECREASE_SPACING.multipliedBy(i)));
    }
    assertThat(l.factor()).isCloseTo(0.343, org.assertj.core.data.Offset.offset(1e-9));
    Instant soon = t.plusMillis(300);
    while (l.tryAcquire(100, soon)) {
      // held back
    }
    l.onSuccess(100);
    assertThat(l.factor()).as("full step: it sent at the full rate, nobody else shares the shard")
        .isCloseTo(0.343 + AdaptiveRateLimiter.INCREASE * 0.1, org.assertj.core.data.Offset.offset(1e-9));
  }

  /**
   * Issue 14's targets on a simulated shard (1,000 records/s, a one-second burst bucket, answers after
   * 5 ms): {@code producers} producers, each with its own limiter, offered twice the shard's capacity in
   * all for 30 s. Every producer is offered its share each millisecond and, once per 20 ms linger time
   * at its own phase, sends what its limiter lets through; the shard stores what its bucket allows and
   * throttles the rest; throttled records go back to their producer's queue after a backoff of 10 to
   * 100 ms. Deterministic: no clock but the simulated one, a seeded random source.
   *
   * @return {acknowledged per producer..., entries sent, entries throttled}
   */
  private static final int LINGER_MS = 20;

  private static long[] simulateShard(int producers, long seed) {
    java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
    AdaptiveRateLimiter[] limiters = new AdaptiveRateLimiter[producers];
    long[] queued = new long[producers];
    long[] acked = new long[producers + 2];
    double offeredPerMs = 2.0 / producers;
    double[] owed = new double[producers];
    for (int j = 0; j < producers; j++) {
      limiters[j] = new AdaptiveRateLimiter(1000, BatchLimits.MIB, 1.0, T0);
    }
    long shardTokens = 1000;
    // answers due: {time ms, producer, stored (1) or throttled (0)}
    java.util.ArrayDeque<long[]> answers = new java.util.ArrayDeque<>();
    java.util.PriorityQueue<long[]> retries = new java.util.PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
    int[] order = new int[producers];
    for (int j = 0; j < producers; j++) {
      order[j] = j;
    }
    for (long ms = 0; ms < 30_000; ms++) {
      Instant now = T0.plusMillis(ms);
      shardTokens = Math.min(1000, shardTokens + 1);
      while (!answers.isEmpty() && answers.peekFirst()[0] <= ms) {
        long[] a = answers.pollFirst();
        int j = (int) a[1];
        if (a[2] == 1) {
          acked[j]++;
          limiters[j].onSuccess(1);
        } else {
          limiters[j].onThrottled(now);
          retries.add(new long[] {ms + 10 + random.nextInt(90), j});
        }
      }
      while (!retries.isEmpty() && retries.peek()[0] <= ms) {
        queued[(int) retries.poll()[1]]++;
      }
      for (int k = producers - 1; k > 0; k--) { // who reaches the shard first varies
        int r = random.nextInt(k + 1);
        int tmp = order[k];
        order[k] = order[r];
        order[r] = tmp;
      }
      for (int j : order) {
        owed[j] += offeredPerMs;
        long whole = (long) owed[j];
        owed[j] -= whole;
        queued[j] += whole;
        if ((ms + 5 * j) % LINGER_MS != 0) {
          continue; // each producer sends once per linger time, at its own phase
        }
        while (queued[j] > 0 && limiters[j].tryAcquire(100, now)) {
          queued[j]--;
          acked[producers]++;
          boolean stored = shardTokens > 0;
          if (stored) {
            shardTokens--;
          } else {
            acked[producers + 1]++;
          }
          answers.addLast(new long[] {ms + 5, j, stored ? 1 : 0});
        }
      }
    }
    return acked;
  }

  private static void checkShared(int producers, double maxThrottled, double minGoodput, double minFairness) {
    for (long seed = 1; seed <= 3; seed++) {
      long[] r = simulateShard(producers, seed);
      double sum = 0;
      double squares = 0;
      for (int j = 0; j < producers; j++) {
        sum += r[j];
        squares += (double) r[j] * r[j];
      }
      double throttled = (double) r[producers + 1] / r[producers];
      double goodput = sum / (30.0 * 1000);
      double jain = sum * sum / (producers * squares);
      assertThat(throttled).as("throttled share of entries sent, seed %d", seed).isLessThanOrEqualTo(maxThrottled);
      assertThat(goodput).as("goodput, seed %d", seed).isGreaterThanOrEqualTo(minGoodput);
      assertThat(jain).as("Jain's fairness, seed %d", seed).isGreaterThanOrEqualTo(minFairness);
    }
  }

  @Test
  void limiter_fourProducersSharingAShardAtTwiceItsCapacity_fewThrottled_fullAndFair() {
    checkShared(4, 0.05, 0.95, 0.9);
  }

  @Test
  void limiter_oneProducerAtTwiceTheCapacity_stillFillsTheShard() {
    checkShared(1, 0.03, 0.97, 1.0);
  }

  // ---- issue 14: the shard map without a BigInteger per comparison ----

  /** The reference: the BigInteger binary search the shard map used before, over the same sorted ranges. */
  private static int indexByBigInteger(List<BigInteger> starts, List<BigInteger> ends, BigInteger hashKey) {
    int lo = 0;
    int hi = starts.size() - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (starts.get(mid).compareTo(hashKey) <= 0) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found < 0 || ends.get(found).compareTo(hashKey) < 0 ? -1 : found;
  }

  private static software.amazon.awssdk.services.kinesis.model.Shard shard(int i, BigInteger start, BigInteger end) {
    return software.amazon.awssdk.services.kinesis.model.Shard.builder().shardId(Harness.shardId(i))
        .hashKeyRange(r -> r.startingHashKey(start.toString()).endingHashKey(end.toString())).build();
  }

  @Test
  void shardMap_indexFor_matchesTheBigIntegerSearch_onSeededKeysAndEdges() {
    java.util.SplittableRandom random = new java.util.SplittableRandom(14);
    BigInteger two64 = BigInteger.ONE.shiftLeft(64);
    for (int round = 0; round < 40; round++) {
      // Random cut points, so ranges start and end on both sides of 2^63 and 2^64 in their halves; every
      // fourth map leaves gaps (as while resharding), so misses are compared too.
      int n = 1 + random.nextInt(round < 20 ? 8 : 1000);
      java.util.TreeSet<BigInteger> cuts = new java.util.TreeSet<>();
      while (cuts.size() < n - 1) {
        cuts.add(new BigInteger(128, new java.util.Random(random.nextLong())).max(BigInteger.ONE));
      }
      cuts.add(two64);
      java.util.List<BigInteger> starts = new java.util.ArrayList<>();
      starts.add(BigInteger.ZERO);
      starts.addAll(cuts);
      java.util.List<software.amazon.awssdk.services.kinesis.model.Shard> open = new java.util.ArrayList<>();
      List<BigInteger> openStarts = new java.util.ArrayList<>();
      List<BigInteger> openEnds = new java.util.ArrayList<>();
      boolean gaps = round % 4 == 3;
      for (int i = 0; i < starts.size(); i++) {
        BigInteger start = starts.get(i);
        BigInteger end = i + 1 < starts.size() ? starts.get(i + 1).subtract(BigInteger.ONE) : BatchLimits.MAX_HASH_KEY;
        if (gaps && i % 2 == 1) {
          continue;
        }
        open.add(shard(i, start, end));
        openStarts.add(start);
        openEnds.add(end);
      }
      ShardMap map = ShardMap.of(open);
      java.util.List<BigInteger> keys = new java.util.ArrayList<>(java.util.List.of(BigInteger.ZERO,
          BatchLimits.MAX_HASH_KEY, two64, two64.subtract(BigInteger.ONE), BigInteger.ONE.shiftLeft(63),
          BigInteger.ONE.shiftLeft(127)));
      for (BigInteger start : starts) {
        keys.add(start);
        keys.add(start.subtract(BigInteger.ONE).max(BigInteger.ZERO));
        keys.add(start.add(BigInteger.ONE).min(BatchLimits.MAX_HASH_KEY));
      }
      for (int k = 0; k < 500; k++) {
        keys.add(new BigInteger(128, new java.util.Random(random.nextLong())));
        keys.add(HashKeys.md5("key-" + random.nextInt()));
      }
      for (BigInteger key : keys) {
        assertThat(map.indexFor(key)).as("key %s, %d shards", key, open.size())
            .isEqualTo(indexByBigInteger(openStarts, openEnds, key));
      }
    }
  }

  @Test
  void shardMap_keyOutsideTheHashKeySpace_noShard() {
    FakeKinesisAsyncClient fake = FakeKinesisAsyncClient.builder().stream("s", 3).build();
    ShardMap map = ShardMap.of(fake.listShards(r -> r.streamName("s")).join().shards());
    assertThat(map.indexFor(BigInteger.ONE.negate())).isEqualTo(-1);
    assertThat(map.indexFor(BatchLimits.MAX_HASH_KEY.add(BigInteger.ONE))).isEqualTo(-1);
    assertThat(map.indexFor(BatchLimits.MAX_HASH_KEY)).isEqualTo(2);
  }
}
