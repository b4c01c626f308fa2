package dev.kinesisresilient.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

final class HashKeysTest {

  @Test
  void of_partitionKey_isUnsignedMd5OfUtf8() {
    // MD5("a") = 0cc175b9c0f1b6a831c399e269772661
    assertThat(HashKeys.of(KinesisRecord.of("a", new byte[0])))
        .isEqualTo(new BigInteger("0cc175b9c0f1b6a831c399e269772661", 16));
  }

  @Test
  void of_highBitDigest_isNonNegative() {
    // MD5("1") = c4ca4238a0b923820dcc509a6f75849b: top bit set, must not read as negative
    BigInteger h = HashKeys.md5("1");
    assertThat(h.signum()).isPositive();
    assertThat(h).isEqualTo(new BigInteger("c4ca4238a0b923820dcc509a6f75849b", 16));
    assertThat(h.bitLength()).isEqualTo(128);
  }

  @Test
  void of_explicitHashKey_overridesPartitionKey() {
    assertThat(HashKeys.of(KinesisRecord.of("a", new byte[0], "42"))).isEqualTo(BigInteger.valueOf(42));
    assertThat(HashKeys.of("a", BatchLimits.MAX_HASH_KEY.toString())).isEqualTo(BatchLimits.MAX_HASH_KEY);
  }

  @Test
  void of_nonAsciiKey_hashesUtf8Bytes() {
    // the digest of the two UTF-8 bytes c3 a9, not of the ISO-8859-1 byte e9
    assertThat(HashKeys.md5("\u00e9")).isEqualTo(new BigInteger("66ddcd97cfdeabb2f6fb8a999b4bc76f", 16));
  }

  @Test
  void of_null_throws() {
    assertThatThrownBy(() -> HashKeys.of(null)).isInstanceOf(NullPointerException.class);
  }

  // ---- issue 14: the cache of recent partition keys ----

  private static BigInteger reference(String partitionKey) throws Exception {
    byte[] d = java.security.MessageDigest.getInstance("MD5")
        .digest(partitionKey.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return new BigInteger(1, d);
  }

  @Test
  void md5_repeatedKey_servedFromTheCache() {
    String key = "repeated-key-" + System.identityHashCode(this);
    BigInteger first = HashKeys.md5(key);
    assertThat(HashKeys.isCached(key)).as("admitted on its second hash only").isFalse();
    assertThat(HashKeys.md5(key)).isEqualTo(first);
    assertThat(HashKeys.isCached(key)).isTrue();
    first = HashKeys.md5(key);
    assertThat(HashKeys.md5(new String(key.toCharArray()))).as("an equal key, another instance").isSameAs(first);
  }

  @Test
  void md5_cached_equalsTheDigest_onSeededKeys() throws Exception {
    java.util.SplittableRandom random = new java.util.SplittableRandom(14);
    String[] pool = new String[300];
    for (int i = 0; i < pool.length; i++) {
      int length = 1 + random.nextInt(i % 10 == 0 ? 256 : 20);
      StringBuilder b = new StringBuilder();
      while (b.length() < length) {
        int kind = random.nextInt(4);
        b.appendCodePoint(kind == 0 ? 'a' + random.nextInt(26) : kind == 1 ? 0xe9 : kind == 2 ? 0x4e2d : 0x1f600);
      }
      pool[i] = b.toString();
    }
    for (int n = 0; n < 20_000; n++) {
      String key = pool[random.nextInt(pool.length)];
      assertThat(HashKeys.md5(key)).as(key).isEqualTo(reference(key));
    }
  }

  @Test
  void md5_cache_bounded_andLongKeysNotKept() {
    for (int i = 0; i < 3 * HashKeys.CACHE_SLOTS; i++) {
      HashKeys.md5("bound-" + i);
      HashKeys.md5("bound-" + i);
    }
    assertThat(HashKeys.cachedKeys()).isLessThanOrEqualTo(HashKeys.CACHE_SLOTS);
    String longKey = "x".repeat(HashKeys.MAX_CACHED_KEY_CHARS + 1);
    assertThat(HashKeys.md5(longKey)).isEqualTo(HashKeys.md5(longKey)).isEqualTo(HashKeys.md5(longKey));
    assertThat(HashKeys.isCached(longKey)).isFalse();
  }

  @Test
  void md5_manyThreads_sameResults() throws Exception {
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      java.util.List<java.util.concurrent.Future<Boolean>> results = new java.util.ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int offset = t;
        results.add(pool.submit(() -> {
          for (int i = 0; i < 20_000; i++) {
            String key = "shared-" + ((i * 7 + offset) % 5000);
            if (!HashKeys.md5(key).equals(reference(key))) {
              return false;
            }
          }
          return true;
        }));
      }
      for (java.util.concurrent.Future<Boolean> f : results) {
        assertThat(f.get()).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
