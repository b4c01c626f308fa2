package dev.kinesisresilient.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.KinesisException;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;

/**
 * Clients from {@link KinesisClientFactory} against a JDK HTTP server on 127.0.0.1 that speaks just enough
 * of the Kinesis wire protocol. The SDK sends Kinesis requests as CBOR unless {@code aws.cborEnabled=false};
 * the server answers in whichever format the request's Content-Type names.
 */
final class KinesisClientFactoryIT {

  private static final String CBOR = "application/x-amz-cbor-1.1";
  private static final String JSON = "application/x-amz-json-1.1";
  private static final String KEYSTORE_PASSWORD = "it-keystore";

  private static final ParallelCloser CLIENTS = new ParallelCloser();

  /**
   * How long a test waits for a call's outcome: a hang guard, not a latency bound. The first call of a
   * client (SDK and netty start-up, TLS) can take seconds on a loaded 2-core machine.
   */
  private static final Duration OUTCOME_WAIT = Duration.ofSeconds(60);

  @TempDir static Path tempDir;
  private static Path keyStore;

  private final AtomicInteger requests = new AtomicInteger();
  private final List<String> contentTypes = new CopyOnWriteArrayList<>();
  private final List<String> authorizations = new CopyOnWriteArrayList<>();
  private final CountDownLatch releaseStalled = new CountDownLatch(1);
  private final ExecutorService serverThreads = Executors.newCachedThreadPool();
  private HttpServer server;

  @BeforeAll
  static void createSelfSignedCertificate() throws Exception {
    // A certificate for a name that is not the host we connect to: trust-all must skip both the chain
    // check and host name verification.
    keyStore = tempDir.resolve("self-signed.p12");
    Process keytool = new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
            "-genkeypair", "-alias", "it", "-keyalg", "EC", "-groupname", "secp256r1",
            "-dname", "CN=not-this-host.invalid", "-ext", "SAN=dns:not-this-host.invalid", "-validity", "2",
            "-storetype", "PKCS12", "-keystore", keyStore.toString(),
            "-storepass", KEYSTORE_PASSWORD, "-keypass", KEYSTORE_PASSWORD, "-noprompt")
        .redirectErrorStream(true)
        .start();
    String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(keytool.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(keytool.exitValue()).as("keytool output: %s", output).isZero();
    assertThat(Files.size(keyStore)).isPositive();
  }

  @AfterAll
  static void closeClients() throws InterruptedException {
    CLIENTS.closeAll();
  }

  @AfterEach
  void stopServer() {
    releaseStalled.countDown();
    if (server != null) {
      server.stop(0);
    }
    serverThreads.shutdownNow();
  }

  @Test
  void putRecords_serverAnswers200_parsesResponseAndSignsWithConfiguredCredentials() throws Exception {
    URI endpoint = startHttp(this::answerPutRecordsSuccess);

    KinesisAsyncClient client = CLIENTS.track(KinesisClientFactory.create(patient(config(endpoint)).build()));

    PutRecordsResponse response = client.putRecords(request()).get(OUTCOME_WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(response.failedRecordCount()).isZero();
    assertThat(response.records()).singleElement().satisfies(r -> {
      assertThat(r.sequenceNumber()).isEqualTo("1");
      assertThat(r.shardId()).isEqualTo("shardId-000000000000");
    });
    assertThat(requests).hasValue(1);
    assertThat(contentTypes).containsExactly(CBOR);
    assertThat(authorizations).singleElement().asString()
        .contains("Credential=it-access-key/", "/us-east-1/kinesis/aws4_request");
  }

  @Test
  void putRecords_serverAnswers500_failsAfterExactlyOneRequest() {
    URI endpoint = startHttp(exchange -> answerError(exchange, 500, "InternalFailure"));

    KinesisAsyncClient client = CLIENTS.track(KinesisClientFactory.create(patient(config(endpoint)).build()));

    CompletableFuture<PutRecordsResponse> future = client.putRecords(request());

    assertThat(future).failsWithin(OUTCOME_WAIT)
        .withThrowableOfType(ExecutionException.class)
        .havingCause()
        .isInstanceOfSatisfying(KinesisException.class, e -> assertThat(e.statusCode()).isEqualTo(500));
    assertThat(requests).hasValue(1);
  }

  /** Control for the test above: shows that this server would see the retries if the SDK made them. */
  @Test
  void putRecords_sdkDefaultRetriesAnd500_sendSeveralRequests() {
    URI endpoint = startHttp(exchange -> answerError(exchange, 500, "InternalFailure"));

    KinesisAsyncClient client = CLIENTS.track(KinesisAsyncClient.builder()
        .region(Region.US_EAST_1)
        .endpointOverride(endpoint)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("it-access-key", "it-secret")))
        .httpClientBuilder(NettyNioAsyncHttpClient.builder().protocol(Protocol.HTTP1_1))
        .build());

