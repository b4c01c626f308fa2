package dev.kinesisresilient.producer.internal;

import dev.kinesisresilient.core.BatchLimits;
import dev.kinesisresilient.core.HashKeys;
import dev.kinesisresilient.core.Jitter;
import dev.kinesisresilient.core.KinesisRecord;
import dev.kinesisresilient.core.RecordResult;
import dev.kinesisresilient.core.RetryPolicy;
import dev.kinesisresilient.core.testing.FakeKinesisAsyncClient;
import dev.kinesisresilient.core.testing.ManualClock;
import dev.kinesisresilient.producer.BuilderSettings;
import dev.kinesisresilient.producer.ProducerStats;
import dev.kinesisresilient.producer.ResilientProducer;
import dev.kinesisresilient.producer.ResilientProducerBuilder;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/** A producer that is not started, driven step by step with a manual clock and a synchronous fake. */
final class Harness {
  static final String STREAM = "orders";

  final ManualClock clock;
  final FakeKinesisAsyncClient fake;
  final DefaultResilientProducer producer;
  final Sender sender;

  private Harness(ManualClock clock, FakeKinesisAsyncClient fake, KinesisAsyncClient client, String clientId,
      Consumer<ResilientProducerBuilder> options) {
    this.clock = clock;
    this.fake = fake;
    ResilientProducerBuilder b = ResilientProducer.builder(client)
        .streamName(STREAM)
        .clientId(clientId)
        .clock(clock)
        .random(() -> new SplittableRandom(7));
    options.accept(b);
    this.producer = new DefaultResilientProducer(BuilderSettings.of(b), client);
    this.sender = producer.sender();
  }

  static Harness create(int shards, Consumer<ResilientProducerBuilder> options) {
    ManualClock clock = ManualClock.create();
    FakeKinesisAsyncClient fake = FakeKinesisAsyncClient.builder().clock(clock).stream(STREAM, shards).build();
    return new Harness(clock, fake, fake, "test", options);
  }

  static Harness create(int shards) {
    return create(shards, b -> {});
  }

  static Harness on(ManualClock clock, FakeKinesisAsyncClient fake, KinesisAsyncClient client,
      Consumer<ResilientProducerBuilder> options) {
    return new Harness(clock, fake, client, "test", options);
  }

  /** A second producer on the same fake and clock, with its own client id. */
  static Harness on(ManualClock clock, FakeKinesisAsyncClient fake, String clientId,
      Consumer<ResilientProducerBuilder> options) {
    return new Harness(clock, fake, fake, clientId, options);
  }

  /** A retry policy without jitter: delays 100, 200, 400 ... ms capped at 2 s. */
  static RetryPolicy noJitter(int maxAttempts) {
    return RetryPolicy.builder().maxAttempts(maxAttempts).jitter(Jitter.NONE).build();
  }

  Instant step() {
    return sender.runOnce(clock.instant());
  }

  Instant advanceAndStep(Duration d) {
    clock.advance(d);
    return step();
  }

  CompletableFuture<RecordResult> send(KinesisRecord r) {
    return producer.send(r);
  }

  /** The shard id of the fake's shard {@code index} (of {@code count} even shards). */
  static String shardId(int index) {
    return String.format("shardId-%012d", index);
  }

  /** An explicit hash key inside shard {@code index} of {@code count} even shards. */
  static String hashKeyInShard(int index, int count) {
    BigInteger space = BatchLimits.MAX_HASH_KEY.add(BigInteger.ONE);
    return space.multiply(BigInteger.valueOf(index)).divide(BigInteger.valueOf(count)).add(BigInteger.TEN).toString();
  }

  static KinesisRecord toShard(int index, int count, String key, int dataBytes) {
    return KinesisRecord.of(key, new byte[dataBytes], hashKeyInShard(index, count));
  }

  static KinesisRecord record(String key) {
    return KinesisRecord.of(key, ("data-" + key).getBytes(StandardCharsets.UTF_8));
  }

  static BigInteger hash(KinesisRecord r) {
    return HashKeys.of(r);
  }

  void assertReconciles() {
    ProducerStats s = producer.stats();
    if (s.sent() != s.acknowledged() + s.failed() + s.pending()) {
      throw new AssertionError("counts do not reconcile: " + s);
    }
  }
}
