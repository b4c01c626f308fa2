package dev.kinesisresilient.core;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Opt-in Micrometer metrics: where to register meters and how detailed they are.
 *
 * <p>Meters are named under {@code kinesis.resilient.} in base units and tagged with bounded values
 * only: {@code stream}, {@code shard}, {@code error.code}, {@code result}, {@code reason}, plus the
 * user's {@link #tags()}. Partition keys, hash keys and sequence numbers are never tags. See
 * {@code docs/metrics.md} for every meter.
 *
 * <p>Ownership: the registry belongs to the caller, who closes it.
 *
 * <p>{@code io.micrometer:micrometer-core} is an optional dependency of core and of the Lambda module
 * (the producer brings it): whoever builds these options has it. Without options, no Micrometer class
 * is loaded.
 *
 * @param registry where meters are registered
 * @param shardLevel whether meters carry a {@code shard} tag taken from each acknowledged entry (and
 *     from the service's throttling message for throttled entries). Default {@code true}; when
 *     {@code false} the tag is {@code all}.
 * @param maxShardTagValues how many distinct {@code shard} values a writer tags before it counts
 *     further shards as {@code other}, bounding the meters a long resharding history can create.
 *     Default 1,024; range 1..100,000.
 * @param tags extra tags added to every meter, e.g. {@code application}; default none
 * @since 0.1.0
 */
public record MetricsOptions(MeterRegistry registry, boolean shardLevel, int maxShardTagValues, List<Tag> tags) {

  /** Default {@link #maxShardTagValues()}: 1,024. */
  public static final int DEFAULT_MAX_SHARD_TAG_VALUES = 1024;

  /**
   * Validates the options.
   *
   * @throws IllegalArgumentException when {@code maxShardTagValues} is out of range
   * @throws NullPointerException when the registry or tags are null
   */
  public MetricsOptions {
    Objects.requireNonNull(registry, "registry");
    tags = List.copyOf(Objects.requireNonNull(tags, "tags"));
    if (maxShardTagValues < 1 || maxShardTagValues > 100_000) {
      throw new IllegalArgumentException(
          "maxShardTagValues must be in 1..100000, was " + maxShardTagValues);
    }
  }

  /**
   * Default options on a registry: shard-level on, 1,024 shard values, no extra tags.
   *
   * @param registry the registry, owned by the caller
   * @return the options
   */
  public static MetricsOptions of(MeterRegistry registry) {
    return new MetricsOptions(registry, true, DEFAULT_MAX_SHARD_TAG_VALUES, List.of());
  }

  /**
   * A copy with shard-level tagging on or off.
   *
   * @param enabled whether to tag meters by shard
   * @return the new options
   */
  public MetricsOptions withShardLevel(boolean enabled) {
    return new MetricsOptions(registry, enabled, maxShardTagValues, tags);
  }

  /**
   * A copy with another cap on distinct shard tag values.
   *
   * @param max range 1..100,000
   * @return the new options
   * @throws IllegalArgumentException when out of range
   */
  public MetricsOptions withMaxShardTagValues(int max) {
    return new MetricsOptions(registry, shardLevel, max, tags);
  }

  /**
   * A copy with extra tags added to every meter.
   *
   * @param extra the tags; must not use the library's tag keys
   * @return the new options
   */
  public MetricsOptions withTags(Iterable<Tag> extra) {
    List<Tag> all = new ArrayList<>(tags);
    extra.forEach(all::add);
    return new MetricsOptions(registry, shardLevel, maxShardTagValues, all);
  }

  /** Lists the settings; the registry by class name only. */
  @Override
  public String toString() {
    return "MetricsOptions[registry=" + registry.getClass().getSimpleName()
        + ", shardLevel=" + shardLevel + ", maxShardTagValues=" + maxShardTagValues
        + ", tags=" + tags + "]";
  }
}
