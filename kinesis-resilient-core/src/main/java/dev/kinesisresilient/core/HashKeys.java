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
 * <p>Thread-safe; its only state is a per-thread MD5 instance, reset after every use.
 *
 * <pre>{@code
 * BigInteger h = HashKeys.of(record);          // 0 .. 2^128-1
 * }</pre>
 *
 * @since 0.1.0
 */
public final class HashKeys {

  /**
   * One MD5 instance per thread: {@code MessageDigest.getInstance} looks the algorithm up through the
   * security providers on every call, which costs more than hashing a short key. Each use runs
   * {@code digest(input)}, which resets the instance, so no state carries from one call to the next.
   */
  private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(HashKeys::newMd5);

  private HashKeys() {}

  private static MessageDigest newMd5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is required of every Java platform", e);
    }
  }

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
    return new BigInteger(1, MD5.get().digest(partitionKey.getBytes(StandardCharsets.UTF_8)));
  }
}
