package dev.kinesisresilient.core.it;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import dev.kinesisresilient.test.KinesisBackend;
import dev.kinesisresilient.test.KinesisTestEnvironment;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.SdkHttpConfigurationOption;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClientBuilder;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.ResourceInUseException;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;
import software.amazon.awssdk.utils.AttributeMap;

/**
 * A Kinesis API for the project's integration tests, over a {@link KinesisTestEnvironment} (the
 * public test artifact's launcher): a kinesis-mock server on loopback started by {@link
 * KinesisMockExtension}, LocalStack, or the endpoint given in {@code KINESIS_ENDPOINT} (a real
 * account). It adds the ITs' helpers (read-back, fault injection, shard lookup). Tests receive it as a parameter and use it to build clients and to
 * create, inspect and read back streams.
 *
 * <p>Thread-safe. Owned by the extension, which stops the server when the test run (or, in
 * per-class mode, the test class) ends; tests never close it. Clients from {@code newClient} are
 * owned by the caller, who closes them.
 *
 * <pre>{@code
 * @ExtendWith(KinesisMockExtension.class)
 * final class MyIT {
 *   @Test
 *   void writes(LocalKinesis kinesis, KinesisAsyncClient client) {
 *     String stream = kinesis.createStream(kinesis.uniqueStreamName("writes"), 1);
 *     client.putRecord(b -> b.streamName(stream).partitionKey("k").data(SdkBytes.fromUtf8String("v")))
 *         .join();
 *     assertThat(kinesis.readAll(stream).get("shardId-000000000000")).hasSize(1);
 *   }
 * }
 * }</pre>
 *
 * <p>Clients built here use HTTP/1.1 on the netty client, no SDK retries (tests see every fault),
 * an API call timeout of {@link #DEFAULT_API_CALL_TIMEOUT}, and fake static credentials whose access
 * key is not numeric (kinesis-mock takes a 12-digit access key as the account id). On a loopback
 * https endpoint they trust kinesis-mock's self-signed certificate; never elsewhere.
 *
 * <p>Failures: SDK exceptions are rethrown unwrapped from {@link CompletionException}; a stream that
 * does not become ACTIVE in time raises {@link IllegalStateException}.
 */
public final class LocalKinesis {

  /** The region of every request to kinesis-mock (its streams are namespaced by region). */
  public static final Region MOCK_REGION = Region.US_EAST_1;

  /** kinesis-mock's account id (the default one, selected by a non-numeric access key). */
  public static final String MOCK_ACCOUNT_ID = "000000000000";

  /**
   * The API call timeout of the clients built here, unless a test overrides it: 60 s. A hang guard,
   * not a latency bound: kinesis-mock runs on one Node thread and a build machine's cores are shared,
   * so a call that takes 10 s under load is slow, not lost. Tests that need a timeout to trip set
   * their own (an attempt timeout on the client or the writer).
   */
  public static final Duration DEFAULT_API_CALL_TIMEOUT = Duration.ofSeconds(60);

  /**
   * How long {@link #createStream} and readiness wait for ACTIVE (a hang guard): 2 min. kinesis-mock
   * turns a stream ACTIVE after 50 ms, but a loaded machine answers the polls slowly.
   */
  public static final Duration STREAM_ACTIVE_TIMEOUT = Duration.ofMinutes(2);

  /** The connect timeout of the clients built here (a hang guard): 10 s. */
  public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /**
   * The netty read and write timeouts of the clients built here: 120 s, as long as the longest API
   * call timeout used here, so that the API call timeout is the one bound (the Kinesis client's
   * default read timeout, 10 s, cut off slow answers of a loaded kinesis-mock first).
   */
  public static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(120);

  /** How often stream state is polled (the SDK's waiters default to 10 s): 100 ms. */
  public static final Duration POLL_INTERVAL = Duration.ofMillis(100);

  /** Environment variable naming an existing endpoint to test against instead of kinesis-mock. */
  public static final String ENDPOINT_ENV = "KINESIS_ENDPOINT";

  /** Optional environment variable naming the https endpoint that goes with {@code KINESIS_ENDPOINT}. */
  public static final String HTTPS_ENDPOINT_ENV = "KINESIS_HTTPS_ENDPOINT";

  private static final int READ_PAGE_RECORDS = 1_000;
  private static final Duration READ_PAGE_TIMEOUT = SOCKET_TIMEOUT;
  /** Reading one shard to its tip (a hang guard: a full shard on a loaded machine reads slowly). */
  private static final Duration READ_SHARD_TIMEOUT = Duration.ofMinutes(10);

