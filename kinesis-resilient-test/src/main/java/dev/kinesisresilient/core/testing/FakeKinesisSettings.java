package dev.kinesisresilient.core.testing;

import dev.kinesisresilient.core.BatchLimits;
import dev.kinesisresilient.core.StreamNames;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import software.amazon.awssdk.regions.Region;

/**
 * The settings a {@link FakeKinesisAsyncClient.Builder} collects, with their defaults, ranges and the
 * set-once rule, checked as each is set. Not thread-safe, like the builder.
 */
final class FakeKinesisSettings {

  private final Set<String> set = new HashSet<>();
  final Map<String, Integer> streams = new TreeMap<>();
  Clock clock = Clock.system(ZoneOffset.UTC);
  long perShardBytesPerSecond = FakeKinesisAsyncClient.DEFAULT_PER_SHARD_BYTES_PER_SECOND;
  int perShardRecordsPerSecond = FakeKinesisAsyncClient.DEFAULT_PER_SHARD_RECORDS_PER_SECOND;
  BatchLimits batchLimits = BatchLimits.defaults();
  String accountId = FakeKinesisAsyncClient.DEFAULT_ACCOUNT_ID;
  Region region = Region.US_EAST_1;
  boolean enforceShardLimits = true;
  boolean wrapFailures;

  private void once(String option) {
    if (!set.add(option)) {
      throw new IllegalStateException(option + " was already set");
    }
  }

  void clock(Clock clock) {
    Objects.requireNonNull(clock, "clock");
    once("clock");
    this.clock = clock;
  }

  void perShardBytesPerSecond(long bytesPerSecond) {
    if (bytesPerSecond < 1 || bytesPerSecond > 1024 * BatchLimits.MIB) {
      throw new IllegalArgumentException(
          "perShardBytesPerSecond must be in 1.." + 1024 * BatchLimits.MIB + " bytes, was " + bytesPerSecond);
    }
    once("perShardBytesPerSecond");
    this.perShardBytesPerSecond = bytesPerSecond;
  }

  void perShardRecordsPerSecond(int recordsPerSecond) {
    if (recordsPerSecond < 1 || recordsPerSecond > 1_000_000) {
      throw new IllegalArgumentException(
          "perShardRecordsPerSecond must be in 1..1000000, was " + recordsPerSecond);
    }
    once("perShardRecordsPerSecond");
    this.perShardRecordsPerSecond = recordsPerSecond;
  }

  void batchLimits(BatchLimits batchLimits) {
    Objects.requireNonNull(batchLimits, "batchLimits");
    once("batchLimits");
    this.batchLimits = batchLimits;
  }

  void accountId(String accountId) {
    Objects.requireNonNull(accountId, "accountId");
    if (!accountId.matches("[0-9]{12}")) {
      throw new IllegalArgumentException("accountId must be 12 digits, was " + accountId);
    }
    once("accountId");
    this.accountId = accountId;
  }

  void region(Region region) {
    Objects.requireNonNull(region, "region");
    once("region");
    this.region = region;
  }

  void enforceShardLimits(boolean enforce) {
    once("enforceShardLimits");
    this.enforceShardLimits = enforce;
  }

  void wrapFailuresInCompletionException(boolean wrap) {
    once("wrapFailuresInCompletionException");
    this.wrapFailures = wrap;
  }

  void stream(String streamName, int shardCount) {
    StreamNames.requireValidName(streamName, "streamName");
    if (shardCount < 1 || shardCount > StreamAdmin.MAX_SHARD_COUNT) {
      throw new IllegalArgumentException("shardCount must be in 1.." + StreamAdmin.MAX_SHARD_COUNT + ", was "
          + shardCount);
    }
    if (streams.putIfAbsent(streamName, shardCount) != null) {
      throw new IllegalStateException("stream " + streamName + " was already added");
    }
  }

  @Override
  public String toString() {
    return "FakeKinesisAsyncClient.Builder[clock=" + clock + ", perShardBytesPerSecond=" + perShardBytesPerSecond
        + ", perShardRecordsPerSecond=" + perShardRecordsPerSecond + ", batchLimits=" + batchLimits
        + ", accountId=" + accountId + ", region=" + region + ", enforceShardLimits=" + enforceShardLimits
        + ", wrapFailuresInCompletionException=" + wrapFailures + ", streams=" + streams + "]";
  }
}
