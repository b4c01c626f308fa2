package dev.kinesisresilient.producer.internal;

import dev.kinesisresilient.core.testing.FakeKinesisAsyncClient;
import dev.kinesisresilient.core.testing.StoredRecord;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.kinesis.retrieval.AggregatorUtil;
import software.amazon.kinesis.retrieval.KinesisClientRecord;

/**
 * Reads stored Kinesis records the way every KCL consumer does: each shard's records through the
 * KCL's own {@code AggregatorUtil.deaggregate(records, startingHashKey, endingHashKey)} with that
 * shard's hash key range, which skips a whole aggregate holding a user record outside the range.
 */
final class KclReadBack {
  /** A user record as the KCL hands it to a record processor. */
  record Read(String shardId, String sequenceNumber, long subSequenceNumber, String partitionKey, byte[] data) {}

  private static final AggregatorUtil KCL = new AggregatorUtil();

  private final Map<String, Read> byPosition = new HashMap<>();
  private final List<Read> reads = new ArrayList<>();
  private int kinesisRecords;
  private int skipped;

  /** Reads every shard of a stream of the in-memory fake. */
  static KclReadBack ofFake(FakeKinesisAsyncClient fake, String stream) {
    ListShardsResponse shards = fake.listShards(b -> b.streamName(stream)).join();
    KclReadBack out = new KclReadBack();
    for (Shard s : shards.shards()) {
      List<KinesisClientRecord> records = new ArrayList<>();
      for (StoredRecord r : fake.storedRecords(stream, s.shardId())) {
        records.add(KinesisClientRecord.builder().sequenceNumber(r.sequenceNumber())
            .approximateArrivalTimestamp(r.approximateArrivalTimestamp()).partitionKey(r.partitionKey())
            .explicitHashKey(r.explicitHashKey()).data(ByteBuffer.wrap(r.data().asByteArray())).build());
      }
      out.readShard(s, records);
    }
    return out;
  }

  /** Reads shards given with their records (for example {@code LocalKinesis.readAll}). */
  static KclReadBack of(List<Shard> shards, Map<String, List<Record>> recordsByShard) {
    KclReadBack out = new KclReadBack();
    for (Shard s : shards) {
      List<KinesisClientRecord> records = new ArrayList<>();
      for (Record r : recordsByShard.getOrDefault(s.shardId(), List.of())) {
        records.add(KinesisClientRecord.fromRecord(r));
      }
      out.readShard(s, records);
    }
    return out;
  }

  private void readShard(Shard shard, List<KinesisClientRecord> records) {
    String start = shard.hashKeyRange().startingHashKey();
    String end = shard.hashKeyRange().endingHashKey();
    for (KinesisClientRecord r : records) {
      kinesisRecords++;
      List<KinesisClientRecord> users = KCL.deaggregate(List.of(r), start, end);
      if (users.isEmpty()) {
        skipped++;
      }
      for (KinesisClientRecord u : users) {
        ByteBuffer d = u.data().duplicate();
        byte[] data = new byte[d.remaining()];
        d.get(data);
        Read read = new Read(shard.shardId(), u.sequenceNumber(), u.subSequenceNumber(), u.partitionKey(), data);
        reads.add(read);
        byPosition.put(position(read.shardId(), read.sequenceNumber(), read.subSequenceNumber()), read);
      }
    }
  }

  private static String position(String shardId, String sequenceNumber, long subSequenceNumber) {
    return shardId + '|' + sequenceNumber + '|' + subSequenceNumber;
  }

  /** The user record the KCL hands over at this position, or null when it skips it. */
  @Nullable Read find(String shardId, String sequenceNumber, long subSequenceNumber) {
    return byPosition.get(position(shardId, sequenceNumber, subSequenceNumber));
  }

  /** Every user record the KCL hands over, in shard then stream order. */
  List<Read> reads() {
    return reads;
  }

  /** Kinesis records read (aggregates and plain records). */
  int kinesisRecords() {
    return kinesisRecords;
  }

  /** Kinesis records (aggregates) of which the KCL hands over nothing: a user record outside the shard's range. */
  int skipped() {
    return skipped;
  }
}
