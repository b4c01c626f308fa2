package dev.kinesisresilient.test;

import dev.kinesisresilient.core.testing.FakeKinesisAsyncClient;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.ResourceInUseException;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/**
 * A Kinesis API for tests, on one {@link KinesisBackend}: an endpoint you name, LocalStack,
 * kinesis-mock, or the in-memory fake. {@link LocalKinesisExtension} starts one per test run and
 * hands it to tests; {@link #start(KinesisBackend)} does the same without JUnit.
 *
 * <p>Thread-safe. Lifecycle: whoever starts it closes it ({@link #close()} stops the server or
 * container it started; an endpoint you named is left alone). Clients from {@link #newClient()} on
 * a network backend belong to the caller, who closes them.
 *
 * <pre>{@code
 * try (KinesisTestEnvironment kinesis = KinesisTestEnvironment.start(KinesisBackend.AUTO)) {
 *   String stream = kinesis.createStream(kinesis.uniqueStreamName("orders"), 2);
 *   try (KinesisAsyncClient client = kinesis.newClient()) {
 *     // write and read
 *   }
 * }
 * }</pre>
 *
 * <p>Failures: a backend that cannot be started throws {@link IllegalStateException} with the
 * reason (for kinesis-mock, the tail of its log); SDK exceptions of the helpers are rethrown
 * unwrapped from {@link CompletionException}.
 *
 * @since 0.1.0
 */
public final class KinesisTestEnvironment implements AutoCloseable {

  /** Environment variable (or system property) naming an endpoint to use: {@value}. */
  public static final String ENDPOINT_VARIABLE = "KINESIS_ENDPOINT";

  /** Optional environment variable (or system property): the https endpoint of the same server. */
  public static final String HTTPS_ENDPOINT_VARIABLE = "KINESIS_HTTPS_ENDPOINT";

  /** System property (or environment variable) that forces a backend: {@value}. */
  public static final String BACKEND_PROPERTY = "kinesis.resilient.test.backend";

  /** System property: kinesis-mock's start timeout in seconds (default 120, a hang guard). */
  public static final String START_TIMEOUT_PROPERTY = "kinesis.mock.startTimeout";

  /** System property: the directory of kinesis-mock's log file (default {@code target}). */
  public static final String LOG_DIR_PROPERTY = "kinesis.mock.logDir";

  /** The region of kinesis-mock and of the in-memory fake (and of an endpoint without AWS_REGION). */
  public static final Region MOCK_REGION = Region.US_EAST_1;

  /** kinesis-mock's account id (the default one, selected by a non-numeric access key). */
  public static final String MOCK_ACCOUNT_ID = "000000000000";

  /** How long {@link #createStream} waits for ACTIVE (a hang guard): 2 min. */
  public static final Duration STREAM_ACTIVE_TIMEOUT = Duration.ofMinutes(2);

  /** How often stream state is polled: 100 ms. */
  public static final Duration POLL_INTERVAL = Duration.ofMillis(100);

  /** The API call timeout of {@link #newClient()} clients (a hang guard): 60 s. */
  public static final Duration API_CALL_TIMEOUT = Duration.ofSeconds(60);

  private static final Logger LOG = LoggerFactory.getLogger(KinesisTestEnvironment.class);
  private static final AwsCredentialsProvider FAKE_CREDENTIALS =
      StaticCredentialsProvider.create(
          AwsBasicCredentials.create("kinesis-resilient-it", "kinesis-resilient-it-secret"));
  private static final int START_ATTEMPTS = 3;
  private static final Duration READINESS_PROBE_TIMEOUT = Duration.ofSeconds(10);

  private final KinesisBackend backend;
  private final @Nullable URI endpoint;
  private final @Nullable URI httpsEndpoint;
  private final Region region;
  private final AwsCredentialsProvider credentials;
  private final @Nullable KinesisMockProcess process;
  private final @Nullable AutoCloseable container;
  private final @Nullable FakeKinesisAsyncClient fake;
  private final KinesisAsyncClient admin;
  private final String runId = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
  private final AtomicLong streamCounter = new AtomicLong();

