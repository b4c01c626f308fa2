package dev.kinesisresilient.core.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.Http2Metric;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.ProtocolNegotiation;
import software.amazon.awssdk.metrics.MetricCollection;
import software.amazon.awssdk.metrics.MetricPublisher;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/** The infrastructure itself: kinesis-mock answers the Kinesis API the writer relies on. */
@ExtendWith(KinesisMockExtension.class)
final class KinesisMockSmokeIT {

  @Test
  void putRecords_oneAndFourShards_readBackIdenticalBytesOnTheirShards(
      LocalKinesis kinesis, KinesisAsyncClient client) {
    for (int shardCount : new int[] {1, 4}) {
      String stream = kinesis.createStream(kinesis.uniqueStreamName("smoke-" + shardCount), shardCount);
      List<PutRecordsRequestEntry> entries = entries(200, new Random(shardCount));

      PutRecordsResponse response =
          client.putRecords(b -> b.streamName(stream).records(entries)).join();

      assertThat(response.failedRecordCount()).isZero();
      assertThat(response.records()).hasSize(entries.size());
      List<Shard> shards = kinesis.listShards(stream);
      assertThat(shards).hasSize(shardCount);
      Map<String, List<Record>> readBack = kinesis.readAll(stream);
      assertThat(readBack.values().stream().mapToInt(List::size).sum()).isEqualTo(entries.size());
      for (int i = 0; i < entries.size(); i++) {
        PutRecordsRequestEntry sent = entries.get(i);
        PutRecordsResultEntry result = response.records().get(i);
        assertThat(kinesis.shardIdFor(stream, sent)).isEqualTo(result.shardId());
        List<Record> onShard = readBack.get(result.shardId());
        assertThat(onShard)
            .filteredOn(r -> r.sequenceNumber().equals(result.sequenceNumber()))
            .singleElement()
            .satisfies(
                r -> {
                  assertThat(r.partitionKey()).isEqualTo(sent.partitionKey());
                  assertThat(r.data().asByteArrayUnsafe()).isEqualTo(sent.data().asByteArrayUnsafe());
                });
      }
    }
  }

  @Test
  void listShards_fourShards_hashRangesCoverTheKeySpaceWithoutGaps(LocalKinesis kinesis) {
    String stream = kinesis.createStream(kinesis.uniqueStreamName("ranges"), 4);

    List<Shard> shards = new ArrayList<>(kinesis.listShards(stream));

    shards.sort(Comparator.comparing(s -> new BigInteger(s.hashKeyRange().startingHashKey())));
    BigInteger expectedStart = BigInteger.ZERO;
    for (Shard shard : shards) {
      assertThat(new BigInteger(shard.hashKeyRange().startingHashKey())).isEqualTo(expectedStart);
      expectedStart = new BigInteger(shard.hashKeyRange().endingHashKey()).add(BigInteger.ONE);
    }
    assertThat(expectedStart).isEqualTo(BigInteger.ONE.shiftLeft(128));
  }

  /** No bound on how long it took: on a loaded machine a few polls can take seconds. */
  @Test
  void createStream_returnsOnceActive(LocalKinesis kinesis, KinesisAsyncClient client) {
    String stream = kinesis.createStream(kinesis.uniqueStreamName("create"), 2);

    assertThat(
            client
                .describeStreamSummary(b -> b.streamName(stream))
                .join()
                .streamDescriptionSummary()
                .streamStatus())
        .isEqualTo(StreamStatus.ACTIVE);
  }

  @Test
  void httpsEndpoint_http11TrustingTheSelfSignedCertificate_works(LocalKinesis kinesis) {
    URI https = kinesis.httpsEndpoint();
    String stream = kinesis.createStream(kinesis.uniqueStreamName("https"), 1);
    List<PutRecordsRequestEntry> entries = entries(20, new Random(3));

    try (KinesisAsyncClient client = kinesis.newClient(https, o -> {})) {
      PutRecordsResponse response = client.putRecords(b -> b.streamName(stream).records(entries)).join();

      assertThat(response.failedRecordCount()).isZero();
    }
    assertThat(kinesis.readAll(stream).values().stream().mapToInt(List::size).sum()).isEqualTo(20);
  }

  /**
   * kinesis-mock's TLS port negotiates HTTP/2 by ALPN (curl: "ALPN: server accepted h2"), and the
   * SDK's netty client speaks it with {@code protocolNegotiation(ALPN)} (2.57.8 has it). HTTP/2 by
   * prior knowledge ({@code ASSUME_PROTOCOL}) fails on that port. The HTTP/2-only metrics prove
   * which protocol carried the calls.
   */
  @Test
  void httpsEndpoint_http2NegotiatedByAlpn_works(LocalKinesis kinesis) {
    URI https = kinesis.httpsEndpoint();
    String stream = kinesis.createStream(kinesis.uniqueStreamName("h2"), 2);
    List<PutRecordsRequestEntry> entries = entries(50, new Random(4));
    MetricNames metrics = new MetricNames();

    try (KinesisAsyncClient client =
        kinesis
            .clientBuilder(
                https,
                http -> http.protocol(Protocol.HTTP2).protocolNegotiation(ProtocolNegotiation.ALPN),
                o -> o.addMetricPublisher(metrics))
            .build()) {
      PutRecordsResponse response = client.putRecords(b -> b.streamName(stream).records(entries)).join();
      assertThat(response.failedRecordCount()).isZero();
      assertThat(client.listShards(b -> b.streamName(stream)).join().shards()).hasSize(2);
    }

    assertThat(metrics.names).contains(Http2Metric.LOCAL_STREAM_WINDOW_SIZE_IN_BYTES.name());
    assertThat(kinesis.readAll(stream).values().stream().mapToInt(List::size).sum()).isEqualTo(50);
  }

  @Test
  void uniqueStreamName_manyCalls_allDistinctAndValid(LocalKinesis kinesis) {
    Set<String> names =
        java.util.stream.IntStream.range(0, 100)
            .mapToObj(i -> kinesis.uniqueStreamName("name with spaces/and:colons"))
            .collect(Collectors.toSet());

    assertThat(names).hasSize(100).allMatch(n -> n.matches("[A-Za-z0-9_.-]{1,128}"));
  }

  /** Entries of 1 byte to 20 KiB with random partition keys. */
  static List<PutRecordsRequestEntry> entries(int count, Random random) {
    List<PutRecordsRequestEntry> entries = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      byte[] data = new byte[1 + random.nextInt(i % 10 == 0 ? 20 * 1024 : 512)];
      random.nextBytes(data);
      entries.add(
          PutRecordsRequestEntry.builder()
              .partitionKey("pk-" + i + "-" + Long.toHexString(random.nextLong()))
              .data(SdkBytes.fromByteArray(data))
              .build());
    }
    return entries;
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
