package dev.kinesisresilient.core.testing;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.kinesis.model.RecordDistributionStrategy;
import software.amazon.awssdk.services.kinesis.model.StreamMode;

/** One fake stream: its shards, records and sequence counter. Not thread-safe; guarded by the client. */
final class FakeStream {
  /** 2^128, the size of the hash key space. */
  static final BigInteger HASH_SPACE = BigInteger.ONE.shiftLeft(128);

  /**
   * Sequence numbers start at 49 followed by 54 zeros: 56 decimal digits, like the service's. The
   * counter (below 10^19) is written into the zeros' tail, which is that sum without a BigInteger.
   */
  private static final String SEQUENCE_BASE = "49" + "0".repeat(54);

  final String name;
  final String arn;
  final long incarnation;
  final StreamMode mode;
  final Instant createdAt;
  final @Nullable RecordDistributionStrategy distributionStrategy;
  final List<FakeShard> shards = new ArrayList<>();
  /** The open shards in hash key order (they tile the hash key space), for a binary search per record. */
  private FakeShard[] open = new FakeShard[0];
  private final long recordsPerSecond;
  private final long bytesPerSecond;
  private long sequenceCounter;
  private int generation;

  FakeStream(
      String name,
      String arn,
      long incarnation,
      StreamMode mode,
      @Nullable RecordDistributionStrategy distributionStrategy,
      int shardCount,
      long recordsPerSecond,
      long bytesPerSecond,
      Instant now) {
    this.name = name;
    this.arn = arn;
    this.incarnation = incarnation;
    this.mode = mode;
    this.distributionStrategy = distributionStrategy;
    this.createdAt = now;
    this.recordsPerSecond = recordsPerSecond;
    this.bytesPerSecond = bytesPerSecond;
    openShards(shardCount, List.of(), now);
  }

  String nextSequenceNumber() {
    String counter = Long.toString(sequenceCounter++);
    return SEQUENCE_BASE.substring(0, SEQUENCE_BASE.length() - counter.length()).concat(counter);
  }

  List<FakeShard> openShards() {
    List<FakeShard> open = new ArrayList<>();
    for (FakeShard s : shards) {
      if (s.isOpen()) {
        open.add(s);
      }
    }
    return open;
  }

  @Nullable FakeShard shard(String shardId) {
    for (FakeShard s : shards) {
      if (s.id.equals(shardId)) {
        return s;
      }
    }
    return null;
  }

  FakeShard openShardFor(BigInteger hashKey) {
    int lo = 0;
    int hi = open.length - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      FakeShard s = open[mid];
      if (hashKey.compareTo(s.startingHashKey) < 0) {
        hi = mid - 1;
      } else if (hashKey.compareTo(s.endingHashKey) > 0) {
        lo = mid + 1;
      } else {
        return s;
      }
    }
    throw new IllegalStateException("no open shard covers hash key " + hashKey + " in stream " + name);
  }

  StoredRecord store(FakeShard shard, String partitionKey, @Nullable String explicitHashKey,
      software.amazon.awssdk.core.SdkBytes data, Instant now) {
    StoredRecord r = new StoredRecord(shard.id, nextSequenceNumber(), partitionKey, explicitHashKey, data, now);
    shard.records.add(r);
    return r;
  }

  /** Closes every open shard and opens {@code target} shards splitting the hash space evenly. */
  void reshard(int target, Instant now) {
    List<FakeShard> parents = openShards();
    for (FakeShard p : parents) {
      p.endingSequenceNumber = nextSequenceNumber();
    }
    generation++;
    openShards(target, parents, now);
  }

  /**
   * The shards opened by the resharding that closed {@code closed} and whose hash range overlaps it.
   * Every resharding closes all open shards at once, so those are the next generation's overlapping
   * shards.
   */
  List<FakeShard> children(FakeShard closed) {
    List<FakeShard> children = new ArrayList<>();
    for (FakeShard s : shards) {
      if (s.generation == closed.generation + 1 && s.overlaps(closed)) {
        children.add(s);
      }
    }
    return children;
  }

  private void openShards(int count, List<FakeShard> parents, Instant now) {
    BigInteger width = HASH_SPACE.divide(BigInteger.valueOf(count));
    for (int i = 0; i < count; i++) {
      BigInteger start = width.multiply(BigInteger.valueOf(i));
      BigInteger end = i == count - 1
          ? HASH_SPACE.subtract(BigInteger.ONE)
          : width.multiply(BigInteger.valueOf(i + 1L)).subtract(BigInteger.ONE);
      String parent = null;
      String adjacent = null;
      for (FakeShard p : parents) {
        if (p.contains(start)) {
          parent = p.id;
        }
      }
      for (FakeShard p : parents) {
        if (p.contains(end) && !p.id.equals(parent)) {
          adjacent = p.id;
        }
      }
      shards.add(new FakeShard(
          shards.size(), generation, start, end, parent, adjacent, nextSequenceNumber(), recordsPerSecond, bytesPerSecond, now));
    }
    List<FakeShard> nowOpen = openShards();
    nowOpen.sort((a, b) -> a.startingHashKey.compareTo(b.startingHashKey));
    open = nowOpen.toArray(new FakeShard[0]);
  }
}
