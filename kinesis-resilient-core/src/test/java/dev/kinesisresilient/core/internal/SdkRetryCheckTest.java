package dev.kinesisresilient.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kinesisresilient.core.KinesisClientConfig;
import dev.kinesisresilient.core.KinesisClientFactory;
import dev.kinesisresilient.core.testing.FakeKinesisAsyncClient;
import java.net.URI;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

final class SdkRetryCheckTest {

  @Test
  void sdkMaxAttempts_factoryClient_one() {
    try (KinesisAsyncClient c = KinesisClientFactory.create(
        KinesisClientConfig.forLocalEndpoint(URI.create("http://localhost:1")))) {
      assertThat(SdkRetryCheck.sdkMaxAttempts(c)).hasValue(1);
    }
  }

  @Test
  void sdkMaxAttempts_sdkDefaultClient_moreThanOne() {
    try (KinesisAsyncClient c = KinesisAsyncClient.builder().region(Region.US_EAST_1)
        .credentialsProvider(AnonymousCredentialsProvider.create()).build()) {
      assertThat(SdkRetryCheck.sdkMaxAttempts(c)).isPresent();
      assertThat(SdkRetryCheck.sdkMaxAttempts(c).getAsInt()).isGreaterThan(1);
    }
  }

  @Test
  void sdkMaxAttempts_fake_empty() {
    assertThat(SdkRetryCheck.sdkMaxAttempts(FakeKinesisAsyncClient.builder().build())).isEmpty();
  }
}
