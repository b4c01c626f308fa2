package dev.kinesisresilient.examples.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.KinesisTimeWindowEvent;
import com.amazonaws.services.lambda.runtime.events.TimeWindowEventResponse;
import dev.kinesisresilient.core.KinesisBatchWriter;
import dev.kinesisresilient.core.KinesisClientConfig;
import dev.kinesisresilient.core.KinesisClientFactory;
import dev.kinesisresilient.core.RetryPolicy;
import dev.kinesisresilient.lambda.QuarantineSink;
import dev.kinesisresilient.lambda.StreamRecord;
import dev.kinesisresilient.lambda.TumblingWindowProcessor;
import dev.kinesisresilient.lambda.WindowInfo;
import dev.kinesisresilient.lambda.WindowState;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Consumer;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/**
 * Counts page views per page over one-minute tumbling windows ({@code TumblingWindowInSeconds: 60} on
 * the mapping, see examples/lambda/template.yaml). Each record's data is the page path; the state maps
 * page to count and travels through Lambda from one invocation of the window to the next; at the
 * window's end the totals are published once.
 *
 * <p>The record aggregation is a pure function of state and record, so a record Lambda delivers again
 * after a failure is never counted twice: the processor returns the state of exactly the records before
 * the failed one. Publishing happens only in the final invocation and must be idempotent (Lambda retries
 * a failed final invocation): key it by shard and window start.
 */
public final class PageViewCountsHandler implements RequestHandler<KinesisTimeWindowEvent, TimeWindowEventResponse> {

  private final TumblingWindowProcessor processor;

  /**
   * Called by the Lambda runtime once per container: totals go to stdout (CloudWatch Logs), records
   * that are not page views to the quarantine stream ({@code QUARANTINE_STREAM}).
   */
  public PageViewCountsHandler() {
    this(System.out::println, quarantineStream());
  }

  /**
   * A handler that publishes each window's totals to {@code publish}.
   *
   * @param publish receives one line per window: shard, window start, whether it ended early, totals
   * @param quarantine where records that are not page views go, so the window moves on
   */
  public PageViewCountsHandler(Consumer<String> publish, QuarantineSink quarantine) {
    Objects.requireNonNull(publish, "publish");
    this.processor = TumblingWindowProcessor.builder(PageViewCountsHandler::count)
        .windowEndHandler((window, state) -> publish.accept(summary(window, state)))
        .permanentFailure(e -> e instanceof IllegalArgumentException)
        .quarantineSink(quarantine)
        .retryPolicy(RetryPolicy.builder().maxAttempts(3).baseDelay(Duration.ofMillis(100))
            .maxDelay(Duration.ofSeconds(1)).deadline(Duration.ofSeconds(5)).build())
        .safetyMargin(Duration.ofSeconds(3))
        .build();
  }

  /**
   * The wrapper folds the records into the window's state and returns it.
   *
   * @param event the window's batch, state and flags
   * @param context the invocation's context
   * @return the new state and, when a record failed, where Lambda resumes
   */
  @Override
  public TimeWindowEventResponse handleRequest(KinesisTimeWindowEvent event, Context context) {
    return processor.handleRequest(event, context);
  }

  /**
   * Adds one page view to the state.
   *
   * @param state the window's counts so far
   * @param record a page view; its data is the page path
   * @return the counts with this view added
   */
  static WindowState count(WindowState state, StreamRecord record) {
    String page = record.dataAsString().trim();
    if (page.isEmpty() || !page.startsWith("/")) {
      throw new IllegalArgumentException("not a page path"); // permanent: never valid, not retried
    }
    long n = Long.parseLong(state.getOrDefault(page, "0"));
    return state.with(page, Long.toString(n + 1));
  }

  private static QuarantineSink quarantineStream() {
    String region = Objects.requireNonNullElse(System.getenv("AWS_REGION"), "us-east-1");
    String stream = Objects.requireNonNullElse(System.getenv("QUARANTINE_STREAM"), "page-views-quarantine");
    KinesisAsyncClient kinesis = KinesisClientFactory.create(
        KinesisClientConfig.builder().region(Region.of(region)).build());
    return QuarantineSink.kinesis(KinesisBatchWriter.builder(kinesis).streamName(stream)
        .retryPolicy(RetryPolicy.builder().maxAttempts(4).deadline(Duration.ofSeconds(5)).build()).build());
  }

  static String summary(WindowInfo window, WindowState state) {
    Map<String, String> sorted = new TreeMap<>(state.asMap());
    return "page views shard=" + window.shardId() + " window=" + window.start() + ".." + window.end()
        + (window.terminatedEarly() ? " (partial: ended early)" : "") + " " + sorted;
  }
}
