package dev.kinesisresilient.examples.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.TimeWindowEventResponse;
import dev.kinesisresilient.core.testing.ManualClock;
import dev.kinesisresilient.lambda.testing.FakeLambdaContext;
import dev.kinesisresilient.lambda.testing.KinesisEvents;
import dev.kinesisresilient.lambda.testing.TimeWindowEvents;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The tumbling-window example, invoked as Lambda would: two batches of a window, then its final invocation. */
final class PageViewCountsHandlerTest {

  @Test
  void handleRequest_twoBatchesAndTheFinalInvocation_publishesTheWindowsTotalsOnce() {
    ManualClock clock = ManualClock.create();
    List<String> published = new ArrayList<>();
    List<String> quarantined = new ArrayList<>();
    PageViewCountsHandler handler = new PageViewCountsHandler(published::add,
        (q, timeLeft) -> quarantined.add(q.record().dataAsString()));
    Instant start = Instant.parse("2026-01-01T00:00:00Z");
    Instant end = start.plusSeconds(60);
    String shard = KinesisEvents.DEFAULT_SHARD_ID;
    String arn = "arn:aws:kinesis:us-east-1:123456789012:stream/page-views";
    FakeLambdaContext context = FakeLambdaContext.builder().clock(clock).build();

    KinesisEvent first = KinesisEvents.builder().clock(clock).streamArn(arn)
        .record("u1", "/home").record("u2", "/cart").record("u3", "garbage").build();
    TimeWindowEventResponse r1 = handler.handleRequest(
        TimeWindowEvents.of(first, shard, arn, start, end, Map.of(), false, false), context);
    // "garbage" is not a page: quarantined, not counted, and the window moves on
    assertThat(r1.getBatchItemFailures()).isEmpty();
    assertThat(r1.getState()).isEqualTo(Map.of("/home", "1", "/cart", "1"));
    assertThat(quarantined).containsExactly("garbage");

    KinesisEvent second = KinesisEvents.builder().clock(clock).streamArn(arn).record("u1", "/home").build();
    TimeWindowEventResponse r2 = handler.handleRequest(
        TimeWindowEvents.of(second, shard, arn, start, end, r1.getState(), false, false), context);
    handler.handleRequest(TimeWindowEvents.of(new KinesisEvent(), shard, arn, start, end, r2.getState(), true, false),
        context);

    assertThat(published).containsExactly("page views shard=" + shard + " window=" + start + ".." + end
        + " {/cart=1, /home=2}");
  }
}
