package dev.kinesisresilient.core;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.core.SdkBytes;

/**
 * One record to write to a Kinesis data stream: partition key, data and an optional explicit hash key.
 *
 * <p>Validated when created against the rules that hold for every stream: a partition key of 1 to 256
 * characters counted as Java and the service's request validation count them (UTF-16 code units, so a
 * character outside the Basic Multilingual Plane such as an emoji counts twice) and well-formed UTF-16 (an unpaired surrogate would be silently replaced when
 * encoded); data at most {@link BatchLimits#LARGEST_MAX_RECORD_BYTES} bytes with its key; an explicit
 * hash key written as the service wants it, a decimal integer from 0 to 2^128-1 without sign or leading
 * zeros. The stream-specific per-record limit ({@link BatchLimits#maxRecordBytes()}, 1 MiB by default)
 * is checked where the limits are known: by the batch planner and writers.
 *
 * <p>Immutable and thread-safe; {@link SdkBytes} never exposes its buffer for writing, and the
 * {@code byte[]} factories copy their input.
 *
 * <pre>{@code
 * KinesisRecord r = KinesisRecord.of("order-42", "{\"id\":42}".getBytes(UTF_8));
 * }</pre>
 *
 * @param partitionKey the partition key; its MD5 chooses the shard unless an explicit hash key is set
 * @param data the payload
 * @param explicitHashKey the hash key that chooses the shard instead of the partition key's MD5, or null
 * @since 0.1.0
 */
public record KinesisRecord(String partitionKey, SdkBytes data, @Nullable String explicitHashKey) {

  /**
   * Validates every field.
   *
   * @throws InvalidRecordException naming the field, the value's size and the limit
   */
  public KinesisRecord {
    if (partitionKey == null) {
      throw new InvalidRecordException("partitionKey", "partitionKey must not be null");
    }
    if (data == null) {
      throw new InvalidRecordException("data", "data must not be null");
    }
    validatePartitionKey(partitionKey);
    if (explicitHashKey != null) {
      validateExplicitHashKey(explicitHashKey);
    }
    long size = (long) data.asByteArrayUnsafe().length + utf8Length(partitionKey);
    if (size > BatchLimits.LARGEST_MAX_RECORD_BYTES) {
      throw new RecordTooLargeException(size, BatchLimits.LARGEST_MAX_RECORD_BYTES);
    }
  }

  /**
   * A record routed by its partition key.
   *
   * @param partitionKey 1 to 256 UTF-16 characters
   * @param data the payload, copied
   * @return the record
   * @throws InvalidRecordException when a field breaks a rule
   */
  public static KinesisRecord of(String partitionKey, byte[] data) {
    return new KinesisRecord(partitionKey, copyOf(data), null);
  }

  /**
   * A record routed by an explicit hash key.
   *
   * @param partitionKey 1 to 256 UTF-16 characters (still stored and counted in the size)
   * @param data the payload, copied
   * @param explicitHashKey decimal 0..2^128-1, or null to route by the partition key
   * @return the record
   * @throws InvalidRecordException when a field breaks a rule
   */
  public static KinesisRecord of(String partitionKey, byte[] data, @Nullable String explicitHashKey) {
    return new KinesisRecord(partitionKey, copyOf(data), explicitHashKey);
  }

  /**
   * A record whose data are the remaining bytes of a buffer (copied; the buffer's position is kept).
   *
   * @param partitionKey 1 to 256 UTF-16 characters
   * @param data the payload
   * @return the record
   * @throws InvalidRecordException when a field breaks a rule
   */
  public static KinesisRecord of(String partitionKey, ByteBuffer data) {
    if (data == null) {
      throw new InvalidRecordException("data", "data must not be null");
    }
    return new KinesisRecord(partitionKey, SdkBytes.fromByteBuffer(data), null);
  }

