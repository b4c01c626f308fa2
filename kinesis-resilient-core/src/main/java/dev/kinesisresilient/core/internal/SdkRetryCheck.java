package dev.kinesisresilient.core.internal;

import java.util.OptionalInt;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/** Reads how many attempts the SDK itself makes per call, to warn when its retries stack on ours. */
final class SdkRetryCheck {

  private SdkRetryCheck() {}

  /**
   * The SDK's attempts per call of a client, when it can be read.
   *
   * @param client the client
   * @return the SDK's max attempts, the first included; empty for clients that do not expose their
   *     configuration (fakes, decorators)
   */
  static OptionalInt sdkMaxAttempts(KinesisAsyncClient client) {
    try {
      return client.serviceClientConfiguration().overrideConfiguration().retryStrategy()
          .map(s -> OptionalInt.of(s.maxAttempts()))
          .orElse(OptionalInt.empty());
    } catch (RuntimeException e) {
      return OptionalInt.empty();
    }
  }
}
