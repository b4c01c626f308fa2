package dev.kinesisresilient.core.testing;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.core.SdkBytes;

/**
 * A record that {@link FakeKinesisAsyncClient} accepted and stored, for assertions in tests.
 *
 * <p>Immutable and thread-safe.
 *
 * @param shardId the shard the record was routed to, for example {@code shardId-000000000001}
 * @param sequenceNumber the sequence number the fake assigned, a decimal string
 * @param partitionKey the entry's partition key
 * @param explicitHashKey the entry's explicit hash key, or null when it had none
 * @param data the entry's data
 * @param approximateArrivalTimestamp the fake's clock time when the record was stored
 * @since 0.1.0
 */
public record StoredRecord(
    String shardId,
    String sequenceNumber,
    String partitionKey,
    @Nullable String explicitHashKey,
    SdkBytes data,
    Instant approximateArrivalTimestamp) {

  /**
   * Checks that every field except {@code explicitHashKey} is present.
   *
   * @throws NullPointerException when a required field is null
   */
  public StoredRecord {
    Objects.requireNonNull(shardId, "shardId");
    Objects.requireNonNull(sequenceNumber, "sequenceNumber");
    Objects.requireNonNull(partitionKey, "partitionKey");
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(approximateArrivalTimestamp, "approximateArrivalTimestamp");
  }

  /**
   * The data as a UTF-8 string, handy for assertions on text payloads.
   *
   * @return the data decoded as UTF-8
   */
  public String dataAsUtf8() {
    return data.asUtf8String();
  }

  /**
   * The record's size as the service counts it against shard and request limits.
   *
   * @return data bytes plus the partition key's UTF-8 bytes
   */
  public long sizeBytes() {
    return (long) data.asByteArrayUnsafe().length
        + partitionKey.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
  }
}
