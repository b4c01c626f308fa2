package dev.kinesisresilient.core.lean;

import dev.kinesisresilient.core.BatchWriteResult;
import dev.kinesisresilient.core.KinesisBatchWriter;
import dev.kinesisresilient.core.KinesisClientConfig;
import dev.kinesisresilient.core.KinesisClientFactory;
import dev.kinesisresilient.core.KinesisRecord;
import dev.kinesisresilient.core.RetryPolicy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;

/**
 * Code a user runs with kinesis-resilient-core and the AWS SDK's Kinesis model but without Micrometer,
 * resilience4j or any HTTP client, run by {@link LeanClassPathTest} on a class loader without them.
 * Uses nothing from the testing packages, so it keeps running when they move to another artifact.
 */
public final class LeanWriterProbe {

  private LeanWriterProbe() {}

  /**
   * Writes two records with a writer that has no metrics, through a client that acknowledges all.
   *
   * @return the write's result, as text
   */
  public static String writeWithoutMetrics() {
    RetryPolicy policy = RetryPolicy.builder().maxAttempts(2).baseDelay(Duration.ofMillis(1)).build();
    try (KinesisAsyncClient client = new AcknowledgingClient();
        KinesisBatchWriter writer = KinesisBatchWriter.builder(client).streamName("orders").retryPolicy(policy)
            .build()) {
      BatchWriteResult result = writer.write(List.of(
          KinesisRecord.of("a", "1".getBytes(StandardCharsets.UTF_8)),
          KinesisRecord.of("b", "2".getBytes(StandardCharsets.UTF_8)))).join();
      return "acknowledged=" + result.acknowledged().size() + " failed=" + result.failed().size();
    }
  }

  /**
   * Asks {@link KinesisClientFactory} for a client.
   *
   * @return the failure's type and message, or "created"
   */
  public static String factory() {
    try (KinesisAsyncClient client = KinesisClientFactory.create(
        KinesisClientConfig.forLocalEndpoint(URI.create("http://localhost:4567")))) {
      return "created " + client.serviceName();
    } catch (RuntimeException | LinkageError e) {
      return e.getClass().getName() + ": " + e.getMessage();
    }
  }

  private static final class AcknowledgingClient implements KinesisAsyncClient {
    @Override
    public CompletableFuture<PutRecordsResponse> putRecords(PutRecordsRequest request) {
      List<PutRecordsResultEntry> entries = new ArrayList<>();
      for (int i = 0; i < request.records().size(); i++) {
        entries.add(PutRecordsResultEntry.builder().shardId("shardId-000000000000")
            .sequenceNumber(String.valueOf(i + 1)).build());
      }
      return CompletableFuture.completedFuture(
          PutRecordsResponse.builder().failedRecordCount(0).records(entries).build());
    }

    @Override
    public String serviceName() {
      return "Kinesis";
    }

    @Override
    public void close() {}
  }
}
