package dev.kinesisresilient.lambda;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;

/**
 * One Kinesis record as the per-record {@link RecordHandler} sees it.
 *
 * <p>Immutable: {@link #data()} returns a fresh read-only view each time, so a handler can never
 * disturb the event or another attempt's view. Does not print partition key or data in {@link
 * #toString()}: they may be personal data.
 *
 * @param streamArn the stream's ARN (the event's {@code eventSourceARN})
 * @param shardId the shard (the part of the event's {@code eventID} before the colon)
 * @param sequenceNumber the record's sequence number, a decimal string (56 digits today; compare numerically, e.g. as BigInteger)
 * @param partitionKey the partition key the producer chose
 * @param approximateArrivalTimestamp when Kinesis stored the record (millisecond precision)
 * @param data the payload; the event's base64 already decoded
 * @param attempt which in-process attempt this is, starting at 1 (Lambda does not tell a function
 *     how often it delivered a batch before, so redeliveries start at 1 again)
 * @since 0.1.0
 */
public record StreamRecord(
    String streamArn,
    String shardId,
    String sequenceNumber,
    String partitionKey,
    Instant approximateArrivalTimestamp,
    ByteBuffer data,
    int attempt) {

  /**
   * Checks the fields and keeps a private read-only copy of the data.
   *
   * @throws NullPointerException when a field is null
   * @throws IllegalArgumentException when {@code attempt < 1}
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
    data = data.asReadOnlyBuffer();
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
    return streamNameOf(streamArn);
  }

  /**
   * The event id Lambda gives this record: {@code shardId:sequenceNumber}.
   *
   * @return the event id
   */
  public String eventId() {
    return shardId + ':' + sequenceNumber;
  }

  /**
   * This record as seen by a later in-process attempt.
   *
   * @param nextAttempt the attempt number, at least 1
   * @return a copy with another attempt number
   */
  public StreamRecord withAttempt(int nextAttempt) {
    return new StreamRecord(streamArn, shardId, sequenceNumber, partitionKey, approximateArrivalTimestamp,
        data, nextAttempt);
  }

  static String streamNameOf(String arn) {
    int i = arn.indexOf(":stream/");
    return i < 0 ? arn : arn.substring(i + ":stream/".length());
  }

  /** Stream, shard, sequence number and attempt; never the key or data. */
  @Override
  public String toString() {
    return "StreamRecord[stream=" + streamName() + ", shard=" + shardId + ", sequenceNumber="
        + sequenceNumber + ", dataBytes=" + data.remaining() + ", attempt=" + attempt + "]";
  }
}
