package dev.kinesisresilient.core;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The hash key Kinesis routes a record by: its explicit hash key when set, else the MD5 digest of its
 * partition key's UTF-8 bytes read as an unsigned 128-bit integer. The shard whose hash key range
 * ({@code StartingHashKey..EndingHashKey}, inclusive) holds that value stores the record, except on
 * streams with AUTO record distribution, where the service ignores both keys.
 *
 * <p>Stateless and thread-safe.
 *
 * <pre>{@code
 * BigInteger h = HashKeys.of(record);          // 0 .. 2^128-1
 * }</pre>
 *
 * @since 0.1.0
 */
public final class HashKeys {

  private HashKeys() {}

  /**
   * The hash key of a record.
   *
   * @param record the record
   * @return a value in 0..2^128-1
   * @throws NullPointerException when {@code record} is null
   */
  public static BigInteger of(KinesisRecord record) {
    Objects.requireNonNull(record, "record");
    return of(record.partitionKey(), record.explicitHashKey());
  }

  /**
   * The hash key of a partition key and optional explicit hash key.
   *
   * @param partitionKey the partition key
   * @param explicitHashKey a decimal 0..2^128-1, or null to hash the partition key
   * @return a value in 0..2^128-1
   * @throws NullPointerException when {@code partitionKey} is null
   * @throws NumberFormatException when {@code explicitHashKey} is not a decimal integer
   */
  public static BigInteger of(String partitionKey, @Nullable String explicitHashKey) {
    Objects.requireNonNull(partitionKey, "partitionKey");
    if (explicitHashKey != null) {
      return new BigInteger(explicitHashKey);
    }
    return md5(partitionKey);
  }

  /**
   * The MD5 digest of a partition key's UTF-8 bytes as an unsigned integer.
   *
   * @param partitionKey the partition key
   * @return a value in 0..2^128-1
   */
  public static BigInteger md5(String partitionKey) {
    try {
      MessageDigest md5 = MessageDigest.getInstance("MD5");
      return new BigInteger(1, md5.digest(partitionKey.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is required of every Java platform", e);
    }
  }
}
