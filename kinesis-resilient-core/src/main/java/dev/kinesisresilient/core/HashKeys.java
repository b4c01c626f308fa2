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
 * <p>Thread-safe. Its state changes no result: a per-thread MD5 instance, reset after every use, and a
 * bounded cache of recent partition keys' hash keys ({@value #CACHE_SLOTS} entries of keys up to
 * {@value #MAX_CACHED_KEY_CHARS} characters, at most about 0.6 MiB), so that a producer writing many
 * records under a few keys hashes each key about twice instead of once per record.
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

  /** Slots of the cache of recent partition keys; a power of two. */
  static final int CACHE_SLOTS = 2048;

  /** Keys longer than this are hashed every time: they bound the cache's memory (256 chars at most). */
  static final int MAX_CACHED_KEY_CHARS = 64;

  /**
   * A direct-mapped cache: slot {@code spread(key.hashCode())} holds the last key hashed there and its
   * hash key, replaced by the next key that maps to the slot. Reads and writes race on purpose, as in
   * {@code String.hashCode}: an entry is immutable with final fields, so a thread that sees it sees it
   * whole (JLS 17.5); a lost or stale write only costs a hash. Bounded: the array never grows, and
   * each entry holds a key of at most {@link #MAX_CACHED_KEY_CHARS} characters and its 128-bit value.
   */
  private static final CachedKey[] CACHE = new CachedKey[CACHE_SLOTS];

  /**
   * The {@code hashCode} of the key last hashed at each slot. A lookup reads the entry only when this
   * matches, and a key enters its slot only then, that is on its second hash in a row there. Keys that
   * never repeat (unique per record) cost an int read and write: no entry read, none allocated, and
   * no reference stored into this long-lived array (which G1 pays for in its write barrier and card
   * refinement). Races are benign as in {@link #CACHE}.
   */
  private static final int[] SEEN = new int[CACHE_SLOTS];

  /** One cache entry. Immutable. */
  private static final class CachedKey {
    final String key;
    final BigInteger hashKey;

    CachedKey(String key, BigInteger hashKey) {
      this.key = key;
      this.hashKey = hashKey;
    }
  }

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
    if (partitionKey.length() > MAX_CACHED_KEY_CHARS) {
      return digest(partitionKey);
    }
    int h = partitionKey.hashCode();
    int slot = (h ^ (h >>> 16)) & (CACHE_SLOTS - 1);
    if (SEEN[slot] != h) {
      // Not the key hashed here last: a miss decided from the int array alone, without reading an
      // entry (a pointer chase that cost unique keys ~50 ns).
      SEEN[slot] = h;
      return digest(partitionKey);
    }
    CachedKey cached = CACHE[slot];
    if (cached != null && cached.key.equals(partitionKey)) {
      return cached.hashKey;
    }
    BigInteger hashKey = digest(partitionKey);
    CACHE[slot] = new CachedKey(partitionKey, hashKey);
    return hashKey;
  }

  private static BigInteger digest(String partitionKey) {
    return new BigInteger(1, MD5.get().digest(partitionKey.getBytes(StandardCharsets.UTF_8)));
  }

  /** How many cache slots hold a key now (for tests): at most {@link #CACHE_SLOTS}. */
  static int cachedKeys() {
    int n = 0;
    for (CachedKey c : CACHE) {
      if (c != null) {
        n++;
      }
    }
    return n;
  }

  /** Whether the cache holds {@code partitionKey} now (for tests). */
  static boolean isCached(String partitionKey) {
    for (CachedKey c : CACHE) {
      if (c != null && c.key.equals(partitionKey)) {
        return true;
      }
    }
    return false;
  }
}
