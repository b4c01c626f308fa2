package dev.kinesisresilient.lambda.internal;

import dev.kinesisresilient.core.aggregation.KplAggregation;
import dev.kinesisresilient.lambda.StreamRecord;
import java.nio.ByteBuffer;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
    // decodeAggregate, not decode: no AWS SDK class (SdkBytes) on a processor's path, so a function
    // needs no AWS SDK on its class path (docs/lambda.md, "Deployment size").
    List<StreamRecord> out = KplAggregation.decodeAggregate(record.dataBytes(), (key, ehk, bytes, sub) ->
        new StreamRecord(record.streamArn(), record.shardId(), record.sequenceNumber(), key,
            record.approximateArrivalTimestamp(), ByteBuffer.wrap(bytes).asReadOnlyBuffer(), record.attempt(), sub,
            true));
    if (out == null) {
      log.debug("[kinesis-lambda] stream={}, shard={}, sequenceNumber={}: starts with the KPL magic bytes but is "
          + "not a well-formed aggregate; passed to the handler unchanged", record.streamName(), record.shardId(),
          record.sequenceNumber());
      return List.of(record);
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
