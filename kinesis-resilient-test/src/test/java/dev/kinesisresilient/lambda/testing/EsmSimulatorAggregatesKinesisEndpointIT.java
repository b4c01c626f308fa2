package dev.kinesisresilient.lambda.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kinesisresilient.core.KinesisRecord;
import dev.kinesisresilient.core.aggregation.AggregateBuilder;
import dev.kinesisresilient.core.it.KinesisMockExtension;
import dev.kinesisresilient.core.it.LocalKinesis;
import dev.kinesisresilient.lambda.KinesisBatchProcessor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;

/**
 * KPL aggregates written to a real Kinesis API (kinesis-mock started by {@link KinesisMockExtension},
 * or the endpoint in {@code KINESIS_ENDPOINT}) and read back through the simulated event source
 * mapping into a wrapped handler, which opens them: every user record exactly once, with its key.
 */
@ExtendWith(KinesisMockExtension.class)
final class EsmSimulatorAggregatesKinesisEndpointIT {

  @Test
  void realEndpoint_aggregatesReadThroughSimulatorIntoWrappedHandler_everyUserRecordOnceWithItsKey(
      LocalKinesis kinesis, KinesisAsyncClient client) {
    String stream = kinesis.createStream(kinesis.uniqueStreamName("esm-agg"), 2);
    Map<String, String> expected = new HashMap<>(); // user data -> partition key
    List<PutRecordsRequestEntry> entries = new ArrayList<>();
    int n = 0;
    for (int agg = 0; agg < 60; agg++) {
      // Every sub-record goes where the carrying record goes: the carrier takes the first
      // sub-record's key, as AggregateBuilder does.
      AggregateBuilder b = new AggregateBuilder(1024 * 1024);
      for (int sub = 0, subs = 1 + agg % 12; sub < subs; sub++, n++) {
        String key = "user-" + (n % 31) + "-ключ";
        String data = "{\"n\":" + n + "}";
        assertThat(b.tryAdd(KinesisRecord.of(key, data.getBytes(StandardCharsets.UTF_8)))).isTrue();
        expected.put(data, key);
      }
      KinesisRecord carrier = b.toKinesisRecord();
      entries.add(PutRecordsRequestEntry.builder().partitionKey(carrier.partitionKey()).data(carrier.data()).build());
      if (agg % 10 == 0) {
        String data = "{\"plain\":" + n + "}";
        entries.add(PutRecordsRequestEntry.builder().partitionKey("plain-" + agg)
            .data(software.amazon.awssdk.core.SdkBytes.fromUtf8String(data)).build());
        expected.put(data, "plain-" + agg);
      }
    }
    PutRecordsResponse put = client.putRecords(r -> r.streamName(stream).records(entries)).join();
    assertThat(put.failedRecordCount()).isZero();
    assertThat(put.records().stream().map(r -> r.shardId()).distinct().count()).isEqualTo(2);

    Map<String, Integer> byIdempotencyKey = new ConcurrentHashMap<>();
    Map<String, String> handled = new ConcurrentHashMap<>();
    KinesisBatchProcessor processor = KinesisBatchProcessor.builder(r -> {
          byIdempotencyKey.merge(r.idempotencyKey(), 1, Integer::sum);
          assertThat(handled.put(r.dataAsString(), r.partitionKey())).as("handled twice").isNull();
        }).build();
    EsmSimulator esm = EsmSimulator.builder(client, stream, processor::handleRequest)
        .mapping(EventSourceMappingConfig.recommended().batchSize(9).build())
        .functionTimeout(Duration.ofSeconds(30)).build();
    esm.runUntilIdle();

    assertThat(esm.trace().committed()).hasSize(entries.size());
    assertThat(esm.trace().redelivered()).isEmpty();
    assertThat(handled).isEqualTo(expected);
    assertThat(byIdempotencyKey).hasSize(expected.size()).allSatisfy((k, v) -> assertThat(v).isEqualTo(1));
    client.deleteStream(b -> b.streamName(stream)).join();
  }
}
