package dev.kinesisresilient.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisServiceClientConfiguration;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/** Builds real clients without sending requests; request behaviour is covered by KinesisClientFactoryIT. */
final class KinesisClientFactoryTest {

  private static final ParallelCloser CLIENTS = new ParallelCloser();

  @AfterAll
  static void closeClients() throws InterruptedException {
    CLIENTS.closeAll();
  }

  @Test
  void create_config_appliesTimeoutsRegionEndpointAndSingleSdkAttempt() {
    KinesisClientConfig config = KinesisClientConfig.builder()
        .region(Region.EU_CENTRAL_1)
        .endpointOverride(URI.create("http://127.0.0.1:4566"))
        .attemptTimeout(Duration.ofMillis(1500))
        .apiCallTimeout(Duration.ofMillis(4000))
        .build();

    KinesisAsyncClient client = CLIENTS.track(KinesisClientFactory.create(config));
    KinesisServiceClientConfiguration applied = client.serviceClientConfiguration();
    ClientOverrideConfiguration override = applied.overrideConfiguration();

    assertThat(applied.region()).isEqualTo(Region.EU_CENTRAL_1);
    assertThat(applied.endpointOverride()).contains(URI.create("http://127.0.0.1:4566"));
    assertThat(override.apiCallAttemptTimeout()).contains(Duration.ofMillis(1500));
    assertThat(override.apiCallTimeout()).contains(Duration.ofMillis(4000));
    assertThat(override.retryStrategy()).hasValueSatisfying(s -> assertThat(s.maxAttempts()).isEqualTo(1));
  }

  @Test
  void create_http2WithAlpn_buildsClient() {
    KinesisClientConfig config = KinesisClientConfig.builder()
        .region(Region.US_EAST_1)
        .endpointOverride(URI.create("https://localhost:4567"))
        .protocol(HttpProtocol.HTTP2)
        .trustAllCertificates(true)
        .build();

    KinesisAsyncClient client = CLIENTS.track(KinesisClientFactory.create(config));

    assertThat(client.serviceClientConfiguration().region()).isEqualTo(Region.US_EAST_1);
  }

  @Test
  void create_regionEndpointWithDefaults_buildsClient() {
    KinesisAsyncClient client = CLIENTS.track(
        KinesisClientFactory.create(KinesisClientConfig.builder().region(Region.AP_SOUTHEAST_2).build()));

    assertThat(client.serviceClientConfiguration().endpointOverride()).isEmpty();
  }

  @Test
  void create_nullConfig_throwsNamingIt() {
    assertThatThrownBy(() -> KinesisClientFactory.create(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("config");
  }

  @Test
  void httpClientBuilder_withoutTrustAll_isThePlainNettyBuilder() {
    KinesisClientConfig config = KinesisClientConfig.builder().region(Region.US_EAST_1).build();

    assertThat(KinesisClientFactory.httpClientBuilder(config))
        .isInstanceOf(NettyNioAsyncHttpClient.Builder.class);
  }

  @Test
  void httpClientBuilder_withTrustAll_wrapsNettyBuilder() {
    KinesisClientConfig config = KinesisClientConfig.forLocalEndpoint(URI.create("https://localhost:4567"));

    assertThat(KinesisClientFactory.httpClientBuilder(config))
        .isNotInstanceOf(NettyNioAsyncHttpClient.Builder.class);
  }

  @Test
  void close_clientWithCallersProvider_leavesProviderOpen() {
    ClosableProvider provider = new ClosableProvider();
    KinesisClientConfig config = KinesisClientConfig.builder()
        .region(Region.US_EAST_1)
        .credentialsProvider(provider)
        .build();

    KinesisClientFactory.create(config).close();

    assertThat(provider.closed).hasValue(0);
  }

  private static final class ClosableProvider implements AwsCredentialsProvider, SdkAutoCloseable {
    final AtomicInteger closed = new AtomicInteger();

    @Override
    public AwsCredentials resolveCredentials() {
      return AwsBasicCredentials.create("test-access-key", "test-secret");
    }

    @Override
    public void close() {
      closed.incrementAndGet();
    }
  }
}