  /**
   * The record's size as the service counts it against the per-record and per-request limits.
   *
   * @return data bytes plus the partition key's UTF-8 bytes
   */
  public long sizeBytes() {
    return (long) data.asByteArrayUnsafe().length + utf8Length(partitionKey);
  }

  /**
   * The number of data bytes.
   *
   * @return the data length in bytes
   */
  public int dataBytes() {
    return data.asByteArrayUnsafe().length;
  }

  /** Never shows the partition key or data, which may be personal data. */
  @Override
  public String toString() {
    return "KinesisRecord[partitionKeyChars=" + partitionKey.length()
        + ", dataBytes=" + dataBytes()
        + ", explicitHashKey=" + (explicitHashKey == null ? "none" : "set") + "]";
  }

  private static SdkBytes copyOf(byte[] data) {
    if (data == null) {
      throw new InvalidRecordException("data", "data must not be null");
    }
    return SdkBytes.fromByteArray(data);
  }

  private static void validatePartitionKey(String key) {
    int units = key.length();
    if (units == 0) {
      throw new InvalidRecordException(
          "partitionKey",
          "partitionKey length 0 characters is below the minimum of "
              + BatchLimits.MIN_PARTITION_KEY_CHARS + " character");
    }
    // Counted in UTF-16 code units, the stricter of the two readings of "256 characters": a key the
    // service would refuse fails a whole PutRecords request, so we never accept one it might refuse.
    if (units > BatchLimits.MAX_PARTITION_KEY_CHARS) {
      throw new InvalidRecordException(
          "partitionKey",
          "partitionKey length " + units + " characters (UTF-16 code units) exceeds the maximum of "
              + BatchLimits.MAX_PARTITION_KEY_CHARS + " characters");
    }
    for (int i = 0; i < units; i++) {
      char c = key.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < units && Character.isLowSurrogate(key.charAt(i + 1))) {
          i++;
          continue;
        }
        throw new InvalidRecordException(
            "partitionKey", "partitionKey has an unpaired surrogate at index " + i + " (not valid Unicode)");
      }
      if (Character.isLowSurrogate(c)) {
        throw new InvalidRecordException(
            "partitionKey", "partitionKey has an unpaired surrogate at index " + i + " (not valid Unicode)");
      }
    }
  }

  private static void validateExplicitHashKey(String key) {
    int n = key.length();
    if (n == 0) {
      throw new InvalidRecordException(
          "explicitHashKey", "explicitHashKey must be a decimal integer 0..2^128-1, was empty");
    }
    if (n > 39) {
      throw new InvalidRecordException(
          "explicitHashKey",
          "explicitHashKey length " + n + " characters exceeds 39 digits (maximum value 2^128-1 = "
              + BatchLimits.MAX_HASH_KEY + ")");
    }
    for (int i = 0; i < n; i++) {
      char c = key.charAt(i);
      if (c < '0' || c > '9') {
        throw new InvalidRecordException(
            "explicitHashKey",
            "explicitHashKey must contain only decimal digits 0-9, found a non-digit at index " + i);
      }
    }
    if (n > 1 && key.charAt(0) == '0') {
      throw new InvalidRecordException(
          "explicitHashKey", "explicitHashKey must not have leading zeros (the service rejects them)");
    }
    if (n == 39 && new BigInteger(key).compareTo(BatchLimits.MAX_HASH_KEY) > 0) {
      throw new InvalidRecordException(
          "explicitHashKey",
          "explicitHashKey value exceeds the maximum 2^128-1 = " + BatchLimits.MAX_HASH_KEY);
    }
  }

  /**
   * UTF-8 length of a well-formed string without encoding it.
   *
   * @param s the string
   * @return its UTF-8 byte count
   */
  static int utf8Length(String s) {
    int n = s.length();
    int bytes = n;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x80) {
        if (c < 0x800) {
          bytes += 1;
        } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
          bytes += 2; // 4 bytes for the pair, 2 units already counted
          i++;
        } else {
          bytes += 2;
        }
      }
    }
    return bytes;
  }
}
