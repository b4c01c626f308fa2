package dev.kinesisresilient.producer.internal;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.kinesis.model.Shard;

/**
 * The open shards of a stream and their hash key ranges, from ListShards: finds the shard that stores
 * a hash key, and knows the range of every shard the listing named (closed ones included). Immutable
 * and thread-safe.
 */
final class ShardMap {
  private final BigInteger[] starts;
  private final BigInteger[] ends;
  private final String[] ids;
  private final Map<String, HashKeyRange> listed;

  private ShardMap(List<Shard> open, Map<String, HashKeyRange> listed) {
    this.listed = listed;
    int n = open.size();
    starts = new BigInteger[n];
    ends = new BigInteger[n];
    ids = new String[n];
    for (int i = 0; i < n; i++) {
      Shard s = open.get(i);
      starts[i] = new BigInteger(s.hashKeyRange().startingHashKey());
      ends[i] = new BigInteger(s.hashKeyRange().endingHashKey());
      ids[i] = s.shardId();
    }
  }

  /**
   * The map of the open shards among {@code shards} (those without an ending sequence number).
   *
   * @param shards every shard ListShards returned
   * @return the map; empty when no shard is open
   */
  static ShardMap of(List<Shard> shards) {
    List<Shard> open = new ArrayList<>();
    Map<String, HashKeyRange> listed = new HashMap<>();
    for (Shard s : shards) {
      if (s.hashKeyRange() == null) {
        continue;
      }
      listed.put(s.shardId(), new HashKeyRange(new BigInteger(s.hashKeyRange().startingHashKey()),
          new BigInteger(s.hashKeyRange().endingHashKey())));
      if (s.sequenceNumberRange() != null && s.sequenceNumberRange().endingSequenceNumber() != null) {
        continue;
      }
      open.add(s);
    }
    open.sort(Comparator.comparing(s -> new BigInteger(s.hashKeyRange().startingHashKey())));
    return new ShardMap(open, Map.copyOf(listed));
  }

  /**
   * The hash key range of a shard the listing named, open or closed (a shard's range never changes).
   *
   * @return the range, or null when the listing did not name the shard (it opened after the listing)
   */
  @Nullable HashKeyRange rangeOf(String shardId) {
    return listed.get(shardId);
  }

  /** The shard whose range holds {@code hashKey}, or null when none does (a gap while resharding). */
  @Nullable String shardFor(BigInteger hashKey) {
    int i = indexFor(hashKey);
    return i < 0 ? null : ids[i];
  }

  /**
   * The position in {@link #shardIds()} of the shard whose range holds {@code hashKey}, or -1 when
   * none does.
   */
  int indexFor(BigInteger hashKey) {
    int lo = 0;
    int hi = starts.length - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (starts[mid].compareTo(hashKey) <= 0) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (found < 0 || ends[found].compareTo(hashKey) < 0) {
      return -1;
    }
    return found;
  }

  /** The open shard ids in hash key order. */
  List<String> shardIds() {
    return List.of(ids);
  }

  int size() {
    return ids.length;
  }

  @Override
  public String toString() {
    return "ShardMap" + List.of(ids);
  }
}
