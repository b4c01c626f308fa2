package dev.kinesisresilient.lambda.internal;

import dev.kinesisresilient.core.aggregation.KplAggregation;
import dev.kinesisresilient.core.aggregation.UserRecord;
import dev.kinesisresilient.lambda.StreamRecord;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.SdkBytes;

/**
 * Opens KPL aggregates into their user records with core's {@link KplAggregation}. A record whose
 * data does not start with the KPL magic bytes is returned as is, without copying; one that starts
 * with them but is not a well-formed aggregate (MD5 mismatch, malformed message) is also returned
 * unchanged. Stateless and thread-safe.
 */
final class Deaggregator {

  private static final Logger log = LoggerFactory.getLogger("dev.kinesisresilient.lambda.KinesisBatchProcessor");
  private static final byte[] MAGIC = KplAggregation.magic();

  private Deaggregator() {}

  /**
   * The user records a Kinesis record carries.
   *
   * @param record the Kinesis record as converted from the event (sub-sequence number 0)
   * @return its sub-records in order (sharing its stream, shard, sequence number and arrival time;
   *     none for a well-formed aggregate without records), or the record itself when it is not an
   *     aggregate
   */
  static List<StreamRecord> open(StreamRecord record) {
    ByteBuffer data = record.data();
    if (!startsWithMagic(data)) {
      return List.of(record);
    }
    byte[] bytes = record.dataBytes();
    List<UserRecord> users = KplAggregation.decode(SdkBytes.fromByteArrayUnsafe(bytes), record.partitionKey(), null);
    if (users.size() == 1 && !users.get(0).aggregated()) {
      log.debug("[kinesis-lambda] stream={}, shard={}, sequenceNumber={}: starts with the KPL magic bytes but is "
          + "not a well-formed aggregate; passed to the handler unchanged", record.streamName(), record.shardId(),
          record.sequenceNumber());
      return List.of(record);
    }
    List<StreamRecord> out = new ArrayList<>(users.size());
    for (UserRecord u : users) {
      out.add(new StreamRecord(record.streamArn(), record.shardId(), record.sequenceNumber(), u.partitionKey(),
          record.approximateArrivalTimestamp(), u.data().asByteBuffer(), record.attempt(), u.subSequenceNumber(),
          true));
    }
    return out;
  }

  private static boolean startsWithMagic(ByteBuffer data) {
    if (data.remaining() < MAGIC.length + KplAggregation.DIGEST_BYTES) {
      return false;
    }
    int p = data.position();
    for (int i = 0; i < MAGIC.length; i++) {
      if (data.get(p + i) != MAGIC[i]) {
        return false;
      }
    }
    return true;
  }
}
