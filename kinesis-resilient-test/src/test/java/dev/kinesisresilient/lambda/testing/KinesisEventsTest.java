package dev.kinesisresilient.lambda.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import dev.kinesisresilient.core.testing.ManualClock;
import dev.kinesisresilient.lambda.internal.Json;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

final class KinesisEventsTest {

  private final ManualClock clock = ManualClock.startingAt(Instant.parse("2026-01-01T00:00:00.250Z"));

  @Test
  void streamArnAndSimulatorStreamName_invalid_rejectedNamingFieldAndRule() {
    assertThatThrownBy(() -> KinesisEvents.builder().streamArn("arn:aws:kinesis:eu-west-1:111122223333:stream/"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("streamArn must ");
    assertThatThrownBy(() -> KinesisEvents.builder().streamArn("arn:aws:kinesis:eu-west-1:11112222333:stream/o"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("12-digit account");
    KinesisEvent e = KinesisEvents.builder().streamArn("arn:aws-cn:kinesis:cn-north-1:111122223333:stream/o")
        .record("k", "v").build();
    assertThat(e.getRecords().get(0).getAwsRegion()).isEqualTo("cn-north-1");
    dev.kinesisresilient.core.testing.FakeKinesisAsyncClient kinesis =
        dev.kinesisresilient.core.testing.FakeKinesisAsyncClient.builder().stream("orders", 1).build();
    assertThatThrownBy(() -> EsmSimulator.builder(kinesis, "orders/1", (KinesisEvent event, com.amazonaws.services.lambda.runtime.Context ctx) -> null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("streamName must be 1..128 characters of [a-zA-Z0-9_.-], was \"orders/1\"");
  }

  @Test
  void aggregate_carriedUnderTheFirstUserRecordsKey_decodesBackToTheUserRecords() {
    List<dev.kinesisresilient.core.KinesisRecord> users = List.of(
        dev.kinesisresilient.core.KinesisRecord.of("first", "a".getBytes(StandardCharsets.UTF_8)),
        dev.kinesisresilient.core.KinesisRecord.of("second", "b".getBytes(StandardCharsets.UTF_8)));
    KinesisEvent e = KinesisEvents.builder().aggregate(users).build();
    KinesisEvent.Record r = e.getRecords().get(0).getKinesis();
    assertThat(r.getPartitionKey()).isEqualTo("first");
    List<dev.kinesisresilient.core.aggregation.UserRecord> decoded = dev.kinesisresilient.core.aggregation
        .KplAggregation.decode(software.amazon.awssdk.core.SdkBytes.fromByteBuffer(r.getData()), "first", null);
    assertThat(decoded).extracting(dev.kinesisresilient.core.aggregation.UserRecord::partitionKey)
        .containsExactly("first", "second");
    assertThatThrownBy(() -> KinesisEvents.builder().aggregate(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void builder_records_shapedAsLambdaDeliversThem() {
    KinesisEvent e = KinesisEvents.builder().clock(clock)
        .streamArn("arn:aws:kinesis:eu-west-1:111122223333:stream/orders").shardId("shardId-000000000004")
        .record("order-1", "{\"id\":1}").record("order-2", "{\"id\":2}").build();
    assertThat(e.getRecords()).hasSize(2);
    KinesisEvent.KinesisEventRecord r = e.getRecords().get(0);
    assertThat(r.getEventSource()).isEqualTo("aws:kinesis");
    assertThat(r.getEventName()).isEqualTo("aws:kinesis:record");
    assertThat(r.getEventVersion()).isEqualTo("1.0");
    assertThat(r.getAwsRegion()).isEqualTo("eu-west-1");
    assertThat(r.getEventSourceARN()).isEqualTo("arn:aws:kinesis:eu-west-1:111122223333:stream/orders");
    assertThat(r.getInvokeIdentityArn()).startsWith("arn:aws:iam::111122223333:role/");
    assertThat(r.getEventID()).isEqualTo("shardId-000000000004:" + r.getKinesis().getSequenceNumber());
    assertThat(r.getKinesis().getKinesisSchemaVersion()).isEqualTo("1.0");
    assertThat(r.getKinesis().getApproximateArrivalTimestamp().toInstant()).isEqualTo(clock.instant());
    assertThat(StandardCharsets.UTF_8.decode(r.getKinesis().getData().duplicate()).toString()).isEqualTo("{\"id\":1}");
    assertThat(new BigInteger(e.getRecords().get(1).getKinesis().getSequenceNumber()))
        .isGreaterThan(new BigInteger(r.getKinesis().getSequenceNumber()));
  }

  @Test
  void toJson_event_base64DataAndEpochSecondTimestampsWithMillis() {
    KinesisEvent e = KinesisEvents.builder().clock(clock).record("k", "Hello").build();
    Map<String, Object> root = Json.parseObject(KinesisEvents.toJson(e));
    @SuppressWarnings("unchecked")
    Map<String, Object> kinesis = (Map<String, Object>) ((Map<String, Object>) ((List<?>) root.get("Records"))
        .get(0)).get("kinesis");
    assertThat(kinesis.get("data")).isEqualTo("SGVsbG8=");
    assertThat(kinesis.get("approximateArrivalTimestamp").toString()).isEqualTo("1767225600.250");
  }

  @Test
  void fromResource_realEventFixture_readsEveryField() {
    KinesisEvent e = KinesisEvents.fromResource("/events/kinesis-batch.json");
    assertThat(e.getRecords()).hasSize(3);
    KinesisEvent.KinesisEventRecord r = e.getRecords().get(1);
    assertThat(r.getEventID()).isEqualTo("shardId-000000000003:49656632116218945776331460018177535942405387446828908546");
    assertThat(r.getKinesis().getPartitionKey()).isEqualTo("order-1002");
    assertThat(r.getKinesis().getApproximateArrivalTimestamp().toInstant())
        .isEqualTo(Instant.parse("2026-01-01T00:00:00.456Z"));
    assertThat(StandardCharsets.UTF_8.decode(r.getKinesis().getData()).toString())
        .isEqualTo("{\"orderId\":1002,\"type\":\"cancelled\",\"amount\":0}");
  }

  @Test
  void roundTrip_fixtureToJsonAndBack_equalEvent() {
    KinesisEvent e = KinesisEvents.fromResource("/events/kinesis-batch.json");
    KinesisEvent again = KinesisEvents.fromJson(KinesisEvents.toJson(e));
    assertThat(KinesisEvents.toJson(again)).isEqualTo(KinesisEvents.toJson(e));
    assertThat(again.getRecords().get(2).getKinesis().getData())
        .isEqualTo(ByteBuffer.wrap("not json at all".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void fromJson_notAnEvent_throws() {
    assertThatThrownBy(() -> KinesisEvents.fromJson("{\"foo\":1}")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> KinesisEvents.fromResource("/events/missing.json"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void toJson_response_usesCaseSensitiveKeys() {
    List<StreamsEventResponse.BatchItemFailure> l = new ArrayList<>();
    l.add(new StreamsEventResponse.BatchItemFailure("123"));
    assertThat(KinesisEvents.toJson(new StreamsEventResponse(l)))
        .isEqualTo("{\"batchItemFailures\":[{\"itemIdentifier\":\"123\"}]}");
    assertThat(KinesisEvents.toJson((StreamsEventResponse) null)).isEqualTo("null");
  }

  @Test
  void fakeContext_remainingTime_followsTheClock() {
    FakeLambdaContext ctx = FakeLambdaContext.builder().clock(clock).timeout(Duration.ofSeconds(10)).build();
    assertThat(ctx.getRemainingTimeInMillis()).isEqualTo(10_000);
    clock.advance(Duration.ofMillis(9_250));
    assertThat(ctx.getRemainingTimeInMillis()).isEqualTo(750);
    clock.advance(Duration.ofSeconds(5));
    assertThat(ctx.getRemainingTimeInMillis()).isZero();
  }
}
