package dev.kinesisresilient.lambda.testing;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.KinesisTimeWindowEvent;
import com.amazonaws.services.lambda.runtime.events.TimeWindowEventResponse;
import com.amazonaws.services.lambda.runtime.events.models.TimeWindow;
import dev.kinesisresilient.lambda.internal.Json;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Builds and writes the events and responses of Lambda tumbling windows ({@code
 * KinesisTimeWindowEvent}, {@code TimeWindowEventResponse}) as documented in
 * https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-windows.html: the batch's records plus
 * {@code window{start,end}} (ISO-8601, seconds), {@code state}, {@code shardId}, {@code eventSourceARN},
 * {@code isFinalInvokeForWindow} and {@code isWindowTerminatedEarly}. Stateless.
 *
 * @since 0.1.0
 */
public final class TimeWindowEvents {

  private TimeWindowEvents() {}

  /**
   * A tumbling-window event around a batch built with {@link KinesisEvents}.
   *
   * @param batch the records (may be empty, as in a final invocation); shard and ARN are taken from
   *     its first record, or {@code shardId}/{@code streamArn} when empty
   * @param shardId the shard, used when the batch is empty
   * @param streamArn the stream ARN, used when the batch is empty
   * @param start the window's start
   * @param end the window's end
   * @param state the state carried in (null means empty)
   * @param finalInvoke {@code isFinalInvokeForWindow}
   * @param terminatedEarly {@code isWindowTerminatedEarly}
   * @return the event
   */
  public static KinesisTimeWindowEvent of(KinesisEvent batch, String shardId, String streamArn, Instant start,
      Instant end, @Nullable Map<String, String> state, boolean finalInvoke, boolean terminatedEarly) {
    Objects.requireNonNull(batch, "batch");
    List<KinesisEvent.KinesisEventRecord> records =
        batch.getRecords() == null ? new ArrayList<>() : new ArrayList<>(batch.getRecords());
    String shard = shardId;
    String arn = streamArn;
    if (!records.isEmpty() && records.get(0).getEventID() != null) {
      String id = records.get(0).getEventID();
      int colon = id.indexOf(':');
      shard = colon > 0 ? id.substring(0, colon) : shardId;
      arn = records.get(0).getEventSourceARN() == null ? streamArn : records.get(0).getEventSourceARN();
    }
    KinesisTimeWindowEvent e = new KinesisTimeWindowEvent();
    e.setRecords(records);
    e.setWindow(new TimeWindow(DateTimeFormatter.ISO_INSTANT.format(start), DateTimeFormatter.ISO_INSTANT.format(end)));
    e.setState(state == null ? new LinkedHashMap<>() : new LinkedHashMap<>(state));
    e.setShardId(shard);
    e.setEventSourceArn(arn);
    e.setIsFinalInvokeForWindow(finalInvoke);
    e.setIsWindowTerminatedEarly(terminatedEarly);
    return e;
  }

  /**
   * Writes an event as the JSON Lambda sends.
   *
   * @param event the event
   * @return the JSON
   */
  public static String toJson(KinesisTimeWindowEvent event) {
    Map<String, @Nullable Object> root = KinesisEvents.toMap(event);
    if (event.getWindow() != null) {
      Map<String, @Nullable Object> w = new LinkedHashMap<>();
      w.put("start", event.getWindow().getStart());
      w.put("end", event.getWindow().getEnd());
      root.put("window", w);
    }
    root.put("state", event.getState() == null ? Map.of() : event.getState());
    root.put("shardId", event.getShardId());
    root.put("eventSourceARN", event.getEventSourceArn());
    root.put("isFinalInvokeForWindow", Boolean.TRUE.equals(event.getIsFinalInvokeForWindow()));
    root.put("isWindowTerminatedEarly", Boolean.TRUE.equals(event.getIsWindowTerminatedEarly()));
    return Json.write(root);
  }

  /**
   * Writes a response as the JSON the Java runtime returns to Lambda: {@code state} and {@code
   * batchItemFailures}, null members included as {@code null}.
   *
   * @param response the response, or null
   * @return the JSON ({@code null} for null)
   */
  public static String toJson(@Nullable TimeWindowEventResponse response) {
    if (response == null) {
      return "null";
    }
    Map<String, @Nullable Object> m = new LinkedHashMap<>();
    m.put("state", response.getState());
    if (response.getBatchItemFailures() == null) {
      m.put("batchItemFailures", null);
    } else {
      List<Object> l = new ArrayList<>();
      for (TimeWindowEventResponse.BatchItemFailure f : response.getBatchItemFailures()) {
        if (f == null) {
          l.add(null);
        } else {
          Map<String, @Nullable Object> entry = new LinkedHashMap<>();
          entry.put("itemIdentifier", f.getItemIdentifier());
          l.add(entry);
        }
      }
      m.put("batchItemFailures", l);
    }
    return Json.write(m);
  }
}
