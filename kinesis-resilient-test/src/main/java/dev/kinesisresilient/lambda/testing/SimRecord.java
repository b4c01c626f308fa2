package dev.kinesisresilient.lambda.testing;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A record as the {@link EsmSimulator} holds it between reading and delivery, and the event a batch of
 * them becomes.
 *
 * @param seq the sequence number as a number, for the partial-response rules
 * @param arrival the approximate arrival time, in milliseconds as the event carries it
 * @param jsonBytes the record's size in the event's JSON, for the 6 MB payload cap
 */
record SimRecord(String shardId, String sequenceNumber, BigInteger seq, String partitionKey,
    byte[] data, Instant arrival, long jsonBytes) {

  /** The Kinesis event that delivers {@code batch}, in order. */
  static KinesisEvent event(List<SimRecord> batch, String streamArn, String region) {
    List<KinesisEvent.KinesisEventRecord> recs = new ArrayList<>(batch.size());
    for (SimRecord r : batch) {
      recs.add(KinesisEvents.record(streamArn, region, r.shardId(), r.sequenceNumber(), r.partitionKey(),
          r.data(), r.arrival()));
    }
    KinesisEvent e = new KinesisEvent();
    e.setRecords(recs);
    return e;
  }

  static List<String> seqsOf(List<SimRecord> records) {
    return records.stream().map(SimRecord::sequenceNumber).toList();
  }
}
