package dev.kinesisresilient.core;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.ProtocolNegotiation;
import software.amazon.awssdk.http.SdkHttpConfigurationOption;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.identity.spi.ResolveIdentityRequest;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClientBuilder;
import software.amazon.awssdk.utils.AttributeMap;

/**
 * Builds a {@link KinesisAsyncClient} from a {@link KinesisClientConfig}: a Netty HTTP client with every
 * timeout, the pool size, the protocol and the TLS trust taken from the config, an API call timeout and
 * an attempt timeout, and the SDK's retries turned off.
 *
 * <p><b>Why no SDK retries.</b> Left on, the SDK retries whole PutRecords requests on throttling, 5xx and
 * I/O errors (up to 4 attempts in SDK 2.57, 3 from 2.58), each with its own backoff. This library
 * already retries the entries that failed, so every one of its attempts would become up to four HTTP
 * requests, and the SDK's backoff would run outside the library's delivery deadline. With one SDK
 * attempt per call, the library sees every failure at once and alone decides whether and when to retry.
 * A partially failed PutRecords (HTTP 200 with failed entries) is never retried by the SDK either way.
 *
 * <p><b>Dependency.</b> {@code software.amazon.awssdk:netty-nio-client} is an optional dependency of
 * core (kinesis-resilient-producer brings it); without it {@link #create} throws an
 * {@link IllegalStateException} that says so. To use another HTTP client (in Lambda, for example
 * {@code aws-crt-client}), build the {@code KinesisAsyncClient} yourself.
 *
 * <p>Thread-safe: a stateless utility. The returned client is thread-safe as well.
 *
 * <p><b>Ownership.</b> The caller owns the returned client and must close it. Closing it also closes the
 * HTTP client (connection pool and event loop threads) built here, and the default credentials chain if
 * the config gave no provider. A credentials provider passed in the config is not closed, although the
 * SDK on its own would close it: whoever created it closes it.
 *
 * <pre>{@code
 * try (KinesisAsyncClient kinesis = KinesisClientFactory.create(
 *     KinesisClientConfig.builder().region(Region.EU_WEST_1).build())) {
 *   kinesis.putRecords(request).join();
 * }
 * }</pre>
 *
 * <p>Failures surface on the returned futures as SDK exceptions: {@code ApiCallAttemptTimeoutException}
 * or {@code ApiCallTimeoutException} when a timeout fires, {@code SdkClientException} for connection, TLS
 * and pool-acquisition errors, and {@code KinesisException} subclasses for error responses.
 *
 * @since 0.1.0
 */
public final class KinesisClientFactory {

  private static final String NETTY_CLIENT = "software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient";

  private KinesisClientFactory() {}

  /**
   * Builds a Kinesis async client from the config.
   *
   * @param config the settings
   * @return a new client; the caller closes it, which also closes the HTTP client built for it
   * @throws NullPointerException if {@code config} is null
   * @throws IllegalStateException if {@code software.amazon.awssdk:netty-nio-client} is not on the class
   *     path (an optional dependency of kinesis-resilient-core, brought by kinesis-resilient-producer)
   * @since 0.1.0
   */
  public static KinesisAsyncClient create(KinesisClientConfig config) {
    Objects.requireNonNull(config, "config");
    requireNetty(KinesisClientFactory.class.getClassLoader());
    KinesisAsyncClientBuilder builder = KinesisAsyncClient.builder()
        // Passing a builder, not a built client, makes the SDK own the HTTP client and close it with
        // the Kinesis client. Explicit settings here win over the SDK's Kinesis defaults (HTTP/2, 10 s).
        .httpClientBuilder(httpClientBuilder(config))
        .region(config.region())
        .overrideConfiguration(o -> o
            .apiCallTimeout(config.apiCallTimeout())
            .apiCallAttemptTimeout(config.attemptTimeout())
            .retryStrategy(AwsRetryStrategy.doNotRetry()));
    config.endpointOverride().ifPresent(builder::endpointOverride);
    // The SDK closes a closeable provider when the client closes, even one it did not create; the
    // wrapper keeps the caller's provider the caller's.
    config.credentialsProvider().map(CallerOwnedCredentials::new).ifPresent(builder::credentialsProvider);
    return builder.build();
  }