    assertThat(client.putRecords(request())).failsWithin(OUTCOME_WAIT);
    assertThat(requests.get()).as("requests with the SDK's default retry strategy").isGreaterThan(1);
  }

  @Test
  void putRecords_serverStallsPastAttemptTimeout_failsWithTimeoutWithinBound() {
    URI endpoint = startHttp(this::stallUntilTestEnds);
    KinesisClientConfig config = config(endpoint)
        .attemptTimeout(Duration.ofMillis(300))
        .apiCallTimeout(Duration.ofMillis(600))
        .build();

    KinesisAsyncClient client = CLIENTS.track(KinesisClientFactory.create(config));

    long start = System.nanoTime();
    CompletableFuture<PutRecordsResponse> future = client.putRecords(request());
    CompletableFuture<Long> failedAfterNanos = future.handle((r, e) -> System.nanoTime() - start);

    assertThat(future).failsWithin(OUTCOME_WAIT)
        .withThrowableOfType(ExecutionException.class)
        .havingCause()
        .isInstanceOfAny(ApiCallAttemptTimeoutException.class, ApiCallTimeoutException.class);
    // Not before the attempt timeout. No upper bound: a loaded machine fires timers late, and the
    // server never answers, so the call can only have ended by one of the two timeouts (the type).
    assertThat(failedAfterNanos).succeedsWithin(OUTCOME_WAIT)
        .satisfies(nanos -> assertThat(Duration.ofNanos(nanos)).isGreaterThanOrEqualTo(Duration.ofMillis(250)));
    assertThat(requests).as("one attempt, not retried").hasValue(1);
  }

  @Test
  void putRecords_selfSignedHttpsWithTrustAll_succeeds() throws Exception {
    URI endpoint = startHttps(this::answerPutRecordsSuccess);

    KinesisAsyncClient client =
        CLIENTS.track(KinesisClientFactory.create(
            patient(KinesisClientConfig.forLocalEndpoint(endpoint).toBuilder()).build()));

    PutRecordsResponse response = client.putRecords(request()).get(OUTCOME_WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(response.records())
        .singleElement()
        .satisfies(r -> assertThat(r.sequenceNumber()).isEqualTo("1"));
    assertThat(authorizations).singleElement().asString().contains("Credential=local-access-key/");
  }

  @Test
  void putRecords_selfSignedHttpsWithoutTrustAll_failsHandshakeBeforeAnyRequest() {
    URI endpoint = startHttps(this::answerPutRecordsSuccess);

    KinesisAsyncClient client = CLIENTS.track(KinesisClientFactory.create(patient(config(endpoint)).build()));

    assertThat(client.putRecords(request())).failsWithin(OUTCOME_WAIT)
        .withThrowableOfType(ExecutionException.class)
        .havingCause()
        .isInstanceOf(SdkClientException.class)
        .satisfies(e -> assertThat(causes(e)).hasAtLeastOneElementOfType(SSLHandshakeException.class));
    assertThat(requests).hasValue(0);
  }

  /** The JDK server speaks only HTTP/1.1: ALPN must notice, rather than send HTTP/2 frames blindly. */
  @Test
  void putRecords_http2AgainstServerWithoutH2_failsInAlpnBeforeAnyRequest() {
    URI endpoint = startHttps(this::answerPutRecordsSuccess);
    KinesisClientConfig config =
        patient(KinesisClientConfig.forLocalEndpoint(endpoint).toBuilder()).protocol(HttpProtocol.HTTP2).build();

    KinesisAsyncClient client = CLIENTS.track(KinesisClientFactory.create(config));

    assertThat(client.putRecords(request())).failsWithin(OUTCOME_WAIT)
        .withThrowableOfType(ExecutionException.class)
        .havingCause()
        .isInstanceOf(SdkClientException.class)
        .withMessageContaining("does not support ALPN with H2");
    assertThat(requests).hasValue(0);
  }

  // ---- client side -------------------------------------------------------------------------------

  private static KinesisClientConfig.Builder config(URI endpoint) {
    return KinesisClientConfig.builder()
        .region(Region.US_EAST_1)
        .endpointOverride(endpoint)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create("it-access-key", "it-secret")));
  }

  /**
   * Hang-guard timeouts for the tests that are not about a timeout: the defaults (1 s to connect and
   * for the TLS handshake, 2 s per attempt) are meant for the real service, and a client's first call
   * on a loaded 2-core machine can take longer, which would turn an expected answer or handshake
   * failure into a timeout.
   */
  private static KinesisClientConfig.Builder patient(KinesisClientConfig.Builder config) {
    return config
        .attemptTimeout(Duration.ofSeconds(30))
        .apiCallTimeout(Duration.ofSeconds(50))
        .connectionTimeout(Duration.ofSeconds(20))
        .connectionAcquisitionTimeout(Duration.ofSeconds(30))
        .readTimeout(Duration.ofSeconds(30))
        .writeTimeout(Duration.ofSeconds(30));
  }

  private static PutRecordsRequest request() {
    return PutRecordsRequest.builder()
        .streamName("it-stream")
        .records(PutRecordsRequestEntry.builder()
            .partitionKey("key-1")
            .data(SdkBytes.fromUtf8String("payload"))
            .build())
        .build();
  }

  private static List<Throwable> causes(Throwable t) {
    List<Throwable> chain = new CopyOnWriteArrayList<>();
    for (Throwable c = t; c != null && !chain.contains(c); c = c.getCause()) {
      chain.add(c);
    }
    return chain;
  }

  // ---- server side -------------------------------------------------------------------------------

  @FunctionalInterface
  private interface Responder {
    void respond(HttpExchange exchange) throws IOException;
  }

  private URI startHttp(Responder responder) {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return start(responder, "http");
  }

  private URI startHttps(Responder responder) {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(keyStore)) {
        ks.load(in, KEYSTORE_PASSWORD.toCharArray());
      }
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, KEYSTORE_PASSWORD.toCharArray());
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(kmf.getKeyManagers(), null, null);
      HttpsServer https = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      https.setHttpsConfigurator(new HttpsConfigurator(tls));
      server = https;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return start(responder, "https");
  }

  private URI start(Responder responder, String scheme) {
    server.setExecutor(serverThreads);
    server.createContext("/", exchange -> {
      try (exchange) {
        exchange.getRequestBody().readAllBytes();
        requests.incrementAndGet();
        contentTypes.add(String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type")));
        authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
        responder.respond(exchange);
      }
    });
    server.start();
    return URI.create(scheme + "://127.0.0.1:" + server.getAddress().getPort());
  }

  private void answerPutRecordsSuccess(HttpExchange exchange) throws IOException {
    byte[] body;
    if (isCbor(exchange)) {
      body = new Cbor().map(2)
          .text("FailedRecordCount").uint(0)
          .text("Records").array(1)
          .map(2).text("SequenceNumber").text("1").text("ShardId").text("shardId-000000000000")
          .bytes();
    } else {
      body = ("{\"FailedRecordCount\":0,\"Records\":[{\"SequenceNumber\":\"1\","
          + "\"ShardId\":\"shardId-000000000000\"}]}").getBytes(StandardCharsets.UTF_8);
    }
    send(exchange, 200, body);
  }

  private static void answerError(HttpExchange exchange, int status, String errorType) throws IOException {
    byte[] body = isCbor(exchange)
        ? new Cbor().map(2).text("__type").text(errorType).text("message").text("injected by test").bytes()
        : ("{\"__type\":\"" + errorType + "\",\"message\":\"injected by test\"}")
            .getBytes(StandardCharsets.UTF_8);
    send(exchange, status, body);
  }

  private void stallUntilTestEnds(HttpExchange exchange) {
    try {
      releaseStalled.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static boolean isCbor(HttpExchange exchange) {
    return CBOR.equals(exchange.getRequestHeaders().getFirst("Content-Type"));
  }

  private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", isCbor(exchange) ? CBOR : JSON);
    exchange.getResponseHeaders().set("x-amzn-RequestId", "it-request");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  /** Writes the few CBOR items (RFC 8949) a Kinesis response needs: maps, arrays, text and small integers. */
  private static final class Cbor {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Cbor map(int entries) {
      return head(5, entries);
    }

    Cbor array(int items) {
      return head(4, items);
    }

    Cbor uint(int value) {
      return head(0, value);
    }

    Cbor text(String s) {
      byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
      head(3, utf8.length);
      out.writeBytes(utf8);
      return this;
    }

    byte[] bytes() {
      return out.toByteArray();
    }

    private Cbor head(int majorType, int argument) {
      int major = majorType << 5;
      if (argument < 24) {
        out.write(major | argument);
      } else if (argument < 256) {
        out.write(major | 24);
        out.write(argument);
      } else {
        out.write(major | 25);
        out.write(argument >>> 8);
        out.write(argument & 0xff);
      }
      return this;
    }
  }
}
