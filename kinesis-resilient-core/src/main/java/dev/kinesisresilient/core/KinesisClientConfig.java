package dev.kinesisresilient.core;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/**
 * Settings for the {@code KinesisAsyncClient} that {@link KinesisClientFactory} builds: region, endpoint,
 * credentials, HTTP timeouts, connection pool size, protocol and TLS trust.
 *
 * <p>None of the timeouts is left at the AWS SDK's value. The SDK has no call or attempt timeout at all,
 * waits 10 s for a connection from the pool and 10 s for a silent socket, and retries a failed call
 * several times: a record can wait minutes. The defaults here are short, sized for a producer that wants
 * a fast failure it can retry itself. The SDK's own retries are always off (one attempt per call):
 * this library retries PutRecords entries itself, and the two would multiply (SDK attempts times our
 * attempts), each with its own backoff, past any deadline.
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

  /** Smallest accepted timeout. The HTTP client works in whole milliseconds and reads 0 as "no timeout". */
  static final Duration MIN_TIMEOUT = Duration.ofMillis(1);

  /** Largest accepted timeout; anything longer is a mistake for a real-time writer. */
  static final Duration MAX_TIMEOUT = Duration.ofMinutes(10);

  /** Largest accepted {@code maxConcurrency}. */
  static final int MAX_CONCURRENCY_LIMIT = 10_000;

  static final Duration DEFAULT_ATTEMPT_TIMEOUT = Duration.ofSeconds(2);
  static final Duration DEFAULT_API_CALL_TIMEOUT = Duration.ofSeconds(5);
  static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(1);
  static final Duration DEFAULT_CONNECTION_ACQUISITION_TIMEOUT = Duration.ofSeconds(2);
  static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(2);
  static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(2);
  static final int DEFAULT_MAX_CONCURRENCY = 50;
  static final HttpProtocol DEFAULT_PROTOCOL = HttpProtocol.HTTP1_1;

  /** Region used by {@link #forLocalEndpoint(URI)}; local emulators accept any region. */
  static final Region LOCAL_REGION = Region.US_EAST_1;

  /** Access key for {@link #forLocalEndpoint(URI)}; not numeric, so no emulator takes it for an account id. */
  static final String LOCAL_ACCESS_KEY_ID = "local-access-key";

  /** Secret used by {@link #forLocalEndpoint(URI)}. */
  static final String LOCAL_SECRET_ACCESS_KEY = "local-secret";

  private static final Pattern IPV4_LITERAL = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");

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
    if (!isLoopbackHost(endpoint.getHost())) {
      throw new IllegalArgumentException(
          "forLocalEndpoint needs a loopback host (localhost, 127.0.0.0/8 or ::1), was " + endpoint.getHost()
              + "; use builder() for other hosts");
    }
    return b.region(LOCAL_REGION)
        .credentialsProvider(StaticCredentialsProvider.create(
            AwsBasicCredentials.create(LOCAL_ACCESS_KEY_ID, LOCAL_SECRET_ACCESS_KEY)))
        .trustAllCertificates(isHttps(endpoint))
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
        + ", credentialsProvider=" + describe(credentialsProvider)
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
    KinesisClientConfig c = (KinesisClientConfig) o;
    return region.equals(c.region)
        && Objects.equals(endpointOverride, c.endpointOverride)
        && Objects.equals(credentialsProvider, c.credentialsProvider)
        && attemptTimeout.equals(c.attemptTimeout)
        && apiCallTimeout.equals(c.apiCallTimeout)
        && connectionTimeout.equals(c.connectionTimeout)
        && connectionAcquisitionTimeout.equals(c.connectionAcquisitionTimeout)
        && readTimeout.equals(c.readTimeout)
        && writeTimeout.equals(c.writeTimeout)
        && maxConcurrency == c.maxConcurrency
        && protocol == c.protocol
        && trustAllCertificates == c.trustAllCertificates;
  }

  /**
   * A hash over every setting.
   *
   * @return the hash code
   */
  @Override
  public int hashCode() {
    return Objects.hash(region, endpointOverride, credentialsProvider, attemptTimeout, apiCallTimeout,
        connectionTimeout, connectionAcquisitionTimeout, readTimeout, writeTimeout, maxConcurrency, protocol,
        trustAllCertificates);
  }

  private static String describe(@Nullable AwsCredentialsProvider provider) {
    if (provider == null) {
      return "DefaultCredentialsProvider (SDK default chain, created by the client)";
    }
    String simple = provider.getClass().getSimpleName();
    return simple.isEmpty() ? provider.getClass().getName() : simple;
  }

  private static boolean isHttps(URI uri) {
    return "https".equalsIgnoreCase(uri.getScheme());
  }

  /**
   * Whether a URI host is {@code localhost} or a loopback IP literal. Never resolves a name through DNS.
   *
   * @param host the host as {@link URI#getHost()} returns it (IPv6 in brackets), or null
   * @return true for {@code localhost} (any case), 127.0.0.0/8 and {@code ::1}
   */
  static boolean isLoopbackHost(@Nullable String host) {
    if (host == null || host.isEmpty()) {
      return false;
    }
    if (host.equalsIgnoreCase("localhost")) {
      return true;
    }
    if (IPV4_LITERAL.matcher(host).matches()) {
      for (String octet : host.split("\\.")) {
        if (Integer.parseInt(octet) > 255) {
          return false; // not a literal; getByName would look it up as a name
        }
      }
    } else if (!(host.startsWith("[") && host.endsWith("]"))) {
      return false; // a name: never resolved, so never trusted as loopback
    }
    try {
      // Only literals get here: getByName parses them without a lookup (a bracketed host that is not a
      // valid IPv6 literal fails instead of being looked up).
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /**
   * Builds a {@link KinesisClientConfig}. Not thread-safe; confine to one thread.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private final Set<String> set = new HashSet<>();

    private @Nullable Region region;
    private @Nullable URI endpointOverride;
    private @Nullable AwsCredentialsProvider credentialsProvider;
    private Duration attemptTimeout = DEFAULT_ATTEMPT_TIMEOUT;
    private Duration apiCallTimeout = DEFAULT_API_CALL_TIMEOUT;
    private Duration connectionTimeout = DEFAULT_CONNECTION_TIMEOUT;
    private Duration connectionAcquisitionTimeout = DEFAULT_CONNECTION_ACQUISITION_TIMEOUT;
    private Duration readTimeout = DEFAULT_READ_TIMEOUT;
    private Duration writeTimeout = DEFAULT_WRITE_TIMEOUT;
    private int maxConcurrency = DEFAULT_MAX_CONCURRENCY;
    private HttpProtocol protocol = DEFAULT_PROTOCOL;
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
      markSet("region", this.region);
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
      String scheme = endpoint.getScheme();
      if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
        throw new IllegalArgumentException(
            "endpointOverride must be an absolute http or https URI, was " + endpoint);
      }
      if (endpoint.getHost() == null || endpoint.getHost().isEmpty()) {
        throw new IllegalArgumentException(
            "endpointOverride must have a host (underscores are not allowed in host names), was " + endpoint);
      }
      if (endpoint.getRawUserInfo() != null) {
        throw new IllegalArgumentException(
            "endpointOverride must not contain user info (credentials in a URI leak into logs), was "
                + endpoint.getScheme() + "://...@" + endpoint.getHost());
      }
      if (endpoint.getRawQuery() != null || endpoint.getRawFragment() != null) {
        throw new IllegalArgumentException(
            "endpointOverride must not have a query or fragment, was " + endpoint);
      }
      markSet("endpointOverride", this.endpointOverride);
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
      markSet("credentialsProvider", this.credentialsProvider);
      this.credentialsProvider = provider;
      return this;
    }

    /**
     * Time limit for one HTTP attempt, from taking a connection from the pool to reading the whole
     * response. Default <b>2 s</b>; valid 1 ms to 10 min; must not exceed {@link
     * #apiCallTimeout(Duration)}. The SDK has no attempt timeout, so a hung connection can hold a request
     * until the read timeout, or forever while data trickles in.
     *
     * <p>Why 2 s: PutRecords normally answers in tens of milliseconds, and even a full 5 MiB request is
     * sent in under a second over 50 Mbit/s. An attempt still running after 2 s is better abandoned and
     * retried by this library (possibly on another connection). Raise it for slow uplinks or 10 MiB
     * requests.
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
     * <p>Why 5 s: the SDK makes a single attempt here (its retries are off), so this is a backstop above
     * the 2 s attempt timeout. It bounds whatever the attempt timer does not, so no future stays pending
     * indefinitely, and it fails well inside any sensible delivery deadline, leaving room for this
     * library's own retries.
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
     * <p>Why 1 s: connecting to an endpoint in the same region takes milliseconds. A connect that has not
     * completed in 1 s has usually lost its first SYN (Linux resends it after 1 s); failing and letting
     * this library retry is as fast, and it frees the pool slot. Raise it for endpoints far away.
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
     *
     * <p>Why 2 s: a full pool means the producer is sending faster than Kinesis answers. Waiting 10 s
     * hides that overload and piles up requests; failing after 2 s reports it while this library can still
     * back off and retry. 2 s also leaves room for one new connection (1 s connect plus 1 s handshake).
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
     * <p>Why 2 s: Kinesis answers PutRecords in tens of milliseconds, so 2 s of silence means a dead
     * connection. It equals the attempt timeout so that neither cuts off a response the other would allow;
     * lower it to drop a silent connection sooner.
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
     *
     * <p>Why 2 s: a write that cannot complete in 2 s means the peer stopped reading or the network is
     * gone. The limit applies to each write, not to the whole request body, so large requests are not cut
     * off by it.
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
     * <p>Why 50: it is the SDK's value, kept on purpose. 50 concurrent PutRecords of up to 500 records
     * each is far more than one producer instance usually needs; what hurt in the SDK's pool was the 10 s
     * wait for a connection, cut here by {@link #connectionAcquisitionTimeout(Duration)}. Raise it for a
     * producer writing to many shards at high rates.
     *
     * @param maxConcurrency the limit
     * @return this builder
     * @throws IllegalArgumentException if outside 1 to 10,000
     * @throws IllegalStateException if already set on this builder
     * @since 0.1.0
     */
    public Builder maxConcurrency(int maxConcurrency) {
      if (maxConcurrency < 1 || maxConcurrency > MAX_CONCURRENCY_LIMIT) {
        throw new IllegalArgumentException(
            "maxConcurrency must be in 1.." + MAX_CONCURRENCY_LIMIT + ", was " + maxConcurrency);
      }
      markSet("maxConcurrency", this.maxConcurrency);
      this.maxConcurrency = maxConcurrency;
      return this;
    }

    /**
     * The HTTP version. Default <b>{@link HttpProtocol#HTTP1_1}</b>. The SDK's default for the Kinesis
     * async client is HTTP/2, which only SubscribeToShard needs.
     *
     * <p>Why HTTP/1.1: each request has its own connection, so one stalled or reset connection fails one
     * request rather than every stream multiplexed on it, and the read, write and acquisition timeouts act
     * per request. {@link HttpProtocol#HTTP2} is negotiated through ALPN and needs an {@code https}
     * endpoint.
     *
     * @param protocol the protocol
     * @return this builder
     * @throws NullPointerException if {@code protocol} is null
     * @throws IllegalStateException if already set on this builder
     * @since 0.1.0
     */
    public Builder protocol(HttpProtocol protocol) {
      Objects.requireNonNull(protocol, "protocol");
      markSet("protocol", this.protocol);
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
      markSet("trustAllCertificates", this.trustAllCertificates);
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
      Region r = region;
      if (r == null) {
        throw new IllegalStateException(
            "region is required (no default: the SDK's region lookup depends on the machine); set region");
      }
      if (attemptTimeout.compareTo(apiCallTimeout) > 0) {
        throw new IllegalStateException(
            "attemptTimeout (" + attemptTimeout + ") must not exceed apiCallTimeout (" + apiCallTimeout
                + "); raise apiCallTimeout or lower attemptTimeout");
      }
      URI endpoint = endpointOverride;
      if (trustAllCertificates) {
        if (endpoint == null) {
          throw new IllegalStateException(
              "trustAllCertificates=true needs an endpointOverride on a loopback host; endpointOverride is"
                  + " not set, and the real Kinesis endpoint must always be verified");
        }
        if (!isHttps(endpoint)) {
          throw new IllegalStateException(
              "trustAllCertificates=true has no effect with endpointOverride " + endpoint
                  + " (plain http); use an https endpoint or leave trustAllCertificates false");
        }
        if (!isLoopbackHost(endpoint.getHost())) {
          throw new IllegalStateException(
              "trustAllCertificates=true is only allowed when endpointOverride's host is localhost or a"
                  + " loopback address; endpointOverride host was " + endpoint.getHost());
        }
      }
      if (protocol == HttpProtocol.HTTP2 && endpoint != null && !isHttps(endpoint)) {
        throw new IllegalStateException(
            "protocol=HTTP2 is negotiated with ALPN over TLS and needs an https endpointOverride, was "
                + endpoint);
      }
      return new KinesisClientConfig(this, r);
    }

    private Duration checkTimeout(String name, Duration value, Object previous) {
      Objects.requireNonNull(value, name);
      if (value.compareTo(MIN_TIMEOUT) < 0 || value.compareTo(MAX_TIMEOUT) > 0) {
        throw new IllegalArgumentException(
            name + " must be between 1 ms and 10 min (0 would mean no timeout), was " + value);
      }
      markSet(name, previous);
      return value;
    }

    private void markSet(String name, @Nullable Object previous) {
      if (!set.add(name)) {
        throw new IllegalStateException(
            name + " was already set on this builder (to " + (name.equals("credentialsProvider")
                ? describe((AwsCredentialsProvider) previous) : previous)
                + "); set each option once, or derive a copy with toBuilder()");
      }
    }
  }
}