  private final KinesisTestEnvironment environment;
  private final URI endpoint;
  private final @Nullable URI httpsEndpoint;
  private final Region region;
  private final String accountId;
  private final AwsCredentialsProvider credentials;
  private final KinesisAsyncClient admin;
  private final String runId = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
  private final AtomicLong streamCounter = new AtomicLong();
  private final Map<String, CachedShards> shardCache = new ConcurrentHashMap<>();
  private volatile @Nullable String sinkStream;

  private LocalKinesis(KinesisTestEnvironment environment) {
    this.environment = environment;
    this.endpoint =
        environment
            .endpoint()
            .orElseThrow(() -> new IllegalStateException(environment + " has no endpoint"));
    this.httpsEndpoint = environment.httpsEndpoint().orElse(null);
    this.region = environment.region();
    this.accountId = MOCK_ACCOUNT_ID;
    this.credentials = environment.credentialsProvider();
    this.admin = newClient(endpoint, o -> {});
    this.sinkStream = environment.readyStream().orElse(null);
  }

  /**
   * A ready Kinesis endpoint from {@link KinesisTestEnvironment#startNetwork}: the one in {@code
   * KINESIS_ENDPOINT} if set, else LocalStack when Testcontainers finds Docker, else a new
   * kinesis-mock server (the selection of the public {@code LocalKinesisExtension}, without its
   * in-memory fallback: these tests need HTTP).
   *
   * @param logName kinesis-mock's log file name in {@code kinesis.mock.logDir}, without {@code .log}
   */
  static LocalKinesis start(String logName) {
    KinesisTestEnvironment environment =
        KinesisTestEnvironment.startNetwork(KinesisBackend.AUTO, logName);
    try {
      return new LocalKinesis(environment);
    } catch (RuntimeException e) {
      environment.close();
      throw e;
    }
  }

  /** Closes the admin client and stops the server, if this handle started one. */
  void close() {
    try {
      admin.close();
    } finally {
      environment.close();
    }
  }

  /** The environment this handle wraps (backend, endpoint, process). */
  public KinesisTestEnvironment environment() {
    return environment;
  }

  /** The plain http endpoint (or {@code KINESIS_ENDPOINT} as given). */
  public URI endpoint() {
    return endpoint;
  }

  /**
   * The https endpoint, served with a self-signed certificate by kinesis-mock. With {@code
   * KINESIS_ENDPOINT} set, it is that endpoint if it is https, else {@code KINESIS_HTTPS_ENDPOINT};
   * when neither is https, the calling test is aborted (reported as skipped) with the reason.
   */
  public URI httpsEndpoint() {
    URI https = httpsEndpoint;
    Assumptions.assumeTrue(
        https != null,
        () -> ENDPOINT_ENV + "=" + endpoint + " is not https and " + HTTPS_ENDPOINT_ENV + " is unset");
    return Objects.requireNonNull(https);
  }

  /** Whether this is an endpoint from {@code KINESIS_ENDPOINT} rather than a server started here. */
  public boolean isExternal() {
    return environment.backend() != KinesisBackend.KINESIS_MOCK;
  }

  /** The region the clients sign for. */
  public Region region() {
    return region;
  }

  /** The account id of kinesis-mock's streams (as it appears in ARNs and throttling messages). */
  public String accountId() {
    return accountId;
  }

  /** The credentials the clients use: fake static ones unless the environment holds real ones. */
  public AwsCredentialsProvider credentialsProvider() {
    return credentials;
  }

  /** The server's log file ({@code target/kinesis-mock.log}), empty for an external endpoint. */
  public Optional<Path> logFile() {
    return environment.logFile();
  }

  /** The server's process id, empty for an external endpoint. */
  public Optional<Long> pid() {
    return environment.processId();
  }

  /** A new client of {@link #endpoint()} with the defaults described above; the caller closes it. */
  public KinesisAsyncClient newClient() {
    return newClient(endpoint, o -> {});
  }

  /**
   * A new client of {@link #endpoint()}; the caller closes it.
   *
   * @param overrides applied to a builder already holding the defaults (no retries, API call
   *     timeout), for example to add an interceptor or an attempt timeout
   */
  public KinesisAsyncClient newClient(Consumer<ClientOverrideConfiguration.Builder> overrides) {
    return newClient(endpoint, overrides);
  }

  /**
   * A new client of {@code endpoint} (for example a {@link FaultyTcpProxy}); the caller closes it.
   *
   * @param endpoint http or https endpoint
   * @param overrides applied to a builder already holding the defaults
   */
  public KinesisAsyncClient newClient(
      URI endpoint, Consumer<ClientOverrideConfiguration.Builder> overrides) {
    return clientBuilder(endpoint, http -> {}, overrides).build();
  }

