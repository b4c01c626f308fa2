package dev.kinesisresilient.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.KinesisTimeWindowEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.events.TimeWindowEventResponse;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.amazonaws.services.lambda.runtime.serialization.factories.JacksonFactory;
import dev.kinesisresilient.core.RetryPolicy;
import dev.kinesisresilient.core.testing.ManualClock;
import dev.kinesisresilient.lambda.internal.Json;
import dev.kinesisresilient.lambda.testing.FakeLambdaContext;
import dev.kinesisresilient.lambda.testing.KinesisEvents;
import dev.kinesisresilient.lambda.testing.TimeWindowEvents;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * Events and responses through the Lambda Java runtime's own serializer (aws-lambda-java-serialization,
 * which the runtime interface client uses: the event serializers with their mixins for the types in
 * aws-lambda-java-events it supports, plain Jackson for the rest). What the processors return must
 * reach Lambda in the documented shape, and the events Lambda sends must reach them intact.
 */
final class LambdaRuntimeSerializationTest {

  private final ManualClock clock = ManualClock.create();

  /** The serializer the runtime picks for a type. */
  private static <T> PojoSerializer<T> runtimeSerializer(Class<T> type) {
    if (LambdaEventSerializers.isLambdaSupportedEvent(type.getName())) {
      return LambdaEventSerializers.serializerFor(type, LambdaRuntimeSerializationTest.class.getClassLoader());
    }
    return JacksonFactory.getInstance().getSerializer(type);
  }

  private static <T> String toJson(Class<T> type, T value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    runtimeSerializer(type).toJson(value, out);
    return out.toString(StandardCharsets.UTF_8);
  }

  private FakeLambdaContext context() {
    return FakeLambdaContext.builder().clock(clock).timeout(Duration.ofSeconds(30)).build();
  }

  @Test
  void timeWindowResponse_withStateAndAFailure_serializesToTheDocumentedShape() {
    TumblingWindowProcessor p = TumblingWindowProcessor.builder((s, r) -> {
          if (r.partitionKey().equals("bad")) {
            throw new IllegalStateException("no");
          }
          return s.with(r.partitionKey(), "1");
        })
        .retryPolicy(RetryPolicy.builder().maxAttempts(1).build()).clock(clock).build();
    KinesisEvent batch = KinesisEvents.builder().clock(clock).record("a", "x").record("bad", "y").build();
    Instant start = Instant.parse("2026-01-01T00:00:00Z");
    TimeWindowEventResponse response = p.handleRequest(TimeWindowEvents.of(batch, "shardId-000000000000",
        "arn", start, start.plusSeconds(60), Map.of("z", "9"), false, false), context());

    String json = toJson(TimeWindowEventResponse.class, response);
    String bad = batch.getRecords().get(1).getKinesis().getSequenceNumber();
    assertThat(Json.parse(json)).isEqualTo(Map.of("state", Map.of("z", "9", "a", "1"),
        "batchItemFailures", List.of(Map.of("itemIdentifier", bad))));
    // the simulator reads responses as the runtime writes them
    assertThat(Json.parse(TimeWindowEvents.toJson(response))).isEqualTo(Json.parse(json));
  }

  @Test
  void timeWindowResponse_success_keepsTheStatePropertyLambdaRequires() {
    TumblingWindowProcessor p = TumblingWindowProcessor.builder((s, r) -> s).clock(clock).build();
    TimeWindowEventResponse response = p.handleRequest(TimeWindowEvents.of(new KinesisEvent(), "shardId-000000000000",
        "arn", Instant.EPOCH, Instant.EPOCH.plusSeconds(60), null, true, false), context());
    Object parsed = Json.parse(toJson(TimeWindowEventResponse.class, response));
    assertThat(parsed).isEqualTo(Map.of("state", Map.of(), "batchItemFailures", List.of()));
  }

