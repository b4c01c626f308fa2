package dev.kinesisresilient.core;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/**
 * The validation rules of {@link KinesisClientConfig}: the form of an endpoint, the range of a timeout,
 * the checks across options made by {@link KinesisClientConfig.Builder#build()}, and what counts as a
 * loopback host. Each failure names the option(s) and the rule.
 */
final class ClientConfigChecks {

  /** Smallest accepted timeout. The HTTP client works in whole milliseconds and reads 0 as "no timeout". */
  static final Duration MIN_TIMEOUT = Duration.ofMillis(1);

  /** Largest accepted timeout; anything longer is a mistake for a real-time writer. */
  static final Duration MAX_TIMEOUT = Duration.ofMinutes(10);

  /** Largest accepted {@code maxConcurrency}. */
  static final int MAX_CONCURRENCY_LIMIT = 10_000;

  private static final Pattern IPV4_LITERAL = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");

  private ClientConfigChecks() {}

  /** Throws {@link IllegalArgumentException} unless {@code endpoint} is an absolute http(s) URI with a host only. */
  static void checkEndpoint(URI endpoint) {
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
  }

  /** Throws {@link IllegalArgumentException} unless {@code value} is in 1 ms..10 min. */
  static void checkTimeoutRange(String name, Duration value) {
    if (value.compareTo(MIN_TIMEOUT) < 0 || value.compareTo(MAX_TIMEOUT) > 0) {
      throw new IllegalArgumentException(
          name + " must be between 1 ms and 10 min (0 would mean no timeout), was " + value);
    }
  }

  /** Throws {@link IllegalArgumentException} unless {@code maxConcurrency} is in 1..10,000. */
  static void checkMaxConcurrency(int maxConcurrency) {
    if (maxConcurrency < 1 || maxConcurrency > MAX_CONCURRENCY_LIMIT) {
      throw new IllegalArgumentException(
          "maxConcurrency must be in 1.." + MAX_CONCURRENCY_LIMIT + ", was " + maxConcurrency);
    }
  }

  /**
   * The rules that involve several options, checked by {@code build()}.
   *
   * @return the region, which is required
   * @throws IllegalStateException naming the options involved
   */
  static Region checkAcrossOptions(@Nullable Region region, Duration attemptTimeout, Duration apiCallTimeout,
      boolean trustAllCertificates, @Nullable URI endpoint, HttpProtocol protocol) {
    if (region == null) {
      throw new IllegalStateException(
          "region is required (no default: the SDK's region lookup depends on the machine); set region");
    }
    if (attemptTimeout.compareTo(apiCallTimeout) > 0) {
      throw new IllegalStateException(
          "attemptTimeout (" + attemptTimeout + ") must not exceed apiCallTimeout (" + apiCallTimeout
              + "); raise apiCallTimeout or lower attemptTimeout");
    }
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
    return region;
  }

  /** The credentials provider as {@code toString()} and error messages show it: its class name only. */
  static String describe(@Nullable AwsCredentialsProvider provider) {
    if (provider == null) {
      return "DefaultCredentialsProvider (SDK default chain, created by the client)";
    }
    String simple = provider.getClass().getSimpleName();
    return simple.isEmpty() ? provider.getClass().getName() : simple;
  }

  static boolean isHttps(URI uri) {
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

  /** The options set so far on one builder: each may be set once. */
  static final class SetOnce {
    private final Set<String> set = new HashSet<>();

    /** Throws {@link IllegalStateException} naming the option and its value when it was set before. */
    void mark(String name, @Nullable Object previous) {
      if (!set.add(name)) {
        throw new IllegalStateException(
            name + " was already set on this builder (to " + (name.equals("credentialsProvider")
                ? describe((AwsCredentialsProvider) previous) : previous)
                + "); set each option once, or derive a copy with toBuilder()");
      }
    }
  }
}
