package dev.kinesisresilient.core;

import java.time.Duration;
import software.amazon.awssdk.regions.Region;

/**
 * The defaults of {@link KinesisClientConfig}'s options (why each: docs/configuration.md) and the fixed
 * settings of {@link KinesisClientConfig#forLocalEndpoint(java.net.URI)}.
 */
final class ClientConfigDefaults {

  static final Duration DEFAULT_ATTEMPT_TIMEOUT = Duration.ofSeconds(2);
  static final Duration DEFAULT_API_CALL_TIMEOUT = Duration.ofSeconds(5);
  static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(1);
  static final Duration DEFAULT_CONNECTION_ACQUISITION_TIMEOUT = Duration.ofSeconds(2);
  static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(2);
  static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(2);
  static final int DEFAULT_MAX_CONCURRENCY = 50;
  static final HttpProtocol DEFAULT_PROTOCOL = HttpProtocol.HTTP1_1;

  /** Region used by {@code forLocalEndpoint}; local emulators accept any region. */
  static final Region LOCAL_REGION = Region.US_EAST_1;

  /** Access key for {@code forLocalEndpoint}; not numeric, so no emulator takes it for an account id. */
  static final String LOCAL_ACCESS_KEY_ID = "local-access-key";

  /** Secret used by {@code forLocalEndpoint}. */
  static final String LOCAL_SECRET_ACCESS_KEY = "local-secret";

  private ClientConfigDefaults() {}
}
