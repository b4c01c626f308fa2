package dev.kinesisresilient.core;

/**
 * The HTTP version a client built by {@link KinesisClientFactory} speaks.
 *
 * @since 0.1.0
 */
public enum HttpProtocol {
  /**
   * HTTP/1.1: one request at a time per connection, so up to {@link KinesisClientConfig#maxConcurrency()}
   * connections. A stalled or reset connection affects only the request on it. Works over {@code http}
   * and {@code https}.
   *
   * @since 0.1.0
   */
  HTTP1_1,

  /**
   * HTTP/2, agreed with the server through ALPN during the TLS handshake, so it needs an {@code https}
   * endpoint. Requests share connections as streams; {@link KinesisClientConfig#maxConcurrency()} then
   * bounds streams, not connections, and one bad connection affects every stream on it.
   *
   * @since 0.1.0
   */
  HTTP2
}
