package dev.kinesisresilient.lambda;

import dev.kinesisresilient.core.internal.putrecords.StreamRef;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;

/**
 * One user record as the per-record {@link RecordHandler} sees it: a Kinesis record, or one
 * sub-record of a KPL aggregate that the processor opened (see {@link
 * KinesisBatchProcessor.Builder#deaggregate(boolean)}).
 *
 * <p>A sub-record has its own partition key and data, and shares the stream, shard, sequence number,
 * arrival time and attempt of the Kinesis record that carried it; {@link #subSequenceNumber()} tells
 * the sub-records of one aggregate apart, and {@link #idempotencyKey()} combines both. A record that
 * is not an aggregate has sub-sequence number 0 and {@link #aggregated()} false.
 *
 * <p>Immutable: {@link #data()} returns a fresh read-only view each time, so a handler can never
 * disturb the event or another attempt's view. Does not print partition key or data in {@link
 * #toString()}: they may be personal data.
 *
 * @param streamArn the stream's ARN (the event's {@code eventSourceARN})
 * @param shardId the shard (the part of the event's {@code eventID} before the colon)
 * @param sequenceNumber the Kinesis record's sequence number, a decimal string (56 digits today;
 *     compare numerically, e.g. as BigInteger); for a sub-record, the sequence number of the aggregate
 *     that carried it (the only identifier Lambda accepts in a partial batch response)
 * @param partitionKey the partition key the producer chose (for a sub-record, its own key, which
 *     may differ from the aggregate's)
 * @param approximateArrivalTimestamp when Kinesis stored the record (millisecond precision)
 * @param data the payload; the event's base64 already decoded
 * @param attempt which in-process attempt this is, starting at 1 (Lambda does not tell a function
 *     how often it delivered a batch before, so redeliveries start at 1 again)
 * @param subSequenceNumber the index of this user record inside its KPL aggregate, from 0; 0 for a
 *     record that is not an aggregate
 * @param aggregated whether this user record came out of a KPL aggregate
 * @since 0.1.0
 */
public record StreamRecord(
    String streamArn,
    String shardId,
    String sequenceNumber,
    String partitionKey,
    Instant approximateArrivalTimestamp,
    ByteBuffer data,
    int attempt,
    long subSequenceNumber,
    boolean aggregated) {

  /**
   * Checks the fields and keeps a private read-only copy of the data.
   *
   * @throws NullPointerException when a field is null
   * @throws IllegalArgumentException when {@code attempt < 1} or {@code subSequenceNumber < 0}
   */
  public StreamRecord {
    Objects.requireNonNull(streamArn, "streamArn");
    Objects.requireNonNull(shardId, "shardId");
    Objects.requireNonNull(sequenceNumber, "sequenceNumber");
    Objects.requireNonNull(partitionKey, "partitionKey");
    Objects.requireNonNull(approximateArrivalTimestamp, "approximateArrivalTimestamp");
    Objects.requireNonNull(data, "data");
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt must be at least 1, was " + attempt);
    }
    if (subSequenceNumber < 0) {
      throw new IllegalArgumentException("subSequenceNumber must be at least 0, was " + subSequenceNumber);
    }
    data = data.asReadOnlyBuffer();
  }

  /**
   * A record that is not a sub-record of an aggregate (sub-sequence number 0).
   *
   * @param streamArn the stream's ARN
   * @param shardId the shard
   * @param sequenceNumber the sequence number
   * @param partitionKey the partition key
   * @param approximateArrivalTimestamp when Kinesis stored the record
   * @param data the payload
   * @param attempt the in-process attempt, from 1
   * @throws NullPointerException when a field is null
   * @throws IllegalArgumentException when {@code attempt < 1}
   */
  public StreamRecord(String streamArn, String shardId, String sequenceNumber, String partitionKey,
      Instant approximateArrivalTimestamp, ByteBuffer data, int attempt) {
    this(streamArn, shardId, sequenceNumber, partitionKey, approximateArrivalTimestamp, data, attempt, 0, false);
  }

  /**
   * The payload as a read-only buffer positioned at its start.
   *
   * @return a new read-only view of the data
   */
  @Override
  public ByteBuffer data() {
    return data.duplicate();
  }

  /**
   * A copy of the payload.
   *
   * @return the data bytes
   */
  public byte[] dataBytes() {
    ByteBuffer b = data.duplicate();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  /**
   * The payload decoded as UTF-8 (malformed input replaced).
   *
   * @return the data as text
   */
  public String dataAsString() {
    return StandardCharsets.UTF_8.decode(data.duplicate()).toString();
  }

  /**
   * The stream's name, from the ARN.
   *
   * @return the part after {@code :stream/}, or the whole ARN if it has no such part
   */
  public String streamName() {
    return StreamRef.nameInArn(streamArn);
  }

  /**
   * The event id Lambda gives the Kinesis record: {@code shardId:sequenceNumber}. All sub-records of
   * one aggregate share it; use {@link #idempotencyKey()} to tell them apart.
   *
   * @return the event id
   */
  public String eventId() {
    return shardId + ':' + sequenceNumber;
  }

  /**
   * A key that identifies this user record in its stream across redeliveries: {@code
   * sequenceNumber:subSequenceNumber}, for example {@code 4965...2370:3}; {@code ...:0} for a
   * record that is not an aggregate. Lambda redelivers a whole aggregate when any of its
   * sub-records is reported, so sub-records that already succeeded come again: record this key with
   * the side effect (a conditional write, a processed-keys table) and skip keys already seen. Add the
   * stream name when one store serves several streams.
   *
   * @return the idempotency key
   */
  public String idempotencyKey() {
    return sequenceNumber + ':' + subSequenceNumber;
  }

  /**
   * This record as seen by a later in-process attempt.
   *
   * @param nextAttempt the attempt number, at least 1
   * @return a copy with another attempt number
   */
  public StreamRecord withAttempt(int nextAttempt) {
    return new StreamRecord(streamArn, shardId, sequenceNumber, partitionKey, approximateArrivalTimestamp,
        data, nextAttempt, subSequenceNumber, aggregated);
  }

  /** Stream, shard, sequence number, sub-sequence number and attempt; never the key or data. */
  @Override
  public String toString() {
    return "StreamRecord[stream=" + streamName() + ", shard=" + shardId + ", sequenceNumber="
        + sequenceNumber + (aggregated ? ", subSequenceNumber=" + subSequenceNumber : "")
        + ", dataBytes=" + data.remaining() + ", attempt=" + attempt + "]";
  }
}
