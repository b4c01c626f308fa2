package dev.kinesisresilient.examples.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import dev.kinesisresilient.core.KinesisBatchWriter;
import dev.kinesisresilient.core.KinesisClientConfig;
import dev.kinesisresilient.core.KinesisClientFactory;
import dev.kinesisresilient.core.RetryPolicy;
import dev.kinesisresilient.lambda.EmfWriter;
import dev.kinesisresilient.lambda.KinesisBatchProcessor;
import dev.kinesisresilient.lambda.QuarantineSink;
import dev.kinesisresilient.lambda.StreamRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/**
 * A Kinesis-triggered Lambda function that processes orders one record at a time with the resilient
 * wrapper: stop at the first failure, report exactly that record, stop before the timeout, retry a
 * failing record a few times in process, then move it to a quarantine stream so the shard goes on.
 *
 * <p>Everything is built once per container (static initialisation happens at cold start) and reused by
 * every invocation. Deployed by {@code examples/lambda/template.yaml}, whose mapping settings
 * ({@code ReportBatchItemFailures}, bounded retries, bisect, maximum record age, on-failure destination)
 * this handler relies on.
 */
public final class OrdersHandler implements RequestHandler<KinesisEvent, StreamsEventResponse> {

  private final KinesisBatchProcessor processor;

  /** Called by the Lambda runtime once per container. */
  public OrdersHandler() {
    String region = Objects.requireNonNullElse(System.getenv("AWS_REGION"), "us-east-1");
    String quarantineStream = Objects.requireNonNullElse(System.getenv("QUARANTINE_STREAM"), "orders-quarantine");
    KinesisAsyncClient kinesis = KinesisClientFactory.create(
        KinesisClientConfig.builder().region(Region.of(region)).build());
    KinesisBatchWriter quarantineWriter = KinesisBatchWriter.builder(kinesis)
        .streamName(quarantineStream)
        .retryPolicy(RetryPolicy.builder().maxAttempts(4).deadline(Duration.ofSeconds(5)).build())
        .build();
    this.processor = KinesisBatchProcessor.builder(OrdersHandler::handle)
        .retryPolicy(RetryPolicy.builder().maxAttempts(3).baseDelay(Duration.ofMillis(100))
            .maxDelay(Duration.ofSeconds(1)).deadline(Duration.ofSeconds(5)).build())
        .permanentFailure(e -> e instanceof IllegalArgumentException)
        .quarantineSink(QuarantineSink.kinesis(quarantineWriter))
        .maxRecordAge(Duration.ofHours(6))
        .safetyMargin(Duration.ofSeconds(3))
        .emf(EmfWriter.builder("Orders/Consumer")
            .dimension("FunctionName", Objects.requireNonNullElse(System.getenv("AWS_LAMBDA_FUNCTION_NAME"), "orders"))
            .build())
        .build();
  }

  /**
   * The wrapper builds the partial batch response.
   *
   * @param event the Kinesis batch
   * @param context the invocation's context
   * @return the partial batch response
   */
  @Override
  public StreamsEventResponse handleRequest(KinesisEvent event, Context context) {
    return processor.handleRequest(event, context);
  }

  /**
   * The business logic for one record. Must be idempotent: Lambda delivers at least once.
   *
   * @param record the record
   */
  static void handle(StreamRecord record) {
    String json = new String(record.dataBytes(), StandardCharsets.UTF_8);
    if (!json.startsWith("{")) {
      // Never valid: quarantine at once instead of retrying (see permanentFailure above).
      throw new IllegalArgumentException("order is not a JSON object");
    }
    // ... parse the order and write it to the database, keyed by record.idempotencyKey() for idempotency
    // (sequence and sub-sequence number: unique per user record, also inside KPL aggregates).
  }
}
