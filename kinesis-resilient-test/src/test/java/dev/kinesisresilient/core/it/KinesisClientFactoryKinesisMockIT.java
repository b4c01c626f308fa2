package dev.kinesisresilient.core.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kinesisresilient.core.BatchLimits;
import dev.kinesisresilient.core.BatchWriteResult;
import dev.kinesisresilient.core.HttpProtocol;
import dev.kinesisresilient.core.KinesisBatchWriter;
import dev.kinesisresilient.core.KinesisClientConfig;
import dev.kinesisresilient.core.KinesisClientFactory;
import dev.kinesisresilient.core.KinesisRecord;
import dev.kinesisresilient.core.RetryPolicy;
import dev.kinesisresilient.core.it.FaultyTcpProxy.Fault;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.Http2Metric;
import software.amazon.awssdk.http.HttpMetric;
import software.amazon.awssdk.metrics.MetricCollection;
import software.amazon.awssdk.metrics.MetricPublisher;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/**
 * Clients from {@link KinesisClientFactory} against kinesis-mock itself (the loopback fake server
 * of {@code KinesisClientFactoryIT} speaks only a few operations): HTTP/1.1 over http, HTTP/1.1
 * over https and HTTP/2 negotiated by ALPN over https, the https ones trusting kinesis-mock's
 * self-signed certificate because {@link KinesisClientConfig#forLocalEndpoint} asks for it on a
 * loopback endpoint. Each does a full round trip with the factory's client alone: CreateStream,
 * PutRecords through the core writer, GetShardIterator/GetRecords on every shard.
 */
@ExtendWith(KinesisMockExtension.class)
final class KinesisClientFactoryKinesisMockIT {

  enum Transport {
    HTTP1_1_PLAIN(false, HttpProtocol.HTTP1_1),
    HTTP1_1_TLS_TRUST_ALL(true, HttpProtocol.HTTP1_1),
    HTTP2_ALPN_TLS_TRUST_ALL(true, HttpProtocol.HTTP2);

    final boolean https;
    final HttpProtocol protocol;

    Transport(boolean https, HttpProtocol protocol) {
      this.https = https;
      this.protocol = protocol;
    }
  }

  /**
   * Hang guards for the round trip: the factory's defaults (2 s per attempt, 5 s per call) are meant
   * for the real service, and kinesis-mock on a loaded 2-core machine can take longer. Timeouts are
   * not what this test is about; the writer's retries stay on, and the assertions allow for them.
   */
  private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(30);

  private static final RetryPolicy PATIENT_RETRIES =
      RetryPolicy.builder().maxAttempts(20).deadline(Duration.ofMinutes(3)).build();

