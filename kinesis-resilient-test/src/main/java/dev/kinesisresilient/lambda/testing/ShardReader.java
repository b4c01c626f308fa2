package dev.kinesisresilient.lambda.testing;

import dev.kinesisresilient.lambda.internal.Json;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.GetShardIteratorRequest;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/**
 * Reads one shard for the {@link EsmSimulator}: its iterator, GetRecords, the mapping's filters, and which
 * lane a record goes to. {@link #openAll} finds the shards and their starting iterators.
 */
final class ShardReader {
  private final KinesisAsyncClient client;
  private final LaneContext ctx;
  private final EventSourceMappingConfig mapping;
  private final String shardId;
  private @Nullable String iterator;
  private final List<ShardLane> lanes = new ArrayList<>();

  private ShardReader(KinesisAsyncClient client, LaneContext ctx, String shardId, String iterator) {
    this.client = client;
    this.ctx = ctx;
    this.mapping = ctx.mapping();
    this.shardId = shardId;
    this.iterator = iterator;
    for (int i = 0; i < mapping.parallelizationFactor(); i++) {
      lanes.add(new ShardLane(ctx, shardId, i));
    }
  }

  /** The shard's lanes, one per ParallelizationFactor. */
  List<ShardLane> lanes() {
    return lanes;
  }

  /** Reads the shard up to its tip (at most 1,000 GetRecords calls) and hands the records to the lanes. */
  void fetch() {
    for (int calls = 0; calls < 1000 && iterator != null; calls++) {
      String it = iterator;
      GetRecordsResponse r = client.getRecords(b -> b.shardIterator(it).limit(10_000)).join();
      iterator = r.nextShardIterator();
      for (Record rec : r.records()) {
        accept(rec);
      }
      if (r.records().isEmpty() || (r.millisBehindLatest() != null && r.millisBehindLatest() == 0)) {
        break;
      }
    }
  }

  private void accept(Record rec) {
    byte[] data = rec.data().asByteArray();
    if (!mapping.filters().isEmpty() && mapping.filters().stream().noneMatch(f -> f.matches(data))) {
      ctx.trace().filtered(rec.sequenceNumber());
      return;
    }
    Instant arrival = rec.approximateArrivalTimestamp().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    long json = Json.write(KinesisEvents.recordMap(KinesisEvents.record(ctx.streamArn(), ctx.region(), shardId,
        rec.sequenceNumber(), rec.partitionKey(), data, arrival))).length() + 1;
    SimRecord sr = new SimRecord(shardId, rec.sequenceNumber(), new BigInteger(rec.sequenceNumber()),
        rec.partitionKey(), data, arrival, json);
    int lane = mapping.parallelizationFactor() == 1 ? 0
        : Math.floorMod(rec.partitionKey().hashCode(), mapping.parallelizationFactor());
    lanes.get(lane).add(sr);
  }

  /**
   * Lists the stream's shards and opens a reader on each at the mapping's starting position.
   *
   * @param ctx the lanes' context, its stream ARN known
   */
  static List<ShardReader> openAll(KinesisAsyncClient client, String streamName, LaneContext ctx) {
    EventSourceMappingConfig mapping = ctx.mapping();
    List<ShardReader> readers = new ArrayList<>();
    List<Shard> all = new ArrayList<>();
    String token = null;
    do {
      String t = token;
      ListShardsResponse r = client.listShards(b -> {
        if (t == null) {
          b.streamName(streamName);
        } else {
          b.nextToken(t);
        }
      }).join();
      all.addAll(r.shards());
      token = r.nextToken();
    } while (token != null);
    for (Shard s : all) {
      GetShardIteratorRequest.Builder req = GetShardIteratorRequest.builder().streamName(streamName)
          .shardId(s.shardId());
      switch (mapping.startingPosition()) {
        case LATEST -> req.shardIteratorType(ShardIteratorType.LATEST);
        case TRIM_HORIZON -> req.shardIteratorType(ShardIteratorType.TRIM_HORIZON);
        case AT_TIMESTAMP -> req.shardIteratorType(ShardIteratorType.AT_TIMESTAMP)
            .timestamp(mapping.startingPositionTimestamp());
        default -> throw new IllegalStateException();
      }
      String iterator = client.getShardIterator(req.build()).join().shardIterator();
      readers.add(new ShardReader(client, ctx, s.shardId(), iterator));
    }
    return readers;
  }
}
