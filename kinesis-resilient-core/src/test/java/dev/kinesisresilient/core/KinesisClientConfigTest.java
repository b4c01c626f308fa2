package dev.kinesisresilient.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

final class KinesisClientConfigTest {

  private static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY";
  private static final String ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE";

  private static KinesisClientConfig.Builder withRegion() {
    return KinesisClientConfig.builder().region(Region.EU_WEST_1);
  }

  @Test
  void build_onlyRegion_hasDocumentedDefaults() {
    KinesisClientConfig c = withRegion().build();

    assertThat(c.region()).isEqualTo(Region.EU_WEST_1);
    assertThat(c.endpointOverride()).isEmpty();
    assertThat(c.credentialsProvider()).isEmpty();
    assertThat(c.attemptTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.apiCallTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.connectionTimeout()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.connectionAcquisitionTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.readTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.writeTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.maxConcurrency()).isEqualTo(50);
    assertThat(c.protocol()).isEqualTo(HttpProtocol.HTTP1_1);
    assertThat(c.trustAllCertificates()).isFalse();
    assertThat(c.sdkMaxAttempts()).isEqualTo(1);
  }

  @Test
  void build_everyOptionSet_keepsEveryValue() {
    AwsCredentialsProvider creds = StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b"));
    KinesisClientConfig c = KinesisClientConfig.builder()
        .region(Region.US_WEST_2)
        .endpointOverride(URI.create("https://127.0.0.1:4567"))
        .credentialsProvider(creds)
        .attemptTimeout(Duration.ofMillis(700))
        .apiCallTimeout(Duration.ofMillis(900))
        .connectionTimeout(Duration.ofMillis(100))
        .connectionAcquisitionTimeout(Duration.ofMillis(200))
        .readTimeout(Duration.ofMillis(300))
        .writeTimeout(Duration.ofMillis(400))
        .maxConcurrency(7)
        .protocol(HttpProtocol.HTTP2)
        .trustAllCertificates(true)
        .build();

    assertThat(c.region()).isEqualTo(Region.US_WEST_2);
    assertThat(c.endpointOverride()).contains(URI.create("https://127.0.0.1:4567"));
    assertThat(c.credentialsProvider()).containsSame(creds);
    assertThat(c.attemptTimeout()).isEqualTo(Duration.ofMillis(700));
    assertThat(c.apiCallTimeout()).isEqualTo(Duration.ofMillis(900));
    assertThat(c.connectionTimeout()).isEqualTo(Duration.ofMillis(100));
    assertThat(c.connectionAcquisitionTimeout()).isEqualTo(Duration.ofMillis(200));
    assertThat(c.readTimeout()).isEqualTo(Duration.ofMillis(300));
    assertThat(c.writeTimeout()).isEqualTo(Duration.ofMillis(400));
    assertThat(c.maxConcurrency()).isEqualTo(7);
    assertThat(c.protocol()).isEqualTo(HttpProtocol.HTTP2);
    assertThat(c.trustAllCertificates()).isTrue();
  }

