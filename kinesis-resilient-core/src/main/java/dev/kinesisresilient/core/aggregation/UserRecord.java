package dev.kinesisresilient.core.aggregation;

import java.util.Objects;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.core.SdkBytes;

/**
 * One user record taken out of a Kinesis record: a sub-record of a KPL aggregate, or the Kinesis record
 * itself when it is not an aggregate.
 *
 * @param partitionKey the user record's partition key (for a non-aggregate, the Kinesis record's)
 * @param explicitHashKey the user record's explicit hash key, or null
 * @param data the user record's data
 * @param subSequenceNumber its index inside the aggregate, from 0; 0 for a non-aggregate
 * @param aggregated whether it came out of a KPL aggregate
 * @since 0.1.0
 */
public record UserRecord(
    String partitionKey,
    @Nullable String explicitHashKey,
    SdkBytes data,
    long subSequenceNumber,
    boolean aggregated) {

  /**
   * Checks the fields.
   *
   * @throws NullPointerException when a required field is null
   * @throws IllegalArgumentException when {@code subSequenceNumber} is negative
   */
  public UserRecord {
    Objects.requireNonNull(partitionKey, "partitionKey");
    Objects.requireNonNull(data, "data");
    if (subSequenceNumber < 0) {
      throw new IllegalArgumentException("subSequenceNumber must be >= 0, was " + subSequenceNumber);
    }
  }

  /** Never shows the key or the data. */
  @Override
  public String toString() {
    return "UserRecord[subSequenceNumber=" + subSequenceNumber + ", aggregated=" + aggregated
        + ", dataBytes=" + data.asByteArrayUnsafe().length + "]";
  }
}
