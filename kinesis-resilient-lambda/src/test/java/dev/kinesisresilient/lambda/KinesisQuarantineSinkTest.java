package dev.kinesisresilient.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import dev.kinesisresilient.core.KinesisBatchWriter;
import dev.kinesisresilient.core.KinesisRecord;
import dev.kinesisresilient.core.RetryPolicy;
import dev.kinesisresilient.core.testing.FakeKinesisAsyncClient;
import dev.kinesisresilient.core.testing.ManualClock;
import dev.kinesisresilient.core.testing.StoredRecord;
import dev.kinesisresilient.lambda.internal.Json;
import dev.kinesisresilient.lambda.testing.FakeLambdaContext;
import dev.kinesisresilient.lambda.testing.KinesisEvents;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Kinesis quarantine sink through core's writer, against the in-memory Kinesis. */
final class KinesisQuarantineSinkTest {

  private final ManualClock clock = ManualClock.create();
  private final FakeKinesisAsyncClient kinesis = FakeKinesisAsyncClient.builder().clock(clock)
      .stream("quarantine", 1).build();

  private KinesisBatchProcessor processor(String stream) {
    KinesisBatchWriter writer = KinesisBatchWriter.builder(kinesis).streamName(stream).clock(clock)
        .retryPolicy(RetryPolicy.builder().maxAttempts(1).build()).build();
    return KinesisBatchProcessor.builder(r -> {
          if (r.dataAsString().contains("pill")) {
            throw new IllegalStateException("cannot parse");
          }
        })
        .clock(clock).sleeper(clock::advance).retryPolicy(RetryPolicy.builder().maxAttempts(2).build())
        .quarantineSink(QuarantineSink.kinesis(writer)).build();
  }

  @Test
  void quarantine_poisonPill_writtenToQuarantineStreamWithMetadataAndData() {
    KinesisEvent e = KinesisEvents.builder().clock(clock)
        .streamArn("arn:aws:kinesis:eu-west-1:123456789012:stream/orders")
        .record("order-7", "{\"pill\":true}").record("order-8", "{\"ok\":true}").build();
    BatchResult result = processor("quarantine").process(e, FakeLambdaContext.builder().clock(clock).build());
    assertThat(result.response().getBatchItemFailures()).isEmpty();
    assertThat(result.outcomes()).containsExactly(RecordOutcome.QUARANTINED, RecordOutcome.SUCCEEDED);
    StoredRecord stored = kinesis.storedRecords("quarantine").get(0);
    assertThat(stored.partitionKey()).isEqualTo("order-7");
    Map<String, Object> doc = Json.parseObject(stored.dataAsUtf8());
    assertThat(doc).containsEntry("reason", "RETRIES_EXHAUSTED").containsEntry("version", "1.0");
    assertThat(doc.get("attempts").toString()).isEqualTo("2");
    @SuppressWarnings("unchecked")
    Map<String, Object> source = (Map<String, Object>) doc.get("source");
    assertThat(source).containsEntry("streamArn", "arn:aws:kinesis:eu-west-1:123456789012:stream/orders")
        .containsEntry("shardId", KinesisEvents.DEFAULT_SHARD_ID)
        .containsEntry("sequenceNumber", e.getRecords().get(0).getKinesis().getSequenceNumber())
        .containsEntry("partitionKey", "order-7")
        .containsEntry("aggregated", false)
        .containsKey("approximateArrivalTimestamp");
    assertThat(source.get("subSequenceNumber").toString()).isEqualTo("0");
    @SuppressWarnings("unchecked")
    Map<String, Object> error = (Map<String, Object>) doc.get("error");
    assertThat(error).containsEntry("type", "java.lang.IllegalStateException").containsEntry("message", "cannot parse");
    assertThat(new String(Base64.getDecoder().decode((String) doc.get("data")))).isEqualTo("{\"pill\":true}");
  }

  @Test
  void quarantine_poisonSubRecordOfAnAggregate_writtenAloneWithItsKeyAndSubSequenceNumber() {
    KinesisEvent e = KinesisEvents.builder().clock(clock)
        .aggregate(List.of(KinesisRecord.of("order-1", "{\"ok\":1}".getBytes(StandardCharsets.UTF_8)),
            KinesisRecord.of("order-2", "{\"pill\":true}".getBytes(StandardCharsets.UTF_8)),
            KinesisRecord.of("order-3", "{\"ok\":3}".getBytes(StandardCharsets.UTF_8))))
        .build();
    BatchResult result = processor("quarantine").process(e, FakeLambdaContext.builder().clock(clock).build());
    assertThat(result.response().getBatchItemFailures()).isEmpty();
    assertThat(result.outcomes()).containsExactly(RecordOutcome.SUCCEEDED, RecordOutcome.QUARANTINED,
        RecordOutcome.SUCCEEDED);
    StoredRecord stored = kinesis.storedRecords("quarantine").get(0);
    assertThat(stored.partitionKey()).isEqualTo("order-2");
    Map<String, Object> doc = Json.parseObject(stored.dataAsUtf8());
    @SuppressWarnings("unchecked")
    Map<String, Object> source = (Map<String, Object>) doc.get("source");
    assertThat(source).containsEntry("sequenceNumber", e.getRecords().get(0).getKinesis().getSequenceNumber())
        .containsEntry("partitionKey", "order-2").containsEntry("aggregated", true);
    assertThat(source.get("subSequenceNumber").toString()).isEqualTo("1");
    assertThat(new String(Base64.getDecoder().decode((String) doc.get("data")), StandardCharsets.UTF_8))
        .isEqualTo("{\"pill\":true}");
  }

  @Test
  void quarantine_writeFails_recordReportedFailedNotLost() {
    KinesisEvent e = KinesisEvents.builder().clock(clock).record("k", "pill").build();
    BatchResult result = processor("no-such-stream").process(e,
        FakeLambdaContext.builder().clock(clock).timeout(Duration.ofSeconds(30)).build());
    assertThat(result.reportedSequenceNumber()).isEqualTo(e.getRecords().get(0).getKinesis().getSequenceNumber());
    assertThat(result.outcomes()).containsExactly(RecordOutcome.FAILED);
  }
}
