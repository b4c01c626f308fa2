package dev.kinesisresilient.lambda.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kinesisresilient.core.it.KinesisMockExtension;
import dev.kinesisresilient.core.it.LocalKinesis;
import dev.kinesisresilient.lambda.KinesisBatchProcessor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;

/**
 * Records written to a real Kinesis API (kinesis-mock started by {@link KinesisMockExtension}, or the
 * endpoint in {@code KINESIS_ENDPOINT}) and consumed through the simulated event source mapping into a
 * wrapped handler.
 */
@ExtendWith(KinesisMockExtension.class)
final class EsmSimulatorKinesisEndpointIT {

  @Test
  void realEndpoint_recordsConsumedThroughSimulatorIntoWrappedHandler_eachHandledOnce(
      LocalKinesis kinesis, KinesisAsyncClient client) {
    String stream = kinesis.createStream(kinesis.uniqueStreamName("esm"), 2);
    List<PutRecordsRequestEntry> entries = new java.util.ArrayList<>();
    for (int i = 0; i < 200; i++) {
      entries.add(PutRecordsRequestEntry.builder().partitionKey("k-" + (i % 17))
          .data(SdkBytes.fromUtf8String("{\"i\":" + i + (i == 77 ? ",\"pill\":true" : "") + "}")).build());
    }
    assertThat(client.putRecords(b -> b.streamName(stream).records(entries)).join().failedRecordCount()).isZero();

    Map<String, Integer> handled = new ConcurrentHashMap<>();
    List<String> quarantined = new java.util.concurrent.CopyOnWriteArrayList<>();
    KinesisBatchProcessor processor = KinesisBatchProcessor.builder(r -> {
          if (r.dataAsString().contains("pill")) {
            throw new IllegalStateException("pill");
          }
          handled.merge(r.sequenceNumber(), 1, Integer::sum);
        })
        .retryPolicy(dev.kinesisresilient.core.RetryPolicy.builder().maxAttempts(2)
            .baseDelay(Duration.ofMillis(1)).maxDelay(Duration.ofMillis(5)).build())
        .quarantineSink((q, left) -> quarantined.add(q.record().sequenceNumber()))
        .build();
    EsmSimulator esm = EsmSimulator.builder(client, stream, processor::handleRequest)
        .mapping(EventSourceMappingConfig.recommended().batchSize(25).build())
        .functionTimeout(Duration.ofSeconds(30)).build();
    esm.runUntilIdle();

    assertThat(esm.trace().committed()).hasSize(200);
    assertThat(quarantined).hasSize(1);
    assertThat(handled).hasSize(199).allSatisfy((k, v) -> assertThat(v).isEqualTo(1));
    assertThat(esm.trace().redelivered()).isEmpty();
    client.deleteStream(b -> b.streamName(stream)).join();
  }
}
