package dev.kinesisresilient.core;

import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/**
 * Settings for the {@code KinesisAsyncClient} that {@link KinesisClientFactory} builds: region, endpoint,
 * credentials, HTTP timeouts, connection pool size, protocol and TLS trust.
 *
 * <p>None of the timeouts is left at the AWS SDK's value (it has no call or attempt timeout at all), and
 * the SDK's own retries are always off (one attempt per call): this library retries PutRecords entries
 * itself. Why: docs/configuration.md, "Why the client defaults".
 *
 * <p>Immutable and thread-safe. The builder is not thread-safe; confine it to one thread.
 *
 * <p>The config holds the {@link AwsCredentialsProvider} it is given but does not own it: whoever created
 * the provider closes it (see {@link KinesisClientFactory#create(KinesisClientConfig)}).
 *
 * <pre>{@code
 * KinesisClientConfig config = KinesisClientConfig.builder()
 *     .region(Region.EU_WEST_1)
 *     .attemptTimeout(Duration.ofSeconds(3))      // large 5 MiB requests over a slow uplink
 *     .build();
 * KinesisClientConfig tuned = config.toBuilder().maxConcurrency(200).build();
 * KinesisClientConfig local = KinesisClientConfig.forLocalEndpoint(URI.create("https://localhost:4567"));
 * }</pre>
 *
 * <p>Each builder setter checks its value at once and throws {@link IllegalArgumentException} naming the
 * option, the value and the valid range ({@link NullPointerException} for null). Setting the same option
 * twice on one builder throws {@link IllegalStateException}. {@link Builder#build()} checks the rules
 * that involve several options and throws {@link IllegalStateException} naming them; it never adjusts a
 * value silently.
 *
 * @since 0.1.0
 */
public final class KinesisClientConfig {

  private final Region region;
  private final @Nullable URI endpointOverride;
  private final @Nullable AwsCredentialsProvider credentialsProvider;
  private final Duration attemptTimeout;
  private final Duration apiCallTimeout;
  private final Duration connectionTimeout;
  private final Duration connectionAcquisitionTimeout;
  private final Duration readTimeout;
  private final Duration writeTimeout;
  private final int maxConcurrency;
  private final HttpProtocol protocol;
  private final boolean trustAllCertificates;

  private KinesisClientConfig(Builder b, Region region) {
    this.region = region;
    this.endpointOverride = b.endpointOverride;
    this.credentialsProvider = b.credentialsProvider;
    this.attemptTimeout = b.attemptTimeout;
    this.apiCallTimeout = b.apiCallTimeout;
    this.connectionTimeout = b.connectionTimeout;
    this.connectionAcquisitionTimeout = b.connectionAcquisitionTimeout;
    this.readTimeout = b.readTimeout;
    this.writeTimeout = b.writeTimeout;
    this.maxConcurrency = b.maxConcurrency;
    this.protocol = b.protocol;
    this.trustAllCertificates = b.trustAllCertificates;
  }