  /**
   * A client builder with everything configured, for tests that need more control (HTTP/2, other
   * timeouts). The built client owns its HTTP client; the caller closes the built client.
   *
   * @param endpoint http or https endpoint
   * @param http applied to a netty builder already set to HTTP/1.1, a 10 s connect timeout and
   *     {@link #SOCKET_TIMEOUT}
   * @param overrides applied to an override builder already holding the defaults
   */
  public KinesisAsyncClientBuilder clientBuilder(
      URI endpoint,
      Consumer<NettyNioAsyncHttpClient.Builder> http,
      Consumer<ClientOverrideConfiguration.Builder> overrides) {
    NettyNioAsyncHttpClient.Builder netty =
        NettyNioAsyncHttpClient.builder()
            .protocol(Protocol.HTTP1_1)
            .connectionTimeout(CONNECT_TIMEOUT)
            .readTimeout(SOCKET_TIMEOUT)
            .writeTimeout(SOCKET_TIMEOUT);
    http.accept(netty);
    ClientOverrideConfiguration.Builder override =
        ClientOverrideConfiguration.builder()
            .retryStrategy(AwsRetryStrategy.doNotRetry())
            .apiCallTimeout(DEFAULT_API_CALL_TIMEOUT);
    overrides.accept(override);
    SdkAsyncHttpClient.Builder<?> httpBuilder =
        isLoopbackHttps(endpoint) ? new TrustAllCertificates(netty) : netty;
    return KinesisAsyncClient.builder()
        .endpointOverride(endpoint)
        .region(region)
        .credentialsProvider(credentials)
        .httpClientBuilder(httpBuilder)
        .overrideConfiguration(override.build());
  }

  /**
   * A stream name unique to this run: the hint reduced to the allowed characters, a run id and a
   * counter, for example {@code smoke-1f3a9c07-3}.
   */
  public String uniqueStreamName(String hint) {
    String clean = hint.replaceAll("[^A-Za-z0-9_.-]", "-");
    if (clean.length() > 90) {
      clean = clean.substring(0, 90);
    }
    return clean + "-" + runId + "-" + streamCounter.incrementAndGet();
  }

  /**
   * Creates a provisioned stream and waits until it is ACTIVE (polling every {@link
   * #POLL_INTERVAL}).
   *
   * @return {@code name}
   */
  public String createStream(String name, int shardCount) {
    join(admin.createStream(b -> b.streamName(name).shardCount(shardCount)));
    awaitStreamActive(name, isExternal() ? Duration.ofMinutes(3) : STREAM_ACTIVE_TIMEOUT);
    return name;
  }

  /** Polls DescribeStreamSummary until the stream is ACTIVE; a missing stream is polled again. */
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

  /** Deletes a stream (with its consumers) and does not wait. */
  public void deleteStream(String name) {
    try {
      join(admin.deleteStream(b -> b.streamName(name).enforceConsumerDeletion(true)));
    } catch (ResourceNotFoundException | ResourceInUseException ignored) {
      // Gone already, or being deleted.
    }
  }

  /** Every shard of the stream, closed ones included, in ListShards order. */
  public List<Shard> listShards(String stream) {
    List<Shard> shards = new ArrayList<>();
    ListShardsResponse page = join(admin.listShards(b -> b.streamName(stream)));
    shards.addAll(page.shards());
    while (page.nextToken() != null) {
      String token = page.nextToken();
      page = join(admin.listShards(b -> b.nextToken(token)));
      shards.addAll(page.shards());
    }
    return shards;
  }

  /**
   * Reads every record of every shard (closed ones included) from TRIM_HORIZON up to the tip.
   *
   * @return records per shard id, shards in ListShards order, records in sequence order
   */
  public Map<String, List<Record>> readAll(String stream) {
    Map<String, List<Record>> result = new LinkedHashMap<>();
    for (Shard shard : listShards(stream)) {
      result.put(shard.shardId(), readShard(stream, shard.shardId()));
    }
    return result;
  }