  private KinesisTestEnvironment(
      KinesisBackend backend,
      @Nullable URI endpoint,
      @Nullable URI httpsEndpoint,
      Region region,
      AwsCredentialsProvider credentials,
      @Nullable KinesisMockProcess process,
      @Nullable AutoCloseable container,
      @Nullable FakeKinesisAsyncClient fake) {
    this.backend = backend;
    this.endpoint = endpoint;
    this.httpsEndpoint = httpsEndpoint;
    this.region = region;
    this.credentials = credentials;
    this.process = process;
    this.container = container;
    this.fake = fake;
    this.admin = fake != null ? fake : buildClient(Objects.requireNonNull(endpoint));
  }

  /**
   * Starts (or connects to) a backend chosen as {@link KinesisBackend} describes, and logs the
   * choice at INFO.
   *
   * @param backend the backend to force, or {@link KinesisBackend#AUTO}
   * @return a ready environment; the caller closes it
   * @throws IllegalStateException if the forced backend is not available or fails to start
   */
  public static KinesisTestEnvironment start(KinesisBackend backend) {
    return start(backend, false, "kinesis-mock");
  }

  /**
   * Starts a backend that serves HTTP: as {@link #start(KinesisBackend)} but never {@link
   * KinesisBackend#IN_MEMORY}; fails when no network backend is available.
   *
   * @param backend the backend to force, or {@link KinesisBackend#AUTO}
   * @param logName kinesis-mock's log file name without {@code .log}, in {@value #LOG_DIR_PROPERTY}
   * @return a ready environment; the caller closes it
   * @throws IllegalStateException if no network backend is available or it fails to start
   */
  public static KinesisTestEnvironment startNetwork(KinesisBackend backend, String logName) {
    return start(backend, true, logName);
  }

  static KinesisTestEnvironment start(KinesisBackend backend, boolean networkOnly, String logName) {
    Objects.requireNonNull(backend, "backend");
    BackendSelection.Choice choice =
        BackendSelection.choose(backend, networkOnly, BackendSelection.Probes.system());
    LOG.info("[kinesis-test] backend {}: {}", choice.backend(), choice.reason());
    return switch (choice.backend()) {
      case ENDPOINT -> endpoint(BackendSelection.Probes.system());
      case LOCALSTACK -> localStack();
      case KINESIS_MOCK -> kinesisMock(logName);
      case IN_MEMORY -> inMemory();
      case AUTO -> throw new IllegalStateException("AUTO is resolved by the selection");
    };
  }

  private static KinesisTestEnvironment endpoint(BackendSelection.Probes probes) {
    String value = Objects.requireNonNull(probes.setting(ENDPOINT_VARIABLE));
    URI uri = URI.create(value);
    String httpsValue = probes.setting(HTTPS_ENDPOINT_VARIABLE);
    URI https =
        httpsValue != null ? URI.create(httpsValue) : "https".equalsIgnoreCase(uri.getScheme()) ? uri : null;
    String regionName = probes.setting("AWS_REGION");
    Region region = regionName == null ? MOCK_REGION : Region.of(regionName);
    boolean realCredentials =
        probes.setting("AWS_ACCESS_KEY_ID") != null || probes.setting("AWS_PROFILE") != null;
    AwsCredentialsProvider credentials =
        realCredentials ? DefaultCredentialsProvider.builder().build() : FAKE_CREDENTIALS;
    KinesisTestEnvironment env =
        new KinesisTestEnvironment(KinesisBackend.ENDPOINT, uri, https, region, credentials, null, null, null);
    try {
      join(env.admin.listStreams(b -> b.limit(1)));
    } catch (RuntimeException e) {
      env.close();
      throw new IllegalStateException(ENDPOINT_VARIABLE + "=" + value + " does not answer ListStreams", e);
    }
    return env;
  }

  private static KinesisTestEnvironment localStack() {
    LocalStackBackend container = LocalStackBackend.start();
    try {
      return new KinesisTestEnvironment(
          KinesisBackend.LOCALSTACK,
          container.endpoint(),
          null,
          Region.of(container.region()),
          StaticCredentialsProvider.create(
              AwsBasicCredentials.create(container.accessKey(), container.secretKey())),
          null,
          container,
          null);
    } catch (RuntimeException e) {
      container.close();
      throw e;
    }
  }

  private static KinesisTestEnvironment inMemory() {
    FakeKinesisAsyncClient fake = FakeKinesisAsyncClient.builder().build();
    return new KinesisTestEnvironment(
        KinesisBackend.IN_MEMORY, null, null, MOCK_REGION, FAKE_CREDENTIALS, null, null, fake);
  }

