package dev.kinesisresilient.producer.internal;

import java.math.BigInteger;
import java.util.Objects;

/**
 * The hash key range of one shard, both ends inclusive, as ListShards reports it.
 *
 * @param start the shard's starting hash key
 * @param end the shard's ending hash key, not below {@code start}
 */
record HashKeyRange(BigInteger start, BigInteger end) {
  HashKeyRange {
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(end, "end");
    if (end.compareTo(start) < 0) {
      throw new IllegalArgumentException("end (" + end + ") must not be below start (" + start + ")");
    }
  }

  /** Whether the shard stores records of {@code hashKey}. */
  boolean contains(BigInteger hashKey) {
    return start.compareTo(hashKey) <= 0 && hashKey.compareTo(end) <= 0;
  }
}
