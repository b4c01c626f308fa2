package dev.kinesisresilient.core.it;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.services.kinesis.model.Record;

/**
 * Every record of a stream, read with GetShardIterator/GetRecords over all shards (closed parents
 * of a reshard included, see {@link LocalKinesis#readAll}), indexed by partition key. The ITs give
 * each record a unique partition key, so a key found twice is a record stored twice.
 */
public final class ReadBack {

  /** One stored copy of a record and the shard it is on. */
  public record Stored(String shardId, Record record) {}

  private final Map<String, List<Record>> byShard;
  private final Map<String, List<Stored>> byKey = new HashMap<>();
  private final int total;

  private ReadBack(Map<String, List<Record>> byShard) {
    this.byShard = byShard;
    int n = 0;
    for (Map.Entry<String, List<Record>> shard : byShard.entrySet()) {
      for (Record r : shard.getValue()) {
        byKey.computeIfAbsent(r.partitionKey(), k -> new ArrayList<>(1))
            .add(new Stored(shard.getKey(), r));
        n++;
      }
    }
    this.total = n;
  }

  /** Reads the whole stream now. */
  public static ReadBack of(LocalKinesis kinesis, String stream) {
    return new ReadBack(kinesis.readAll(stream));
  }

  /** Records already read, per shard id (for a test that reads with a client of its own). */
  public static ReadBack of(Map<String, List<Record>> byShard) {
    return new ReadBack(byShard);
  }

  /** Every stored copy with this partition key (empty when none). */
  public List<Stored> copies(String partitionKey) {
    return byKey.getOrDefault(partitionKey, List.of());
  }

  /** Records read, copies counted. */
  public int total() {
    return total;
  }

  /** Distinct partition keys read. */
  public int distinctKeys() {
    return byKey.size();
  }

  /** The distinct partition keys read. */
  public Set<String> keys() {
    return Collections.unmodifiableSet(byKey.keySet());
  }

  /** Records per shard id, shards in ListShards order. */
  public Map<String, List<Record>> byShard() {
    return byShard;
  }
}
