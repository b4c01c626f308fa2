package dev.kinesisresilient.producer.internal;

import dev.kinesisresilient.core.KinesisRecord;
import dev.kinesisresilient.core.RecordResult;
import dev.kinesisresilient.core.internal.putrecords.FailureTrail;
import dev.kinesisresilient.core.internal.putrecords.RetryRule;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;

/**
 * One accepted record and its state. The final fields are set by the appending thread before the
 * record is published to the sender under the accumulator's lock (the request entry is built there
 * too, once, off the sender thread, and reused by every attempt); the rest is touched by the sender
 * thread only. {@link #markDone} is compare-and-set so the record completes exactly once.
 */
final class PendingRecord {
  private static final VarHandle DONE;

  static {
    try {
      DONE = MethodHandles.lookup().findVarHandle(PendingRecord.class, "done", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final KinesisRecord record;
  final PutRecordsRequestEntry entry;
  final long seq;
  final long sizeBytes;
  final long charge;
  final BigInteger hashKey;
  final Instant appendTime;
  final Instant deadline;
  /**
   * The future handed to the caller as is (no copy): the record's state (above all {@link #markDone})
   * lives here, not in the future, which the producer only ever completes and never reads. A caller
   * that completes or cancels it changes only its own view; the record is still sent, counted and
   * released, exactly once.
   */
  final CompletableFuture<RecordResult> future = new CompletableFuture<>();
  @SuppressWarnings("unused") // accessed through DONE
  private volatile int done;

  int attempts;
  Instant notBefore = Instant.MIN;
  /** The backoff drawn for its last retry ({@link RetryRule#next}'s previous delay). */
  private Duration previousDelay = Duration.ZERO;
  @Nullable Lane lane;
  /** Its last error; made at the first (most records never fail, so most never need one). */
  private @Nullable FailureTrail trail;

  PendingRecord(KinesisRecord record, PutRecordsRequestEntry entry, long sizeBytes, long seq, BigInteger hashKey,
      Instant appendTime, Instant deadline) {
    this.record = record;
    this.entry = entry;
    this.seq = seq;
    this.sizeBytes = sizeBytes;
    this.charge = sizeBytes + ProducerSettings.RECORD_OVERHEAD_BYTES;
    this.hashKey = hashKey;
    this.appendTime = appendTime;
    this.deadline = deadline;
  }

  /** The request entry of a record (built once, on the appending thread). */
  static PutRecordsRequestEntry entryOf(KinesisRecord record) {
    return PutRecordsRequestEntry.builder()
        .partitionKey(record.partitionKey())
        .data(record.data())
        .explicitHashKey(record.explicitHashKey())
        .build();
  }

  /** Marks the record complete; true only for the first call. */
  boolean markDone() {
    return DONE.compareAndSet(this, 0, 1);
  }

  boolean isDone() {
    return done != 0;
  }

  /** The backoff drawn before its last retry; {@link Duration#ZERO} before the first. */
  Duration previousDelay() {
    return previousDelay;
  }

  /** Sets it up for the retry {@link RetryRule} decided: not sent before {@code retry.at()}. */
  void retryAfter(RetryRule.Retry retry) {
    previousDelay = retry.delay();
    notBefore = retry.at();
  }

  /** The record's last error, kept across its attempts for its failed result (made on first use). */
  FailureTrail trail() {
    FailureTrail t = trail;
    if (t == null) {
      t = new FailureTrail();
      trail = t;
    }
    return t;
  }

  /** The metric code of its last error, or null when it has none (the retry budget reads it). */
  @Nullable String lastMetricCode() {
    FailureTrail t = trail;
    return t == null || t.isEmpty() ? null : t.metricCode();
  }
}
