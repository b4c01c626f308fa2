package dev.kinesisresilient.lambda.internal;

import dev.kinesisresilient.core.BatchWriteResult;
import dev.kinesisresilient.core.KinesisBatchWriter;
import dev.kinesisresilient.core.KinesisRecord;
import dev.kinesisresilient.core.RecordResult;
import dev.kinesisresilient.lambda.QuarantineSink;
import dev.kinesisresilient.lambda.QuarantinedRecord;
import dev.kinesisresilient.lambda.StreamRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/** Writes quarantined records as JSON documents to a Kinesis stream. Thread-safe. */
public final class KinesisQuarantineSink implements QuarantineSink {

  static final int MAX_ERROR_MESSAGE_CHARS = 1024;

  private final KinesisBatchWriter writer;

  /**
   * A sink over a writer owned by the caller.
   *
   * @param writer the writer
   */
  public KinesisQuarantineSink(KinesisBatchWriter writer) {
    this.writer = writer;
  }

  @Override
  public void quarantine(QuarantinedRecord record, Duration timeLeft) throws Exception {
    KinesisRecord out = KinesisRecord.of(record.record().partitionKey(),
        document(record).getBytes(StandardCharsets.UTF_8));
    CompletableFuture<BatchWriteResult> f = writer.write(List.of(out));
    BatchWriteResult result;
    try {
      result = f.get(Math.max(0, timeLeft.toNanos()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new QuarantineFailedException("quarantine write did not finish within " + timeLeft, e);
    } catch (ExecutionException e) {
      throw new QuarantineFailedException("quarantine write failed", e.getCause());
    }
    RecordResult r = result.results().get(0);
    if (r instanceof RecordResult.Failed failed) {
      throw new QuarantineFailedException("quarantine write failed: " + failed.reason() + " "
          + failed.errorCode() + ": " + failed.errorMessage(), failed.cause());
    }
  }

  /**
   * The JSON document for one quarantined record.
   *
   * @param q the record
   * @return the document
   */
  public static String document(QuarantinedRecord q) {
    StreamRecord r = q.record();
    Map<String, @Nullable Object> doc = new LinkedHashMap<>();
    doc.put("version", "1.0");
    doc.put("reason", q.reason().name());
    doc.put("attempts", q.attempts());
    doc.put("quarantinedAt", q.quarantinedAt().toString());
    Throwable e = q.error();
    if (e != null) {
      Map<String, @Nullable Object> err = new LinkedHashMap<>();
      err.put("type", e.getClass().getName());
      String m = e.getMessage();
      err.put("message", m == null ? null
          : m.length() > MAX_ERROR_MESSAGE_CHARS ? m.substring(0, MAX_ERROR_MESSAGE_CHARS) : m);
      doc.put("error", err);
    }
    Map<String, @Nullable Object> src = new LinkedHashMap<>();
    src.put("streamArn", r.streamArn());
    src.put("shardId", r.shardId());
    src.put("sequenceNumber", r.sequenceNumber());
    src.put("subSequenceNumber", r.subSequenceNumber());
    src.put("aggregated", r.aggregated());
    src.put("partitionKey", r.partitionKey());
    src.put("approximateArrivalTimestamp", r.approximateArrivalTimestamp().toString());
    doc.put("source", src);
    doc.put("data", Base64.getEncoder().encodeToString(r.dataBytes()));
    return Json.write(doc);
  }

  /** The sink could not store the record. */
  public static final class QuarantineFailedException extends Exception {
    private static final long serialVersionUID = 1L;

    QuarantineFailedException(String message, @Nullable Throwable cause) {
      super(message, cause);
    }
  }
}