  private static KinesisTestEnvironment kinesisMock(String logName) {
    Path logFile =
        Path.of(System.getProperty(LOG_DIR_PROPERTY, "target")).resolve(logName + ".log");
    Duration timeout =
        Duration.ofSeconds(Long.parseLong(System.getProperty(START_TIMEOUT_PROPERTY, "120")));
    KinesisMockInstallation installation = KinesisMockInstallation.ensureInstalled();
    RuntimeException failure = new IllegalStateException("kinesis-mock did not start");
    for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      KinesisMockProcess process = KinesisMockProcess.start(installation, logFile);
      KinesisTestEnvironment env = null;
      try {
        env =
            new KinesisTestEnvironment(
                KinesisBackend.KINESIS_MOCK,
                URI.create("http://127.0.0.1:" + process.plainPort()),
                URI.create("https://127.0.0.1:" + process.tlsPort()),
                MOCK_REGION,
                FAKE_CREDENTIALS,
                process,
                null,
                null);
        env.awaitReady(process, timeout);
        LOG.info("[kinesis-test] kinesis-mock pid {} on {}, log {}", process.pid(), env.endpoint, logFile);
        return env;
      } catch (RuntimeException e) {
        String log = KinesisMockProcess.tail(logFile, 40);
        if (env != null) {
          env.close();
        } else {
          process.close();
        }
        failure = e;
        // Another process took a port between our probe and the server's bind: try new ports.
        if (!log.contains("EADDRINUSE")) {
          break;
        }
      }
    }
    throw failure;
  }

  private void awaitReady(KinesisMockProcess p, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Throwable last = null;
    while (true) {
      if (!p.isAlive()) {
        throw new IllegalStateException("kinesis-mock exited before it was ready; " + p.describe());
      }
      try {
        StreamStatus status =
            admin
                .describeStreamSummary(b -> b.streamName(KinesisMockProcess.READINESS_STREAM))
                .get(READINESS_PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .streamDescriptionSummary()
                .streamStatus();
        if (status == StreamStatus.ACTIVE) {
          return;
        }
        last = new IllegalStateException("readiness stream is " + status);
      } catch (ExecutionException e) {
        last = e.getCause();
      } catch (TimeoutException e) {
        last = e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for kinesis-mock", e);
      }
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException(
            "kinesis-mock was not ready (DescribeStreamSummary "
                + KinesisMockProcess.READINESS_STREAM
                + " ACTIVE) within "
                + timeout
                + "; last error: "
                + last
                + "; "
                + p.describe());
      }
      sleep(POLL_INTERVAL);
    }
  }

  /** The backend in use (never {@link KinesisBackend#AUTO}). */
  public KinesisBackend backend() {
    return backend;
  }

  /** The plain endpoint (http for kinesis-mock), empty for {@link KinesisBackend#IN_MEMORY}. */
  public Optional<URI> endpoint() {
    return Optional.ofNullable(endpoint);
  }

  /**
   * The https endpoint: kinesis-mock's (self-signed certificate), or for {@link
   * KinesisBackend#ENDPOINT} the endpoint itself if https, else {@value #HTTPS_ENDPOINT_VARIABLE};
   * empty otherwise.
   */
  public Optional<URI> httpsEndpoint() {
    return Optional.ofNullable(httpsEndpoint);
  }

  /** The region clients sign for. */
  public Region region() {
    return region;
  }

  /** The credentials clients use: fake static ones unless a real endpoint has real ones. */
  public AwsCredentialsProvider credentialsProvider() {
    return credentials;
  }

  /** kinesis-mock's process id (for diagnostics); empty for the other backends. */
  public Optional<Long> processId() {
    return process == null ? Optional.empty() : Optional.of(process.pid());
  }

  /** kinesis-mock's log file; empty for the other backends. */
  public Optional<Path> logFile() {
    return process == null ? Optional.empty() : Optional.of(process.logFile());
  }

  /** kinesis-mock's pre-created ACTIVE stream, for tests that need any stream; else empty. */
  public Optional<String> readyStream() {
    return process == null ? Optional.empty() : Optional.of(KinesisMockProcess.READINESS_STREAM);
  }

  /**
   * A client of this backend. On a network backend, a new client (netty, HTTP/1.1, the SDK's
   * default retries, an API call timeout of {@link #API_CALL_TIMEOUT}) that the caller closes. On
   * {@link KinesisBackend#IN_MEMORY}, the one shared {@link FakeKinesisAsyncClient}, which {@link
   * #close()} closes: do not close it yourself.
   */
  public KinesisAsyncClient newClient() {
    return fake != null ? fake : buildClient(Objects.requireNonNull(endpoint));
  }

  /** The in-memory fake, for scripted faults; empty unless the backend is {@link KinesisBackend#IN_MEMORY}. */
  public Optional<FakeKinesisAsyncClient> fake() {
    return Optional.ofNullable(fake);
  }

  private KinesisAsyncClient buildClient(URI target) {
    return KinesisAsyncClient.builder()
        .endpointOverride(target)
        .region(region)
        .credentialsProvider(credentials)
        .httpClientBuilder(NettyNioAsyncHttpClient.builder().protocol(Protocol.HTTP1_1))
        .overrideConfiguration(
            ClientOverrideConfiguration.builder().apiCallTimeout(API_CALL_TIMEOUT).build())
        .build();
  }

  /**
   * A stream name unique to this environment: the hint reduced to the allowed characters, a run id
   * and a counter, for example {@code orders-1f3a9c07-3}.
   *
   * @param hint a readable prefix
   * @return a valid stream name of at most 128 characters
   */
  public String uniqueStreamName(String hint) {
    String clean = Objects.requireNonNull(hint, "hint").replaceAll("[^A-Za-z0-9_.-]", "-");
    if (clean.length() > 90) {
      clean = clean.substring(0, 90);
    }
    return clean + "-" + runId + "-" + streamCounter.incrementAndGet();
  }

  /**
   * Creates a provisioned stream and waits until it is ACTIVE (at most {@link
   * #STREAM_ACTIVE_TIMEOUT}, 3 min on an endpoint you named).
   *
   * @param name the stream name
   * @param shardCount its shards, at least 1
   * @return {@code name}
   * @throws IllegalStateException if it does not become ACTIVE in time
   */
  public String createStream(String name, int shardCount) {
    Objects.requireNonNull(name, "name");
    join(admin.createStream(b -> b.streamName(name).shardCount(shardCount)));
    awaitStreamActive(
        name, backend == KinesisBackend.ENDPOINT ? Duration.ofMinutes(3) : STREAM_ACTIVE_TIMEOUT);
    return name;
  }

  /**
   * Polls DescribeStreamSummary every {@link #POLL_INTERVAL} until the stream is ACTIVE; a stream
   * not yet visible is polled again.
   *
   * @param name the stream name
   * @param timeout how long to wait
   * @throws IllegalStateException if it is not ACTIVE within {@code timeout}
   */
  public void awaitStreamActive(String name, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    StreamStatus status = null;
    while (true) {
      try {
        status =
            join(admin.describeStreamSummary(b -> b.streamName(name)))
                .streamDescriptionSummary()
                .streamStatus();
        if (status == StreamStatus.ACTIVE) {
          return;
        }
      } catch (ResourceNotFoundException notYetVisible) {
        status = null;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException(
            "stream " + name + " not ACTIVE within " + timeout + " (last status " + status + ")");
      }
      sleep(POLL_INTERVAL);
    }
  }

  /**
   * Deletes a stream with its consumers and does not wait; a stream already gone is ignored.
   *
   * @param name the stream name
   */
  public void deleteStream(String name) {
    try {
      join(admin.deleteStream(b -> b.streamName(name).enforceConsumerDeletion(true)));
    } catch (ResourceNotFoundException | ResourceInUseException ignored) {
      // Gone already, or being deleted.
    }
  }

  /** Closes the admin client and stops the server or container this environment started. */
  @Override
  public void close() {
    try {
      admin.close();
    } finally {
      if (process != null) {
        process.close();
      }
      if (container != null) {
        try {
          container.close();
        } catch (Exception e) {
          LOG.warn("[kinesis-test] stopping LocalStack failed", e);
        }
      }
    }
  }

  private static <T> T join(CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  @Override
  public String toString() {
    return "KinesisTestEnvironment[" + backend + (endpoint == null ? "" : " " + endpoint) + "]";
  }
}