  /**
   * Fails with a message that says what to add when the Netty HTTP client is missing, rather than a
   * NoClassDefFoundError from inside the SDK; package-private for tests.
   *
   * @param loader where to look
   * @throws IllegalStateException when it is missing
   */
  static void requireNetty(@Nullable ClassLoader loader) {
    try {
      Class.forName(NETTY_CLIENT, false, loader);
    } catch (ClassNotFoundException | LinkageError e) {
      throw new IllegalStateException("KinesisClientFactory builds a Netty HTTP client, but " + NETTY_CLIENT
          + " is not on the class path: add software.amazon.awssdk:netty-nio-client (an optional dependency of "
          + "kinesis-resilient-core; kinesis-resilient-producer brings it), or build your own KinesisAsyncClient "
          + "with the HTTP client of your choice (docs/lambda.md, \"Deployment size\")", e);
    }
  }

  /**
   * The HTTP client builder for a config; package-private for tests.
   *
   * @param config the settings
   * @return a builder the SDK calls once, with its service defaults, to build the HTTP client
   */
  static SdkAsyncHttpClient.Builder<?> httpClientBuilder(KinesisClientConfig config) {
    NettyNioAsyncHttpClient.Builder netty = NettyNioAsyncHttpClient.builder()
        .maxConcurrency(config.maxConcurrency())
        .connectionTimeout(config.connectionTimeout())
        .connectionAcquisitionTimeout(config.connectionAcquisitionTimeout())
        .readTimeout(config.readTimeout())
        .writeTimeout(config.writeTimeout());
    if (config.protocol() == HttpProtocol.HTTP2) {
      // ALPN: the TLS handshake agrees on h2, rather than assuming the server speaks it.
      netty.protocol(Protocol.HTTP2).protocolNegotiation(ProtocolNegotiation.ALPN);
    } else {
      // Must be explicit: the Kinesis async client's service default is HTTP/2.
      netty.protocol(Protocol.HTTP1_1);
    }
    return config.trustAllCertificates() ? new TrustAllCertificatesBuilder(netty) : netty;
  }

  /**
   * Adds the SDK's trust-all option when the HTTP client is built. The Netty builder has no setter for
   * it; this option, unlike a custom trust manager, also skips host name verification, which a
   * self-signed emulator certificate usually fails. {@link KinesisClientConfig} allows it only for
   * loopback endpoints.
   */
  private static final class TrustAllCertificatesBuilder
      implements SdkAsyncHttpClient.Builder<TrustAllCertificatesBuilder> {
    private static final AttributeMap TRUST_ALL =
        AttributeMap.builder().put(SdkHttpConfigurationOption.TRUST_ALL_CERTIFICATES, Boolean.TRUE).build();

    private final NettyNioAsyncHttpClient.Builder delegate;

    TrustAllCertificatesBuilder(NettyNioAsyncHttpClient.Builder delegate) {
      this.delegate = delegate;
    }

    @Override
    public SdkAsyncHttpClient buildWithDefaults(AttributeMap serviceDefaults) {
      return delegate.buildWithDefaults(TRUST_ALL.merge(serviceDefaults));
    }
  }

  /**
   * Passes identity requests to the caller's provider but is not closeable, so closing the client does
   * not close a provider the caller owns (the SDK closes any closeable provider it is given).
   */
  private static final class CallerOwnedCredentials implements IdentityProvider<AwsCredentialsIdentity> {
    private final AwsCredentialsProvider delegate;

    CallerOwnedCredentials(AwsCredentialsProvider delegate) {
      this.delegate = delegate;
    }

    @Override
    public Class<AwsCredentialsIdentity> identityType() {
      return delegate.identityType();
    }

    @Override
    public CompletableFuture<? extends AwsCredentialsIdentity> resolveIdentity(
        ResolveIdentityRequest request) {
      return delegate.resolveIdentity(request);
    }

    @Override
    public String toString() {
      return "CallerOwnedCredentials(" + delegate.getClass().getSimpleName() + ")";
    }
  }
}
