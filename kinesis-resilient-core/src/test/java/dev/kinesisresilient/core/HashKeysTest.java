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
}
