package dev.kinesisresilient.lambda.testing;

import dev.kinesisresilient.lambda.internal.Json;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The {@link EsmSimulator}'s on-failure destination: the JSON document AWS sends there for a discarded
 * batch (requestContext, responseContext, KinesisBatchInfo, and the payload for S3), kept in order. An SNS
 * destination drops a document over 256 KB, as SNS would refuse it.
 */
final class OnFailureRecords {

  private static final DateTimeFormatter ISO_MILLIS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final long SNS_MAX_BYTES = 256 * 1024;

  private final List<String> documents = new ArrayList<>();

  /** The documents so far, in order. */
  List<String> snapshot() {
    return List.copyOf(documents);
  }

  /**
   * Records the discard of {@code records} of one lane, when the mapping has a destination.
   *
   * @param withResponse whether the function answered (RetryAttemptsExhausted), so the document has a
   *     responseContext; false for RecordAgeExceeded
   * @param invokeCount how many times the lane delivered these records so far
   */
  void add(LaneContext ctx, String shardId, List<SimRecord> records, String condition,
      @Nullable String functionError, boolean withResponse, int invokeCount) {
    EventSourceMappingConfig mapping = ctx.mapping();
    if (mapping.onFailureDestination() == EventSourceMappingConfig.DestinationType.NONE) {
      return;
    }
    String region = ctx.region();
    String account = ctx.account();
    String functionName = ctx.functionName();
    String streamArn = ctx.streamArn();
    Clock clock = ctx.clock();
    Map<String, @Nullable Object> requestContext = new LinkedHashMap<>();
    requestContext.put("requestId", UUID.randomUUID().toString());
    requestContext.put("functionArn", "arn:aws:lambda:" + region + ":" + account + ":function:" + functionName);
    requestContext.put("condition", condition);
    // RecordAgeExceeded: AWS's recorded record for records that were never delivered says 1 (LocalStack's
    // kinesis ESM tests, snapshots recorded against AWS), not 0. The assumption here: it counts the attempt
    // at which the records were discarded, so after k deliveries it says k + 1.
    requestContext.put("approximateInvokeCount", withResponse ? invokeCount : invokeCount + 1);
    Map<String, @Nullable Object> doc = new LinkedHashMap<>();
    doc.put("requestContext", requestContext);
    if (withResponse) {
      Map<String, @Nullable Object> responseContext = new LinkedHashMap<>();
      responseContext.put("statusCode", 200);
      responseContext.put("executedVersion", "$LATEST");
      responseContext.put("functionError", functionError);
      doc.put("responseContext", responseContext);
    }
    doc.put("version", "1.0");
    doc.put("timestamp", ISO_MILLIS.format(clock.instant()));
    Map<String, @Nullable Object> info = new LinkedHashMap<>();
    info.put("shardId", shardId);
    info.put("startSequenceNumber", records.get(0).sequenceNumber());
    info.put("endSequenceNumber", records.get(records.size() - 1).sequenceNumber());
    info.put("approximateArrivalOfFirstRecord", ISO_MILLIS.format(records.get(0).arrival()));
    info.put("approximateArrivalOfLastRecord", ISO_MILLIS.format(records.get(records.size() - 1).arrival()));
    info.put("batchSize", records.size());
    info.put("streamArn", streamArn);
    doc.put("KinesisBatchInfo", info);
    if (mapping.onFailureDestination() == EventSourceMappingConfig.DestinationType.S3) {
      doc.put("payload", KinesisEvents.toMap(SimRecord.event(records, streamArn, region)));
    }
    String json = Json.write(doc);
    if (mapping.onFailureDestination() == EventSourceMappingConfig.DestinationType.SNS
        && json.getBytes(StandardCharsets.UTF_8).length > SNS_MAX_BYTES) {
      return;
    }
    documents.add(json);
  }
}