  @ParameterizedTest
  @EnumSource(Transport.class)
  void factoryClient_createPutGet_roundTripThroughTheWriter(Transport transport, LocalKinesis kinesis) {
    URI endpoint = transport.https ? kinesis.httpsEndpoint() : kinesis.endpoint();
    assumeLoopback(endpoint);
    KinesisClientConfig config =
        KinesisClientConfig.forLocalEndpoint(endpoint).toBuilder()
            .protocol(transport.protocol)
            .attemptTimeout(ATTEMPT_TIMEOUT)
            .apiCallTimeout(ATTEMPT_TIMEOUT.multipliedBy(2))
            .connectionTimeout(Duration.ofSeconds(10))
            .connectionAcquisitionTimeout(ATTEMPT_TIMEOUT)
            .readTimeout(ATTEMPT_TIMEOUT)
            .writeTimeout(ATTEMPT_TIMEOUT)
            .build();
    assertThat(config.trustAllCertificates()).isEqualTo(transport.https);
    String stream = kinesis.uniqueStreamName("factory-" + transport);
    List<KinesisRecord> records = records(transport.name(), 300, new Random(transport.ordinal()));
    MetricNames metrics = new MetricNames();

    try (KinesisAsyncClient client = KinesisClientFactory.create(config)) {
      client
          .createStream(b -> b.streamName(stream).shardCount(2)
              .overrideConfiguration(o -> o.addMetricPublisher(metrics)))
          .join();
      awaitActive(client, stream);

      BatchWriteResult result;
      // Requests of 25 records: 12 requests, up to 8 in flight, share the connection(s).
      try (KinesisBatchWriter writer =
          KinesisBatchWriter.builder(client)
              .streamName(stream)
              .limits(BatchLimits.defaults().withMaxRecordsPerRequest(25))
              .attemptTimeout(ATTEMPT_TIMEOUT)
              .retryPolicy(PATIENT_RETRIES)
              .build()) {
        result = writer.write(records).join();
      }

      assertThat(result.results()).hasSize(records.size());
      assertThat(result.allAcknowledged()).as("%s", result).isTrue();
      List<Shard> shards =
          client
              .listShards(b -> b.streamName(stream).overrideConfiguration(o -> o.addMetricPublisher(metrics)))
              .join()
              .shards();
      assertThat(shards).hasSize(2);
      Map<String, List<Record>> read = new LinkedHashMap<>();
      for (Shard shard : shards) {
        read.put(shard.shardId(), readShard(client, stream, shard.shardId()));
      }
      // At least once: each acknowledged record where reported; a second copy only after a retry.
      AtLeastOnce.Summary summary = AtLeastOnce.check(result.results(), ReadBack.of(read));
      assertThat(summary.acknowledged()).isEqualTo(records.size());
    }

    // Which protocol carried the calls: only HTTP/2 reports stream window metrics.
    assertThat(metrics.names).contains(HttpMetric.HTTP_CLIENT_NAME.name());
    if (transport.protocol == HttpProtocol.HTTP2) {
      assertThat(metrics.names).contains(Http2Metric.LOCAL_STREAM_WINDOW_SIZE_IN_BYTES.name());
    } else {
      assertThat(metrics.names).doesNotContain(Http2Metric.LOCAL_STREAM_WINDOW_SIZE_IN_BYTES.name());
    }
  }

  /**
   * What a loaded machine does to the round trip above, made certain: with the factory's own local
   * defaults (2 s per attempt), one request's answer is withheld after the server stored it. The
   * attempt times out, the writer retries it, and the stream holds those records twice; the writer
   * reports each once, with attempts &gt; 1 and the position of the copy it was told about.
   */
  @Test
  void factoryClient_stalledAttempt_retriedStoredTwiceReportedOnce(LocalKinesis kinesis) {
    String stream = kinesis.createStream(kinesis.uniqueStreamName("factory-stall"), 2);
    List<KinesisRecord> records = records("stall", 100, new Random(99));

    BatchWriteResult result;
    try (FaultyTcpProxy proxy = FaultyTcpProxy.start(kinesis.endpoint())) {
      KinesisClientConfig config = KinesisClientConfig.forLocalEndpoint(proxy.endpoint());
      assertThat(config.attemptTimeout()).isEqualTo(Duration.ofSeconds(2));
      proxy.faultNextRequests(Fault.stall(), 1);
      try (KinesisAsyncClient client = KinesisClientFactory.create(config);
          KinesisBatchWriter writer =
              KinesisBatchWriter.builder(client)
                  .streamName(stream)
                  .limits(BatchLimits.defaults().withMaxRecordsPerRequest(25))
                  .retryPolicy(PATIENT_RETRIES)
                  .build()) {
        result = writer.write(records).join();
      }
      assertThat(proxy.stalls()).isEqualTo(1);
      proxy.awaitResponsesWithheld(1, LocalKinesis.DEFAULT_API_CALL_TIMEOUT);
    }

    assertThat(result.results()).hasSize(records.size());
    assertThat(result.allAcknowledged()).as("%s", result).isTrue();
    AtLeastOnce.Summary summary = AtLeastOnce.check(result.results(), ReadBack.of(kinesis, stream));
    // The stalled request's 25 records (at least: other attempts may time out on a loaded machine).
    assertThat(summary.duplicated()).isGreaterThanOrEqualTo(25);
    assertThat(result.acknowledged()).filteredOn(a -> a.attempts() > 1).hasSizeGreaterThanOrEqualTo(25);
  }

