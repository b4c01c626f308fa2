package dev.kinesisresilient.core.internal;

import dev.kinesisresilient.core.MetricsOptions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code shard} tag value of a meter, bounded: the shard id for the first {@code maxShards}
 * distinct shards, {@value #OTHER_SHARDS} for the rest, {@value #ALL_SHARDS} when shard-level
 * metrics are off ({@link MetricsOptions#shardLevel()}, {@link MetricsOptions#maxShardTagValues()}).
 * So a 10,000-shard stream cannot flood a registry. One per metrics owner (writer, producer, Lambda
 * processor). Thread-safe.
 */
public final class ShardTagCap {

  /** Tag value when shard-level metrics are off. */
  public static final String ALL_SHARDS = "all";

  /** Tag value for shards beyond the cap. */
  public static final String OTHER_SHARDS = "other";

  private final boolean shardLevel;
  private final int maxShards;
  private final Set<String> knownShards = ConcurrentHashMap.newKeySet();

  /**
   * A cap.
   *
   * @param shardLevel whether meters are tagged by shard at all
   * @param maxShards distinct shard ids tagged before the rest become {@value #OTHER_SHARDS}
   */
  public ShardTagCap(boolean shardLevel, int maxShards) {
    this.shardLevel = shardLevel;
    this.maxShards = maxShards;
  }

  /**
   * The cap the options ask for.
   *
   * @param options the metrics options
   * @return the cap
   */
  public static ShardTagCap of(MetricsOptions options) {
    return new ShardTagCap(options.shardLevel(), options.maxShardTagValues());
  }

  /**
   * The tag value for a shard; the first call with a new id within the cap admits it for good.
   *
   * @param shardId the shard id
   * @return {@code shardId}, {@value #OTHER_SHARDS} or {@value #ALL_SHARDS}
   */
  public String tag(String shardId) {
    if (!shardLevel) {
      return ALL_SHARDS;
    }
    if (knownShards.contains(shardId)) {
      return shardId;
    }
    synchronized (knownShards) {
      if (knownShards.contains(shardId)) {
        return shardId;
      }
      if (knownShards.size() >= maxShards) {
        return OTHER_SHARDS;
      }
      knownShards.add(shardId);
      return shardId;
    }
  }
}