  @Test
  void streamsEventResponse_partialFailure_serializesToTheDocumentedShape() {
    // The failing record is not first: a record given up on first in its batch fails the invocation instead
    // (so the mapping bisects), see docs/lambda.md "Poison pills without a working sink".
    KinesisBatchProcessor p = KinesisBatchProcessor.builder(r -> {
          if (r.partitionKey().equals("b")) {
            throw new IllegalStateException("no");
          }
        })
        .retryPolicy(RetryPolicy.builder().maxAttempts(1).build()).clock(clock).build();
    KinesisEvent batch = KinesisEvents.builder().clock(clock).record("a", "x").record("b", "y").build();
    StreamsEventResponse response = p.handleRequest(batch, context());
    String json = toJson(StreamsEventResponse.class, response);
    assertThat(Json.parse(json)).isEqualTo(Map.of("batchItemFailures",
        List.of(Map.of("itemIdentifier", batch.getRecords().get(1).getKinesis().getSequenceNumber()))));
    assertThat(Json.parse(KinesisEvents.toJson(response))).isEqualTo(Json.parse(json));
  }

  @Test
  void timeWindowEvent_fromLambdasJson_reachesTheProcessorWithWindowStateAndFlags() throws IOException {
    String json;
    try (InputStream in = Objects.requireNonNull(getClass().getResourceAsStream("/events/kinesis-time-window.json"))) {
      json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    KinesisTimeWindowEvent event = runtimeSerializer(KinesisTimeWindowEvent.class).fromJson(json);
    assertThat(event.getEventSourceArn()).isEqualTo("arn:aws:kinesis:eu-west-1:123456789012:stream/sensors");

    TumblingWindowProcessor p = TumblingWindowProcessor.builder((s, r) -> s.with(r.partitionKey(),
            Long.toString(Long.parseLong(s.getOrDefault(r.partitionKey(), "0")) + 1)))
        .clock(clock).build();
    WindowBatchResult r = p.process(event, context());
    assertThat(r.window()).isEqualTo(new WindowInfo("arn:aws:kinesis:eu-west-1:123456789012:stream/sensors",
        "shardId-000000000002", Instant.parse("2025-12-01T10:00:00Z"), Instant.parse("2025-12-01T10:02:00Z"),
        false, false));
    // a number in the state (as in AWS's example) arrives as its text
    assertThat(r.state().asMap()).containsExactly(Map.entry("sensor-7", "42"), Map.entry("sensor-9", "3"));
    assertThat(r.outcomes()).containsExactly(RecordOutcome.SUCCEEDED);
  }

  @Test
  void timeWindowEvent_writtenByTheSimulator_readByTheRuntimeIntact() {
    KinesisEvent batch = KinesisEvents.builder().clock(clock).streamArn("arn:aws:kinesis:us-east-1:123456789012:stream/s")
        .shardId("shardId-000000000004").record("k", "payload").build();
    Instant start = Instant.parse("2026-01-01T00:02:00Z");
    KinesisTimeWindowEvent written = TimeWindowEvents.of(batch, "ignored", "ignored", start, start.plusSeconds(60),
        Map.of("k", "3"), true, true);
    KinesisTimeWindowEvent read = runtimeSerializer(KinesisTimeWindowEvent.class)
        .fromJson(TimeWindowEvents.toJson(written));
    assertThat(read.getWindow().getStart()).isEqualTo("2026-01-01T00:02:00Z");
    assertThat(read.getWindow().getEnd()).isEqualTo("2026-01-01T00:03:00Z");
    assertThat(read.getState()).isEqualTo(Map.of("k", "3"));
    assertThat(read.getShardId()).isEqualTo("shardId-000000000004");
    assertThat(read.getEventSourceArn()).isEqualTo("arn:aws:kinesis:us-east-1:123456789012:stream/s");
    assertThat(read.getIsFinalInvokeForWindow()).isTrue();
    assertThat(read.getIsWindowTerminatedEarly()).isTrue();
    assertThat(read.getRecords()).singleElement().satisfies(rec -> {
      assertThat(rec.getKinesis().getPartitionKey()).isEqualTo("k");
      assertThat(StandardCharsets.UTF_8.decode(rec.getKinesis().getData()).toString()).isEqualTo("payload");
    });
  }
}
