package dev.kinesisresilient.lambda.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kinesisresilient.core.KinesisClientConfig;
import dev.kinesisresilient.core.KinesisClientFactory;
import dev.kinesisresilient.lambda.KinesisBatchProcessor;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/**
 * Records written to a real Kinesis API (kinesis-mock, LocalStack) and consumed through the simulated
 * event source mapping into a wrapped handler.
 *
 * <p>The endpoint comes from the environment variable {@code KINESIS_ENDPOINT} (for example
 * {@code http://localhost:4567}); without it the test is skipped. To be switched to core's
 * kinesis-mock JUnit extension once that lands.
 */
final class EsmSimulatorKinesisEndpointIT {

  @Test
  void realEndpoint_recordsConsumedThroughSimulatorIntoWrappedHandler_eachHandledOnce() throws Exception {
    String endpoint = System.getenv("KINESIS_ENDPOINT");
    assumeTrue(endpoint != null && !endpoint.isBlank(),
        "KINESIS_ENDPOINT is not set: skipping the ESM simulator IT against a real Kinesis API "
            + "(start kinesis-mock and set KINESIS_ENDPOINT=http://localhost:4567 to run it)");
    String stream = "esm-it-" + UUID.randomUUID().toString().substring(0, 8);
    try (KinesisAsyncClient client = KinesisClientFactory.create(KinesisClientConfig.builder()
        .region(Region.US_EAST_1).endpointOverride(URI.create(endpoint))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("it", "it")))
        .build())) {
      client.createStream(b -> b.streamName(stream).shardCount(2)).join();
      for (int i = 0; i < 100; i++) {
        StreamStatus status = client.describeStreamSummary(b -> b.streamName(stream)).join()
            .streamDescriptionSummary().streamStatus();
        if (status == StreamStatus.ACTIVE) {
          break;
        }
        Thread.sleep(100); // an IT against a real service may wait for it
      }
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
}
