package dev.kinesisresilient.lambda.lean;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.KinesisTimeWindowEvent;
import com.amazonaws.services.lambda.runtime.events.TimeWindowEventResponse;
import com.amazonaws.services.lambda.runtime.events.models.TimeWindow;
import dev.kinesisresilient.lambda.BatchResult;
import dev.kinesisresilient.lambda.KinesisBatchProcessor;
import dev.kinesisresilient.lambda.TumblingWindowProcessor;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A processor-only function, run by {@link LeanClassPathTest} on a class loader that has only what such a
 * function deploys: no AWS SDK, Micrometer, resilience4j or HTTP client. Uses nothing from the testing
 * packages, so it keeps running when they move to another artifact.
 */
public final class LeanFunctionProbe {

  private LeanFunctionProbe() {}

  /**
   * Processes one batch with the default processor: a plain record, a KPL aggregate and a record whose
   * handler fails once (an in-process retry).
   *
   * @param aggregate a KPL aggregate's bytes
   * @return what the handler saw ({@code key:subSequenceNumber:data}) and the response's failure count
   */
  public static List<String> run(byte[] aggregate) {
    KinesisEvent event = new KinesisEvent();
    List<KinesisEvent.KinesisEventRecord> records = new ArrayList<>();
    records.add(record("1", "plain", "hello".getBytes(StandardCharsets.UTF_8)));
    records.add(record("2", "outer", aggregate));
    records.add(record("3", "flaky", "again".getBytes(StandardCharsets.UTF_8)));
    event.setRecords(records);
    List<String> seen = new ArrayList<>();
    boolean[] failedOnce = {false};
    try (KinesisBatchProcessor processor = KinesisBatchProcessor.builder(r -> {
      if (r.partitionKey().equals("flaky") && !failedOnce[0]) {
        failedOnce[0] = true;
        throw new IllegalStateException("first attempt fails");
      }
      seen.add(r.partitionKey() + ":" + r.subSequenceNumber() + ":" + StandardCharsets.UTF_8.decode(r.data()));
    }).sleeper(d -> { }).build()) {
      BatchResult result = processor.process(event, new ProbeContext());
      seen.add("batchItemFailures=" + result.response().getBatchItemFailures().size());
    }
    return seen;
  }

  /**
   * Processes one final window invocation with the default tumbling window processor: counts records
   * per key, KPL sub-records included, and ends the window.
   *
   * @param aggregate a KPL aggregate's bytes
   * @return the state the window end handler saw and the response's state
   */
  public static List<String> runWindow(byte[] aggregate) {
    KinesisTimeWindowEvent event = new KinesisTimeWindowEvent();
    List<KinesisEvent.KinesisEventRecord> records = new ArrayList<>();
    records.add(record("1", "plain", "hello".getBytes(StandardCharsets.UTF_8)));
    records.add(record("2", "outer", aggregate));
    event.setRecords(records);
    event.setWindow(new TimeWindow("2026-01-01T00:00:00Z", "2026-01-01T00:01:00Z"));
    event.setState(new LinkedHashMap<>(Map.of("plain", "1")));
    event.setShardId("shardId-000000000000");
    event.setEventSourceArn("arn:aws:kinesis:eu-west-1:123456789012:stream/orders");
    event.setIsFinalInvokeForWindow(true);
    event.setIsWindowTerminatedEarly(false);
    List<String> seen = new ArrayList<>();
    TumblingWindowProcessor processor = TumblingWindowProcessor.builder((state, r) -> {
      String n = state.getOrDefault(r.partitionKey(), "0");
      return state.with(r.partitionKey(), String.valueOf(Integer.parseInt(n) + 1));
    }).windowEndHandler((window, state) -> seen.add("end " + state.asMap())).sleeper(d -> { }).build();
    TimeWindowEventResponse response = processor.process(event, new ProbeContext()).response();
    seen.add("batchItemFailures=" + response.getBatchItemFailures().size());
    return seen;
  }

  private static KinesisEvent.KinesisEventRecord record(String sequenceNumber, String key, byte[] data) {
    KinesisEvent.Record r = new KinesisEvent.Record();
    r.setKinesisSchemaVersion("1.0");
    r.setPartitionKey(key);
    r.setSequenceNumber(sequenceNumber);
    r.setData(ByteBuffer.wrap(data));
    r.setApproximateArrivalTimestamp(new Date(1_767_225_600_000L));
    KinesisEvent.KinesisEventRecord er = new KinesisEvent.KinesisEventRecord();
    er.setKinesis(r);
    er.setEventSource("aws:kinesis");
    er.setEventVersion("1.0");
    er.setEventID("shardId-000000000000:" + sequenceNumber);
    er.setEventName("aws:kinesis:record");
    er.setAwsRegion("eu-west-1");
    er.setEventSourceARN("arn:aws:kinesis:eu-west-1:123456789012:stream/orders");
    return er;
  }

  private static final class ProbeContext implements Context {
    @Override
    public String getAwsRequestId() {
      return "probe";
    }

    @Override
    public String getLogGroupName() {
      return "probe";
    }

    @Override
    public String getLogStreamName() {
      return "probe";
    }

    @Override
    public String getFunctionName() {
      return "probe";
    }

    @Override
    public String getFunctionVersion() {
      return "$LATEST";
    }

    @Override
    public String getInvokedFunctionArn() {
      return "arn:aws:lambda:eu-west-1:123456789012:function:probe";
    }

    @Override
    public @Nullable CognitoIdentity getIdentity() {
      return null;
    }

    @Override
    public @Nullable ClientContext getClientContext() {
      return null;
    }

    @Override
    public int getRemainingTimeInMillis() {
      return 600_000;
    }

    @Override
    public int getMemoryLimitInMB() {
      return 512;
    }

    @Override
    public LambdaLogger getLogger() {
      return new LambdaLogger() {
        @Override
        public void log(String message) {}

        @Override
        public void log(byte[] message) {}
      };
    }
  }
}