  /**
   * A builder holding every default; {@link Builder#region(Region)} must be set before {@link
   * Builder#build()}.
   *
   * @return a new builder
   * @since 0.1.0
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A config for a Kinesis emulator on this machine (kinesis-mock, LocalStack): the given endpoint, region
   * {@code us-east-1}, static fake credentials ({@code local-access-key} / {@code local-secret}, which an
   * emulator accepts and a real AWS endpoint refuses), and, for an {@code https} endpoint, {@link
   * Builder#trustAllCertificates(boolean) trustAllCertificates} so that the emulator's self-signed
   * certificate is accepted. Every other option keeps its default; derive a changed copy with {@link
   * #toBuilder()}.
   *
   * @param endpoint an {@code http} or {@code https} URI whose host is {@code localhost} or a loopback
   *     address literal such as {@code 127.0.0.1} or {@code [::1]}
   * @return the config
   * @throws NullPointerException if {@code endpoint} is null
   * @throws IllegalArgumentException if the endpoint is not a valid http(s) URI or its host is not loopback
   * @since 0.1.0
   */
  public static KinesisClientConfig forLocalEndpoint(URI endpoint) {
    Builder b = builder().endpointOverride(endpoint);
    if (!ClientConfigChecks.isLoopbackHost(endpoint.getHost())) {
      throw new IllegalArgumentException(
          "forLocalEndpoint needs a loopback host (localhost, 127.0.0.0/8 or ::1), was " + endpoint.getHost()
              + "; use builder() for other hosts");
    }
    return b.region(ClientConfigDefaults.LOCAL_REGION)
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(ClientConfigDefaults.LOCAL_ACCESS_KEY_ID,
                ClientConfigDefaults.LOCAL_SECRET_ACCESS_KEY)))
        .trustAllCertificates(ClientConfigChecks.isHttps(endpoint))
        .build();
  }

  /**
   * A builder holding this config's values, for a changed copy. No option counts as set yet, so each can
   * be set once more.
   *
   * @return a new builder
   * @since 0.1.0
   */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * The AWS region, used for signing and, without {@link #endpointOverride()}, to pick the endpoint.
   *
   * @return the region; no default
   * @since 0.1.0
   */
  public Region region() {
    return region;
  }

  /**
   * The endpoint to call instead of the region's Kinesis endpoint.
   *
   * @return the endpoint, or empty for the region's endpoint (the default)
   * @since 0.1.0
   */
  public Optional<URI> endpointOverride() {
    return Optional.ofNullable(endpointOverride);
  }

  /**
   * The credentials provider.
   *
   * @return the provider, or empty (the default) when the client creates the SDK's default chain itself
   * @since 0.1.0
   */
  public Optional<AwsCredentialsProvider> credentialsProvider() {
    return Optional.ofNullable(credentialsProvider);
  }

  /**
   * Time limit for one HTTP attempt.
   *
   * @return the attempt timeout; default 2 s
   * @since 0.1.0
   */
  public Duration attemptTimeout() {
    return attemptTimeout;
  }

  /**
   * Time limit for a whole API call.
   *
   * @return the API call timeout; default 5 s
   * @since 0.1.0
   */
  public Duration apiCallTimeout() {
    return apiCallTimeout;
  }

  /**
   * Time limit to open a TCP connection (and, separately, for its TLS handshake).
   *
   * @return the connection timeout; default 1 s
   * @since 0.1.0
   */
  public Duration connectionTimeout() {
    return connectionTimeout;
  }

  /**
   * Time limit to get a connection from the pool, opening one if needed.
   *
   * @return the connection acquisition timeout; default 2 s
   * @since 0.1.0
   */
  public Duration connectionAcquisitionTimeout() {
    return connectionAcquisitionTimeout;
  }

  /**
   * Longest wait for response bytes on an open connection.
   *
   * @return the read timeout; default 2 s
   * @since 0.1.0
   */
  public Duration readTimeout() {
    return readTimeout;
  }

  /**
   * Longest wait for a write of request bytes to complete.
   *
   * @return the write timeout; default 2 s
   * @since 0.1.0
   */
  public Duration writeTimeout() {
    return writeTimeout;
  }

  /**
   * Most requests in flight at once: connections for HTTP/1.1, streams for HTTP/2.
   *
   * @return the maximum concurrency; default 50
   * @since 0.1.0
   */
  public int maxConcurrency() {
    return maxConcurrency;
  }

  /**
   * The HTTP version.
   *
   * @return the protocol; default {@link HttpProtocol#HTTP1_1}
   * @since 0.1.0
   */
  public HttpProtocol protocol() {
    return protocol;
  }

  /**
   * Whether TLS certificates go unchecked (only ever true for a loopback {@code https} endpoint).
   *
   * @return true to accept any certificate; default false
   * @since 0.1.0
   */
  public boolean trustAllCertificates() {
    return trustAllCertificates;
  }

  /**
   * Attempts the SDK makes per API call. Always 1: the SDK's retries are off, because this library retries
   * failed records itself and the two would multiply.
   *
   * @return 1
   * @since 0.1.0
   */
  public int sdkMaxAttempts() {
    return 1;
  }

  /**
   * Every setting. The credentials provider appears only as its class name, never with keys or secrets.
   *
   * @return a one-line description of this config
   */
  @Override
  public String toString() {
    return "KinesisClientConfig{region=" + region.id()
        + ", endpointOverride=" + (endpointOverride == null ? "none" : endpointOverride.toString())
        + ", credentialsProvider=" + ClientConfigChecks.describe(credentialsProvider)
        + ", protocol=" + protocol
        + ", maxConcurrency=" + maxConcurrency
        + ", attemptTimeout=" + attemptTimeout
        + ", apiCallTimeout=" + apiCallTimeout
        + ", connectionTimeout=" + connectionTimeout
        + ", connectionAcquisitionTimeout=" + connectionAcquisitionTimeout
        + ", readTimeout=" + readTimeout
        + ", writeTimeout=" + writeTimeout
        + ", trustAllCertificates=" + trustAllCertificates
        + ", sdkMaxAttempts=" + sdkMaxAttempts()
        + "}";
  }

  /**
   * Equal when every setting is equal; credentials providers are compared with their own {@code equals}.
   *
   * @param o the other object
   * @return whether {@code o} is a config with the same settings
   */
  @Override
  public boolean equals(@Nullable Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof KinesisClientConfig)) {
      return false;
    }
    return settings().equals(((KinesisClientConfig) o).settings());
  }

  /**
   * A hash over every setting.
   *
   * @return the hash code
   */
  @Override
  public int hashCode() {
    return settings().hashCode();
  }

  /** Every setting, in one list that allows null: its {@code hashCode} is {@code Objects.hash} of them. */
  private List<@Nullable Object> settings() {
    return Arrays.asList(region, endpointOverride, credentialsProvider, attemptTimeout, apiCallTimeout,
        connectionTimeout, connectionAcquisitionTimeout, readTimeout, writeTimeout, maxConcurrency, protocol,
        trustAllCertificates);
  }

  /**
   * Builds a {@link KinesisClientConfig}. Not thread-safe; confine to one thread. Why each default is what
   * it is: docs/configuration.md, "Why the client defaults".
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private final ClientConfigChecks.SetOnce set = new ClientConfigChecks.SetOnce();

    private @Nullable Region region;
    private @Nullable URI endpointOverride;
    private @Nullable AwsCredentialsProvider credentialsProvider;
    private Duration attemptTimeout = ClientConfigDefaults.DEFAULT_ATTEMPT_TIMEOUT;
    private Duration apiCallTimeout = ClientConfigDefaults.DEFAULT_API_CALL_TIMEOUT;
    private Duration connectionTimeout = ClientConfigDefaults.DEFAULT_CONNECTION_TIMEOUT;
    private Duration connectionAcquisitionTimeout = ClientConfigDefaults.DEFAULT_CONNECTION_ACQUISITION_TIMEOUT;
    private Duration readTimeout = ClientConfigDefaults.DEFAULT_READ_TIMEOUT;
    private Duration writeTimeout = ClientConfigDefaults.DEFAULT_WRITE_TIMEOUT;
    private int maxConcurrency = ClientConfigDefaults.DEFAULT_MAX_CONCURRENCY;
    private HttpProtocol protocol = ClientConfigDefaults.DEFAULT_PROTOCOL;
    private boolean trustAllCertificates;

    private Builder() {}

    private Builder(KinesisClientConfig c) {
      region = c.region;
      endpointOverride = c.endpointOverride;
      credentialsProvider = c.credentialsProvider;
      attemptTimeout = c.attemptTimeout;
      apiCallTimeout = c.apiCallTimeout;
      connectionTimeout = c.connectionTimeout;
      connectionAcquisitionTimeout = c.connectionAcquisitionTimeout;
      readTimeout = c.readTimeout;
      writeTimeout = c.writeTimeout;
      maxConcurrency = c.maxConcurrency;
      protocol = c.protocol;
      trustAllCertificates = c.trustAllCertificates;
    }

    /**
     * The AWS region. <b>Required; no default.</b> The SDK would otherwise look the region up in
     * environment variables, profile files and the EC2 instance metadata service when the client is
     * built, which can be slow and differs between machines. The region is needed even with {@link
     * #endpointOverride(URI)}, because requests are signed for it.
     *
     * @param region the region, for example {@link Region#EU_WEST_1}
     * @return this builder
     * @throws NullPointerException if {@code region} is null
     * @throws IllegalStateException if the region was already set on this builder
     * @since 0.1.0
     */
    public Builder region(Region region) {
      Objects.requireNonNull(region, "region");
      set.mark("region", this.region);
      this.region = region;
      return this;
    }

    /**
     * An endpoint to call instead of the region's Kinesis endpoint: a VPC endpoint, a proxy, or a local
     * emulator such as kinesis-mock or LocalStack. Default: none, the region's endpoint (same as the SDK).
     *
     * <p>Valid: an absolute {@code http} or {@code https} URI with a host, without user info, query or
     * fragment. A host name with an underscore is rejected because {@link URI} cannot parse it as a host.
     *
     * @param endpoint the endpoint, for example {@code https://localhost:4567}
     * @return this builder
     * @throws NullPointerException if {@code endpoint} is null
     * @throws IllegalArgumentException if the URI is not of the valid form
     * @throws IllegalStateException if the endpoint was already set on this builder
     * @since 0.1.0
     */
    public Builder endpointOverride(URI endpoint) {
      Objects.requireNonNull(endpoint, "endpointOverride");
      ClientConfigChecks.checkEndpoint(endpoint);
      set.mark("endpointOverride", this.endpointOverride);
      this.endpointOverride = endpoint;
      return this;
    }

    /**
     * Where request signing gets its credentials. Default: none given, so the client creates the SDK's
     * {@code DefaultCredentialsProvider} chain (environment, system properties, web identity, profile,
     * container, instance metadata), which is also the SDK's default. The client closes a provider it
     * created; a provider given here stays the caller's to close.
     *
     * @param provider the provider; its {@code toString()} is never used by this library
     * @return this builder
     * @throws NullPointerException if {@code provider} is null
     * @throws IllegalStateException if the provider was already set on this builder
     * @since 0.1.0
     */
    public Builder credentialsProvider(AwsCredentialsProvider provider) {
      Objects.requireNonNull(provider, "credentialsProvider");
      set.mark("credentialsProvider", this.credentialsProvider);
      this.credentialsProvider = provider;
      return this;
    }

    /**
     * Time limit for one HTTP attempt, from taking a connection from the pool to reading the whole
     * response. Default <b>2 s</b>; valid 1 ms to 10 min; must not exceed {@link
     * #apiCallTimeout(Duration)}. The SDK has no attempt timeout, so a hung connection can hold a request
     * until the read timeout, or forever while data trickles in.
     *
     * @param timeout the time limit
     * @return this builder
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if outside 1 ms to 10 min
     * @throws IllegalStateException if already set on this builder
     * @since 0.1.0
     */
    public Builder attemptTimeout(Duration timeout) {
      this.attemptTimeout = checkTimeout("attemptTimeout", timeout, this.attemptTimeout);
      return this;
    }

    /**
     * Time limit for a whole API call, all attempts and everything around them included. Default
     * <b>5 s</b>; valid 1 ms to 10 min; must be at least {@link #attemptTimeout(Duration)}. The SDK has
     * no call timeout, so together with its retries and backoff a call could last minutes.
     *
     * @param timeout the time limit
     * @return this builder
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if outside 1 ms to 10 min
     * @throws IllegalStateException if already set on this builder
     * @since 0.1.0
     */
    public Builder apiCallTimeout(Duration timeout) {
      this.apiCallTimeout = checkTimeout("apiCallTimeout", timeout, this.apiCallTimeout);
      return this;
    }

    /**
     * Time limit to open a TCP connection. The HTTP client also uses it as the TLS handshake limit. Default
     * <b>1 s</b>; valid 1 ms to 10 min. The SDK's default is 2 s.
     *
     * @param timeout the time limit
     * @return this builder
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if outside 1 ms to 10 min
     * @throws IllegalStateException if already set on this builder
     * @since 0.1.0
     */
    public Builder connectionTimeout(Duration timeout) {
      this.connectionTimeout = checkTimeout("connectionTimeout", timeout, this.connectionTimeout);
      return this;
    }

    /**
     * Time limit to get a connection from the pool: waiting for a free one when {@link
     * #maxConcurrency(int)} are busy, or opening a new one (TCP connect and TLS handshake). Default
     * <b>2 s</b>; valid 1 ms to 10 min. The SDK's default is 10 s.
     * Values above {@link #attemptTimeout(Duration)} have no effect, since the attempt ends first.
     *
     * @param timeout the time limit
     * @return this builder
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if outside 1 ms to 10 min
     * @throws IllegalStateException if already set on this builder
     * @since 0.1.0
     */
    public Builder connectionAcquisitionTimeout(Duration timeout) {
      this.connectionAcquisitionTimeout =
          checkTimeout("connectionAcquisitionTimeout", timeout, this.connectionAcquisitionTimeout);
      return this;
    }

    /**
     * Longest time an open connection may stay silent while a response is awaited; the connection is then
     * closed. Default <b>2 s</b>; valid 1 ms to 10 min. The SDK's default for Kinesis is 10 s.
     *
     * @param timeout the time limit
     * @return this builder
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if outside 1 ms to 10 min
     * @throws IllegalStateException if already set on this builder
     * @since 0.1.0
     */
    public Builder readTimeout(Duration timeout) {
      this.readTimeout = checkTimeout("readTimeout", timeout, this.readTimeout);
      return this;
    }

    /**
     * Longest time one write of request bytes to the socket may take; the connection is then closed.
     * Default <b>2 s</b>; valid 1 ms to 10 min. The SDK's default for Kinesis is 10 s.
     * The limit applies to each write, not to the whole request body, so large requests are not cut off by it.
     *
     * @param timeout the time limit
     * @return this builder
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if outside 1 ms to 10 min
     * @throws IllegalStateException if already set on this builder
     * @since 0.1.0
     */
    public Builder writeTimeout(Duration timeout) {
      this.writeTimeout = checkTimeout("writeTimeout", timeout, this.writeTimeout);
      return this;
    }

    /**
     * Most requests in flight at once: connections with HTTP/1.1; streams with HTTP/2, which the HTTP
     * client may carry on a single connection. Default <b>50</b>; valid 1 to 10,000.
     *
     * @param maxConcurrency the limit
     * @return this builder
     * @throws IllegalArgumentException if outside 1 to 10,000
     * @throws IllegalStateException if already set on this builder
     * @since 0.1.0
     */
    public Builder maxConcurrency(int maxConcurrency) {
      ClientConfigChecks.checkMaxConcurrency(maxConcurrency);
      set.mark("maxConcurrency", this.maxConcurrency);
      this.maxConcurrency = maxConcurrency;
      return this;
    }

    /**
     * The HTTP version. Default <b>{@link HttpProtocol#HTTP1_1}</b>. The SDK's default for the Kinesis
     * async client is HTTP/2, which only SubscribeToShard needs.
     * {@link HttpProtocol#HTTP2} is negotiated through ALPN and needs an {@code https} endpoint.
     *
     * @param protocol the protocol
     * @return this builder
     * @throws NullPointerException if {@code protocol} is null
     * @throws IllegalStateException if already set on this builder
     * @since 0.1.0
     */
    public Builder protocol(HttpProtocol protocol) {
      Objects.requireNonNull(protocol, "protocol");
      set.mark("protocol", this.protocol);
      this.protocol = protocol;
      return this;
    }

    /**
     * Accept any TLS certificate and host name, for a local emulator's self-signed certificate. Default
     * <b>false</b>, as in the SDK. {@link #build()} refuses {@code true} unless {@link
     * #endpointOverride(URI)} is an {@code https} URI whose host is {@code localhost} or a loopback IP
     * literal: nothing else may go unverified.
     *
     * @param trustAll true to skip certificate checks
     * @return this builder
     * @throws IllegalStateException if already set on this builder
     * @since 0.1.0
     */
    public Builder trustAllCertificates(boolean trustAll) {
      set.mark("trustAllCertificates", this.trustAllCertificates);
      this.trustAllCertificates = trustAll;
      return this;
    }

    /**
     * Checks the rules that involve several options and builds the config.
     *
     * @return the config
     * @throws IllegalStateException naming the options involved when {@code region} is missing, {@code
     *     attemptTimeout} exceeds {@code apiCallTimeout}, {@code trustAllCertificates} is set without a
     *     loopback {@code https} {@code endpointOverride}, or {@code protocol} HTTP2 meets an {@code http}
     *     {@code endpointOverride}
     * @since 0.1.0
     */
    public KinesisClientConfig build() {
      Region r = ClientConfigChecks.checkAcrossOptions(region, attemptTimeout, apiCallTimeout, trustAllCertificates,
          endpointOverride, protocol);
      return new KinesisClientConfig(this, r);
    }

    private Duration checkTimeout(String name, Duration value, Object previous) {
      Objects.requireNonNull(value, name);
      ClientConfigChecks.checkTimeoutRange(name, value);
      set.mark(name, previous);
      return value;
    }

  }
}