  private List<Record> readShard(String stream, String shardId) {
    List<Record> records = new ArrayList<>();
    String iterator =
        join(
                admin.getShardIterator(
                    b ->
                        b.streamName(stream)
                            .shardId(shardId)
                            .shardIteratorType(ShardIteratorType.TRIM_HORIZON)))
            .shardIterator();
    long deadline = System.nanoTime() + READ_SHARD_TIMEOUT.toNanos();
    while (iterator != null) {
      String current = iterator;
      // Pages of 1,000: kinesis-mock answers a large page of a full shard slowly (it has no 10 MiB
      // response cap), and a page of big records can still take seconds, hence the longer timeout.
      GetRecordsResponse page =
          join(
              admin.getRecords(
                  b ->
                      b.shardIterator(current)
                          .limit(READ_PAGE_RECORDS)
                          .overrideConfiguration(o -> o.apiCallTimeout(READ_PAGE_TIMEOUT))));
      records.addAll(page.records());
      iterator = page.nextShardIterator();
      Long behind = page.millisBehindLatest();
      if (page.records().isEmpty() && (behind == null || behind == 0L)) {
        break; // At the tip of an open shard (a closed shard ends with a null iterator).
      }
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException(
            "reading " + stream + "/" + shardId + " took over " + READ_SHARD_TIMEOUT);
      }
      if (isExternal()) {
        sleep(Duration.ofMillis(200)); // The service allows 5 GetRecords per second per shard.
      }
    }
    return records;
  }

  /**
   * A new fault interceptor for a client of this endpoint: its throttling messages name the
   * entry's shard (from ListShards and the partition key's MD5 hash) and this account, and a
   * request whose every entry is failed is redirected to a sink stream (see {@link
   * PutRecordsFaultInterceptor}).
   */
  public PutRecordsFaultInterceptor newFaultInterceptor() {
    return PutRecordsFaultInterceptor.create(sinkStream(), accountId, this::shardIdFor);
  }

  /**
   * The stream that takes the placeholder entry of a PutRecords request whose every entry was
   * failed by fault injection: kinesis-mock's readiness stream, or a stream created on first use
   * for an external endpoint.
   */
  public String sinkStream() {
    String sink = sinkStream;
    if (sink == null) {
      synchronized (this) {
        sink = sinkStream;
        if (sink == null) {
          sink = createStream(uniqueStreamName("kinesis-resilient-fault-sink"), 1);
          sinkStream = sink;
        }
      }
    }
    return sink;
  }

  /**
   * The open shard that takes an entry now, from a ListShards result cached for one second.
   *
   * @return the shard id, or {@code shardId-000000000000} when the stream cannot be listed
   */
  public String shardIdFor(String stream, PutRecordsRequestEntry entry) {
    BigInteger hashKey = hashKey(entry.partitionKey(), entry.explicitHashKey());
    CachedShards cached = shardCache.get(stream);
    if (cached == null || System.nanoTime() - cached.loadedAtNanos > 1_000_000_000L) {
      try {
        cached = new CachedShards(System.nanoTime(), listShards(stream));
      } catch (RuntimeException e) {
        return "shardId-000000000000";
      }
      shardCache.put(stream, cached);
    }
    for (Shard shard : cached.shards) {
      if (shard.sequenceNumberRange().endingSequenceNumber() == null
          && new BigInteger(shard.hashKeyRange().startingHashKey()).compareTo(hashKey) <= 0
          && new BigInteger(shard.hashKeyRange().endingHashKey()).compareTo(hashKey) >= 0) {
        return shard.shardId();
      }
    }
    return "shardId-000000000000";
  }

  /** The hash key Kinesis routes by: the explicit one, else the partition key's MD5 as unsigned. */
  public static BigInteger hashKey(String partitionKey, @Nullable String explicitHashKey) {
    if (explicitHashKey != null) {
      return new BigInteger(explicitHashKey);
    }
    try {
      byte[] md5 =
          MessageDigest.getInstance("MD5").digest(partitionKey.getBytes(StandardCharsets.UTF_8));
      return new BigInteger(1, md5);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits for an SDK future and rethrows its failure unwrapped. */
  static <T> T join(CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
  }

  private static boolean isLoopbackHttps(URI endpoint) {
    if (!"https".equalsIgnoreCase(endpoint.getScheme()) || endpoint.getHost() == null) {
      return false;
    }
    try {
      return InetAddress.getByName(endpoint.getHost()).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
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
    return "LocalKinesis[" + (isExternal() ? "external " : "kinesis-mock ") + endpoint + "]";
  }

  private record CachedShards(long loadedAtNanos, List<Shard> shards) {}

  /** Trusts kinesis-mock's self-signed certificate; used only for loopback https endpoints. */
  private static final class TrustAllCertificates
      implements SdkAsyncHttpClient.Builder<TrustAllCertificates> {
    private final NettyNioAsyncHttpClient.Builder delegate;

    TrustAllCertificates(NettyNioAsyncHttpClient.Builder delegate) {
      this.delegate = delegate;
    }

    @Override
    public SdkAsyncHttpClient buildWithDefaults(AttributeMap serviceDefaults) {
      return delegate.buildWithDefaults(
          AttributeMap.builder()
              .put(SdkHttpConfigurationOption.TRUST_ALL_CERTIFICATES, Boolean.TRUE)
              .build()
              .merge(serviceDefaults));
    }
  }
}
