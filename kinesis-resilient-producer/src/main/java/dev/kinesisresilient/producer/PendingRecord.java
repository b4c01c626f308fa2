package dev.kinesisresilient.producer;

import dev.kinesisresilient.core.KinesisRecord;
import dev.kinesisresilient.core.RecordResult;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * One accepted record and its state. The final fields are set by the appending thread before the
 * record is published to the sender under the accumulator's lock; the rest is touched by the sender
 * thread only. {@link #done} is compare-and-set so the record completes exactly once.
 */
final class PendingRecord {
  final KinesisRecord record;
  final long seq;
  final long sizeBytes;
  final long charge;
  final BigInteger hashKey;
  final Instant appendTime;
  final Instant deadline;
  final CompletableFuture<RecordResult> future = new CompletableFuture<>();
  private final AtomicBoolean done = new AtomicBoolean();

  int attempts;
  Instant notBefore = Instant.MIN;
  Duration previousDelay = Duration.ZERO;
  @Nullable String lastCode;
  @Nullable String lastMetricCode;
  @Nullable String lastMessage;
  @Nullable Throwable lastCause;
  @Nullable Lane lane;

  PendingRecord(KinesisRecord record, long seq, BigInteger hashKey, Instant appendTime, Instant deadline) {
    this.record = record;
    this.seq = seq;
    this.sizeBytes = record.sizeBytes();
    this.charge = sizeBytes + ProducerSettings.RECORD_OVERHEAD_BYTES;
    this.hashKey = hashKey;
    this.appendTime = appendTime;
    this.deadline = deadline;
  }

  /** Marks the record complete; true only for the first call. */
  boolean markDone() {
    return done.compareAndSet(false, true);
  }

  boolean isDone() {
    return done.get();
  }
}