  /** Trust-all is opt-in: a config without it refuses kinesis-mock's self-signed certificate. */
  @Test
  void factoryClient_httpsWithoutTrustAll_refusesTheSelfSignedCertificate(LocalKinesis kinesis) {
    URI endpoint = kinesis.httpsEndpoint();
    assumeLoopback(endpoint);
    Assumptions.assumeFalse(kinesis.isExternal(), "an external endpoint may have a trusted certificate");
    KinesisClientConfig config =
        KinesisClientConfig.builder()
            .region(Region.US_EAST_1)
            .endpointOverride(endpoint)
            .credentialsProvider(kinesis.credentialsProvider())
            .build();
    assertThat(config.trustAllCertificates()).isFalse();

    try (KinesisAsyncClient client = KinesisClientFactory.create(config)) {
      assertThatThrownBy(() -> client.listStreams().join())
          .isInstanceOf(CompletionException.class)
          .cause()
          .isInstanceOf(SdkClientException.class)
          .satisfies(e -> assertThat(causes(e)).anyMatch(SSLHandshakeException.class::isInstance))
          // the real failure's cause chain is classified as not retriable: the writer won't spin on it
          .satisfies(e -> assertThat(dev.kinesisresilient.core.ErrorClassifier.defaults().classifyFailure(e))
              .isEqualTo(new dev.kinesisresilient.core.ErrorClassification(false, "TlsCertificate")));
    }
  }

  private static void assumeLoopback(URI endpoint) {
    String host = endpoint.getHost();
    Assumptions.assumeTrue(
        host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]"),
        () -> "KinesisClientConfig.forLocalEndpoint needs a loopback endpoint, got " + endpoint);
  }

  private static List<Throwable> causes(Throwable e) {
    List<Throwable> chain = new ArrayList<>();
    for (Throwable t = e; t != null && !chain.contains(t); t = t.getCause()) {
      chain.add(t);
    }
    return chain;
  }

  private static void awaitActive(KinesisAsyncClient client, String stream) {
    Duration timeout = LocalKinesis.STREAM_ACTIVE_TIMEOUT;
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        StreamStatus status =
            client.describeStreamSummary(b -> b.streamName(stream)).join()
                .streamDescriptionSummary().streamStatus();
        if (status == StreamStatus.ACTIVE) {
          return;
        }
      } catch (CompletionException notYetVisible) {
        // Polled again.
      }
      assertThat(System.nanoTime() - deadline).as("stream ACTIVE within %s", timeout).isNegative();
      try {
        Thread.sleep(LocalKinesis.POLL_INTERVAL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  private static List<Record> readShard(KinesisAsyncClient client, String stream, String shardId) {
    String iterator =
        client
            .getShardIterator(
                b -> b.streamName(stream).shardId(shardId).shardIteratorType(ShardIteratorType.TRIM_HORIZON))
            .join()
            .shardIterator();
    List<Record> records = new ArrayList<>();
    while (iterator != null) {
      String current = iterator;
      GetRecordsResponse page = client.getRecords(b -> b.shardIterator(current)).join();
      records.addAll(page.records());
      iterator = page.nextShardIterator();
      Long behind = page.millisBehindLatest();
      if (page.records().isEmpty() && (behind == null || behind == 0L)) {
        break;
      }
    }
    return records;
  }

  private static List<KinesisRecord> records(String prefix, int count, Random random) {
    List<KinesisRecord> records = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      byte[] data = new byte[1 + random.nextInt(i % 10 == 0 ? 8_192 : 256)];
      random.nextBytes(data);
      records.add(KinesisRecord.of(prefix + "-" + i + "-" + random.nextInt(1_000_000), data));
    }
    return records;
  }

  /** Collects the names of every metric reported, children included. */
  private static final class MetricNames implements MetricPublisher {
    final Set<String> names = ConcurrentHashMap.newKeySet();

    @Override
    public void publish(MetricCollection metrics) {
      metrics.forEach(record -> names.add(record.metric().name()));
      metrics.children().forEach(this::publish);
    }

    @Override
    public void close() {}
  }
}
