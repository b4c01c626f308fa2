package dev.kinesisresilient.core.testing;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.kinesis.model.HashKeyRange;
import software.amazon.awssdk.services.kinesis.model.SequenceNumberRange;
import software.amazon.awssdk.services.kinesis.model.Shard;

/** One shard of a fake stream. Not thread-safe; guarded by the fake client's lock. */
final class FakeShard {
  final String id;
  /** 0 for the shards a stream was created with, plus one per resharding. */
  final int generation;
  final BigInteger startingHashKey;
  final BigInteger endingHashKey;
  final @Nullable String parentShardId;
  final @Nullable String adjacentParentShardId;
  final String startingSequenceNumber;
  @Nullable String endingSequenceNumber;
  final List<StoredRecord> records = new ArrayList<>();
  private final TokenBucket recordBucket;
  private final TokenBucket byteBucket;

  FakeShard(
      int index,
      int generation,
      BigInteger startingHashKey,
      BigInteger endingHashKey,
      @Nullable String parentShardId,
      @Nullable String adjacentParentShardId,
      String startingSequenceNumber,
      long recordsPerSecond,
      long bytesPerSecond,
      Instant now) {
    this.id = shardId(index);
    this.generation = generation;
    this.startingHashKey = startingHashKey;
    this.endingHashKey = endingHashKey;
    this.parentShardId = parentShardId;
    this.adjacentParentShardId = adjacentParentShardId;
    this.startingSequenceNumber = startingSequenceNumber;
    this.recordBucket = new TokenBucket(recordsPerSecond, now);
    this.byteBucket = new TokenBucket(bytesPerSecond, now);
  }

  static String shardId(int index) {
    return String.format("shardId-%012d", index);
  }

  boolean isOpen() {
    return endingSequenceNumber == null;
  }

  boolean contains(BigInteger hashKey) {
    return hashKey.compareTo(startingHashKey) >= 0 && hashKey.compareTo(endingHashKey) <= 0;
  }

  boolean overlaps(FakeShard other) {
    return startingHashKey.compareTo(other.endingHashKey) <= 0
        && other.startingHashKey.compareTo(endingHashKey) <= 0;
  }

  /** Takes one record token and {@code bytes} byte tokens if both are available. */
  boolean tryAcquire(long bytes, Instant now) {
    recordBucket.refill(now);
    byteBucket.refill(now);
    if (recordBucket.canTake(1) && byteBucket.canTake(bytes)) {
      recordBucket.take(1);
      byteBucket.take(bytes);
      return true;
    }
    return false;
  }

  HashKeyRange hashKeyRange() {
    return HashKeyRange.builder()
        .startingHashKey(startingHashKey.toString())
        .endingHashKey(endingHashKey.toString())
        .build();
  }

  Shard toModel() {
    return Shard.builder()
        .shardId(id)
        .parentShardId(parentShardId)
        .adjacentParentShardId(adjacentParentShardId)
        .hashKeyRange(hashKeyRange())
        .sequenceNumberRange(SequenceNumberRange.builder()
            .startingSequenceNumber(startingSequenceNumber)
            .endingSequenceNumber(endingSequenceNumber)
            .build())
        .build();
  }
}