  @Test
  void build_noRegion_throwsNamingRegion() {
    assertThatThrownBy(() -> KinesisClientConfig.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("region is required");
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "attemptTimeout", "apiCallTimeout", "connectionTimeout", "connectionAcquisitionTimeout", "readTimeout",
    "writeTimeout"
  })
  void timeoutSetter_outOfRange_throwsNamingOptionValueAndRange(String option) {
    for (Duration bad : new Duration[] {
      Duration.ZERO, Duration.ofMillis(-1), Duration.ofNanos(999_999), Duration.ofMinutes(10).plusMillis(1)
    }) {
      assertThatThrownBy(() -> timeoutSetter(option).apply(withRegion()).apply(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith(option + " must be between 1 ms and 10 min")
          .hasMessageEndingWith("was " + bad);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "attemptTimeout", "apiCallTimeout", "connectionTimeout", "connectionAcquisitionTimeout", "readTimeout",
    "writeTimeout"
  })
  void timeoutSetter_bounds_areAccepted(String option) {
    timeoutSetter(option).apply(withRegion()).apply(Duration.ofMillis(1));
    timeoutSetter(option).apply(withRegion()).apply(Duration.ofMinutes(10));
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "attemptTimeout", "apiCallTimeout", "connectionTimeout", "connectionAcquisitionTimeout", "readTimeout",
    "writeTimeout"
  })
  void timeoutSetter_null_throwsNullPointerNamingOption(String option) {
    assertThatThrownBy(() -> timeoutSetter(option).apply(withRegion()).apply(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage(option);
  }

  @Test
  void maxConcurrency_outOfRange_throwsNamingOptionValueAndRange() {
    assertThatThrownBy(() -> withRegion().maxConcurrency(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxConcurrency must be in 1..10000, was 0");
    assertThatThrownBy(() -> withRegion().maxConcurrency(10_001))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxConcurrency must be in 1..10000, was 10001");
  }

  @Test
  void maxConcurrency_bounds_areAccepted() {
    assertThat(withRegion().maxConcurrency(1).build().maxConcurrency()).isEqualTo(1);
    assertThat(withRegion().maxConcurrency(10_000).build().maxConcurrency()).isEqualTo(10_000);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ftp://localhost:21", "localhost:4567", "/relative/path", "http:opaque"})
  void endpointOverride_notAbsoluteHttp_throwsNamingOptionAndValue(String uri) {
    assertThatThrownBy(() -> withRegion().endpointOverride(URI.create(uri)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("endpointOverride must");
  }

  @Test
  void endpointOverride_hostWithUnderscore_throwsExplainingHost() {
    assertThatThrownBy(() -> withRegion().endpointOverride(URI.create("http://kinesis_mock:4567")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("endpointOverride must have a host (underscores are not allowed in host names), was "
            + "http://kinesis_mock:4567");
  }

  @Test
  void endpointOverride_userInfo_throwsWithoutEchoingIt() {
    assertThatThrownBy(() -> withRegion().endpointOverride(URI.create("https://user:pa55@localhost:4567")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("endpointOverride must not contain user info")
        .hasMessageNotContaining("pa55");
  }

  @Test
  void endpointOverride_query_throws() {
    assertThatThrownBy(() -> withRegion().endpointOverride(URI.create("https://localhost:4567/?a=b")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("endpointOverride must not have a query or fragment");
  }

  @Test
  void nullArguments_throwNullPointerNamingOption() {
    assertThatThrownBy(() -> withRegion().endpointOverride(null)).hasMessage("endpointOverride");
    assertThatThrownBy(() -> KinesisClientConfig.builder().region(null)).hasMessage("region");
    assertThatThrownBy(() -> withRegion().credentialsProvider(null)).hasMessage("credentialsProvider");
    assertThatThrownBy(() -> withRegion().protocol(null)).hasMessage("protocol");
  }

  @Test
  void setter_calledTwice_throwsIllegalState() {
    assertThatThrownBy(() -> withRegion().region(Region.US_EAST_1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("region was already set on this builder");
    assertThatThrownBy(
            () -> withRegion().readTimeout(Duration.ofSeconds(1)).readTimeout(Duration.ofSeconds(3)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("readTimeout was already set on this builder (to PT1S); set each option once, or derive"
            + " a copy with toBuilder()");
    assertThatThrownBy(() -> withRegion().trustAllCertificates(false).trustAllCertificates(true))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void setter_calledTwiceWithProvider_namesProviderOnlyByClass() {
    AwsCredentialsProvider creds =
        StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET));

    assertThatThrownBy(() -> withRegion().credentialsProvider(creds).credentialsProvider(creds))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("StaticCredentialsProvider")
        .hasMessageNotContaining(SECRET)
        .hasMessageNotContaining(ACCESS_KEY);
  }

  @Test
  void toBuilder_changeOneOption_keepsOthersAndAllowsResetting() {
    KinesisClientConfig base = withRegion().readTimeout(Duration.ofMillis(1500)).build();

    KinesisClientConfig changed = base.toBuilder().readTimeout(Duration.ofMillis(800)).build();

    assertThat(changed.readTimeout()).isEqualTo(Duration.ofMillis(800));
    assertThat(changed.region()).isEqualTo(Region.EU_WEST_1);
    assertThat(changed.toBuilder().build()).isEqualTo(changed).hasSameHashCodeAs(changed);
    assertThat(changed).isNotEqualTo(base);
  }

  @Test
  void build_attemptTimeoutAboveApiCallTimeout_throwsNamingBoth() {
    assertThatThrownBy(() -> withRegion().attemptTimeout(Duration.ofSeconds(6)).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("attemptTimeout (PT6S) must not exceed apiCallTimeout (PT5S); raise apiCallTimeout or"
            + " lower attemptTimeout");
  }

  @Test
  void build_attemptTimeoutEqualToApiCallTimeout_isAccepted() {
    KinesisClientConfig c =
        withRegion().attemptTimeout(Duration.ofSeconds(3)).apiCallTimeout(Duration.ofSeconds(3)).build();

    assertThat(c.attemptTimeout()).isEqualTo(c.apiCallTimeout());
  }

  @Test
  void build_trustAllWithoutEndpoint_throwsNamingBoth() {
    assertThatThrownBy(() -> withRegion().trustAllCertificates(true).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("trustAllCertificates=true")
        .hasMessageContaining("endpointOverride is not set");
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "https://kinesis.eu-west-1.amazonaws.com", "https://10.0.0.5:4567", "https://localhost.example.com",
    "https://kinesis-mock:4567", "https://128.0.0.1", "https://[::2]:4567"
  })
  void build_trustAllForNonLoopbackHost_throwsNamingBoth(String endpoint) {
    assertThatThrownBy(() -> withRegion()
            .endpointOverride(URI.create(endpoint))
            .trustAllCertificates(true)
            .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("trustAllCertificates=true is only allowed when endpointOverride's host is"
            + " localhost or a loopback address");
  }

  @Test
  void build_trustAllForPlainHttp_throwsAsPointless() {
    assertThatThrownBy(() -> withRegion()
            .endpointOverride(URI.create("http://localhost:4567"))
            .trustAllCertificates(true)
            .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("trustAllCertificates=true has no effect with endpointOverride");
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "https://localhost:4567", "https://LOCALHOST", "https://127.0.0.1:4567", "https://127.1.2.3",
    "https://[::1]:4567"
  })
  void build_trustAllForLoopbackHttps_isAccepted(String endpoint) {
    KinesisClientConfig c =
        withRegion().endpointOverride(URI.create(endpoint)).trustAllCertificates(true).build();

    assertThat(c.trustAllCertificates()).isTrue();
  }

  @Test
  void build_http2WithPlainHttpEndpoint_throwsNamingBoth() {
    assertThatThrownBy(() -> withRegion()
            .endpointOverride(URI.create("http://localhost:4567"))
            .protocol(HttpProtocol.HTTP2)
            .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("protocol=HTTP2 is negotiated with ALPN over TLS and needs an https endpointOverride, was"
            + " http://localhost:4567");
  }

  @Test
  void build_http2WithRegionEndpoint_isAccepted() {
    assertThat(withRegion().protocol(HttpProtocol.HTTP2).build().protocol()).isEqualTo(HttpProtocol.HTTP2);
  }

  @Test
  void forLocalEndpoint_https_usesFakeCredentialsUsEast1AndTrustAll() {
    KinesisClientConfig c = KinesisClientConfig.forLocalEndpoint(URI.create("https://localhost:4567"));

    assertThat(c.region()).isEqualTo(Region.US_EAST_1);
    assertThat(c.endpointOverride()).contains(URI.create("https://localhost:4567"));
    assertThat(c.trustAllCertificates()).isTrue();
    assertThat(c.credentialsProvider()).hasValueSatisfying(p -> {
      assertThat(p.resolveCredentials().accessKeyId())
          .isEqualTo("local-access-key")
          .doesNotContainPattern("^[0-9]+$");
      assertThat(p.resolveCredentials().secretAccessKey()).isEqualTo("local-secret");
    });
  }

  @Test
  void forLocalEndpoint_http_doesNotTrustAll() {
    KinesisClientConfig c = KinesisClientConfig.forLocalEndpoint(URI.create("http://127.0.0.1:4566"));

    assertThat(c.trustAllCertificates()).isFalse();
    assertThat(c.endpointOverride()).contains(URI.create("http://127.0.0.1:4566"));
  }

  @Test
  void forLocalEndpoint_nonLoopbackHost_throws() {
    assertThatThrownBy(() -> KinesisClientConfig.forLocalEndpoint(URI.create("https://kinesis-mock:4567")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("forLocalEndpoint needs a loopback host")
        .hasMessageContaining("kinesis-mock");
  }

  @Test
  void forLocalEndpoint_toBuilder_allowsChangingTimeouts() {
    KinesisClientConfig c = KinesisClientConfig.forLocalEndpoint(URI.create("https://localhost:4567"))
        .toBuilder()
        .attemptTimeout(Duration.ofSeconds(4))
        .build();

    assertThat(c.attemptTimeout()).isEqualTo(Duration.ofSeconds(4));
    assertThat(c.trustAllCertificates()).isTrue();
  }

  @Test
  void toString_everyOptionSet_listsEveryOptionAndNeverTheSecret() {
    KinesisClientConfig c = KinesisClientConfig.builder()
        .region(Region.US_EAST_1)
        .endpointOverride(URI.create("https://localhost:4567"))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET)))
        .attemptTimeout(Duration.ofMillis(700))
        .apiCallTimeout(Duration.ofMillis(900))
        .connectionTimeout(Duration.ofMillis(100))
        .connectionAcquisitionTimeout(Duration.ofMillis(200))
        .readTimeout(Duration.ofMillis(300))
        .writeTimeout(Duration.ofMillis(400))
        .maxConcurrency(7)
        .protocol(HttpProtocol.HTTP2)
        .trustAllCertificates(true)
        .build();

    assertThat(c.toString())
        .isEqualTo("KinesisClientConfig{region=us-east-1, endpointOverride=https://localhost:4567,"
            + " credentialsProvider=StaticCredentialsProvider, protocol=HTTP2, maxConcurrency=7,"
            + " attemptTimeout=PT0.7S, apiCallTimeout=PT0.9S, connectionTimeout=PT0.1S,"
            + " connectionAcquisitionTimeout=PT0.2S, readTimeout=PT0.3S, writeTimeout=PT0.4S,"
            + " trustAllCertificates=true, sdkMaxAttempts=1}")
        .doesNotContain(SECRET)
        .doesNotContain(ACCESS_KEY);
  }

  @Test
  void toString_defaults_namesSdkDefaultChain() {
    assertThat(withRegion().build().toString())
        .contains("region=eu-west-1", "endpointOverride=none",
            "credentialsProvider=DefaultCredentialsProvider (SDK default chain, created by the client)",
            "protocol=HTTP1_1", "maxConcurrency=50", "attemptTimeout=PT2S", "apiCallTimeout=PT5S",
            "connectionTimeout=PT1S", "connectionAcquisitionTimeout=PT2S", "readTimeout=PT2S",
            "writeTimeout=PT2S", "trustAllCertificates=false", "sdkMaxAttempts=1");
  }

  @Test
  void toString_anonymousProvider_usesClassNameWithoutCallingProviderToString() {
    AwsCredentialsProvider anonymous = new AwsCredentialsProvider() {
      @Override
      public software.amazon.awssdk.auth.credentials.AwsCredentials resolveCredentials() {
        return AwsBasicCredentials.create(ACCESS_KEY, SECRET);
      }

      @Override
      public String toString() {
        return SECRET;
      }
    };

    String s = withRegion().credentialsProvider(anonymous).build().toString();

    assertThat(s).contains("credentialsProvider=" + anonymous.getClass().getName()).doesNotContain(SECRET);
  }

  @Test
  void isLoopbackHost_namesOtherThanLocalhost_areNeverResolved() {
    assertThat(ClientConfigChecks.isLoopbackHost("localhost")).isTrue();
    assertThat(ClientConfigChecks.isLoopbackHost("127.0.0.1")).isTrue();
    assertThat(ClientConfigChecks.isLoopbackHost("[::1]")).isTrue();
    assertThat(ClientConfigChecks.isLoopbackHost("ip6-localhost")).isFalse();
    assertThat(ClientConfigChecks.isLoopbackHost("999.0.0.1")).isFalse();
    assertThat(ClientConfigChecks.isLoopbackHost("[::zz]")).isFalse();
    assertThat(ClientConfigChecks.isLoopbackHost("[0:0:0:0:0:0:0:1]")).isTrue();
    assertThat(ClientConfigChecks.isLoopbackHost(null)).isFalse();
    assertThat(ClientConfigChecks.isLoopbackHost("")).isFalse();
  }

  private static Function<KinesisClientConfig.Builder, Function<Duration, KinesisClientConfig.Builder>>
      timeoutSetter(String option) {
    switch (option) {
      case "attemptTimeout":
        return b -> b::attemptTimeout;
      case "apiCallTimeout":
        return b -> b::apiCallTimeout;
      case "connectionTimeout":
        return b -> b::connectionTimeout;
      case "connectionAcquisitionTimeout":
        return b -> b::connectionAcquisitionTimeout;
      case "readTimeout":
        return b -> b::readTimeout;
      case "writeTimeout":
        return b -> b::writeTimeout;
      default:
        throw new IllegalArgumentException(option);
    }
  }
}
