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
 *
 * <p>{@link #indexFor} runs per record on the sender thread. The ranges are kept as pairs of longs (the
 * high and low 64 bits of each 128-bit bound, compared unsigned) in flat arrays, so that the binary
 * search over a 1,000-shard stream reads two arrays instead of following ten {@code BigInteger}s.
 */
final class ShardMap {
  /** High and low 64 bits of each open shard's starting hash key, in hash key order. */
  private final long[] startHigh;
  private final long[] startLow;
  /** High and low 64 bits of each open shard's ending hash key. */
  private final long[] endHigh;
  private final long[] endLow;
  private final String[] ids;
  private final Map<String, HashKeyRange> listed;

  private ShardMap(List<Shard> open, Map<String, HashKeyRange> listed) {
    this.listed = listed;
    int n = open.size();
    startHigh = new long[n];
    startLow = new long[n];
    endHigh = new long[n];
    endLow = new long[n];
    ids = new String[n];
    for (int i = 0; i < n; i++) {
      Shard s = open.get(i);
      BigInteger start = new BigInteger(s.hashKeyRange().startingHashKey());
      BigInteger end = new BigInteger(s.hashKeyRange().endingHashKey());
      startHigh[i] = high(start);
      startLow[i] = start.longValue();
      endHigh[i] = high(end);
      endLow[i] = end.longValue();
      ids[i] = s.shardId();
    }
  }

  /** Bits 64..127 of a hash key in 0..2^128-1 (its low 64 bits are {@code longValue()}). */
  static long high(BigInteger hashKey) {
    return hashKey.shiftRight(64).longValue();
  }

  /** Whether the 128-bit unsigned value {@code (aHigh, aLow)} is at most {@code (bHigh, bLow)}. */
  private static boolean atMost(long aHigh, long aLow, long bHigh, long bLow) {
    return aHigh != bHigh ? Long.compareUnsigned(aHigh, bHigh) < 0 : Long.compareUnsigned(aLow, bLow) <= 0;
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
    if (hashKey.signum() < 0 || hashKey.bitLength() > 128) {
      return -1; // outside the hash key space: no shard holds it
    }
    return indexFor(high(hashKey), hashKey.longValue());
  }

  /**
   * {@link #indexFor(BigInteger)} of the hash key whose high and low 64 bits (unsigned) are given: a
   * binary search for the last shard starting at or below the key, then a check of its end.
   */
  int indexFor(long keyHigh, long keyLow) {
    int lo = 0;
    int hi = ids.length - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (atMost(startHigh[mid], startLow[mid], keyHigh, keyLow)) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (found < 0 || !atMost(keyHigh, keyLow, endHigh[found], endLow[found])) {
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
