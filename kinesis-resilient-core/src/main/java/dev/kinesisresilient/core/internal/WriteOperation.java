package dev.kinesisresilient.core.internal;

import dev.kinesisresilient.core.BatchWriteResult;
import dev.kinesisresilient.core.FailureReason;
import dev.kinesisresilient.core.KinesisRecord;
import dev.kinesisresilient.core.RecordResult;
import dev.kinesisresilient.core.internal.putrecords.FailureTrail;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code write()} call of the {@link ResilientBatchWriter}: its records (known by their index),
 * each one's attempts, last error and result, the write's deadline and its future. It gives each record
 * exactly one result, counts it in the metrics, and calls the writer back when the last one is in. Not
 * thread-safe: touched only inside the writer's serial executor.
 */
final class WriteOperation {
  private static final Logger LOG = LoggerFactory.getLogger(ResilientBatchWriter.class);

  final KinesisRecord[] records;
  final int[] attempts;
  /** When the write's deadline passes (see {@link dev.kinesisresilient.core.RetryPolicy#deadline()}). */
  final Instant deadline;
  final CompletableFuture<BatchWriteResult> future = new CompletableFuture<>();
  private final Duration deadlineLength;
  private final WriterMetrics metrics;
  private final String logPrefix;
  private final BiConsumer<WriteOperation, BatchWriteResult> onDone;
  private final @Nullable RecordResult[] results;
  /** Each record's last error; null until its first failure. */
  private final @Nullable FailureTrail[] trails;
  private int remaining;

  WriteOperation(KinesisRecord[] records, Instant deadline, Duration deadlineLength, WriterMetrics metrics,
      String logPrefix, BiConsumer<WriteOperation, BatchWriteResult> onDone) {
    this.records = records;
    int n = records.length;
    this.results = new RecordResult[n];
    this.attempts = new int[n];
    this.trails = new FailureTrail[n];
    this.deadline = deadline;
    this.deadlineLength = deadlineLength;
    this.metrics = metrics;
    this.logPrefix = logPrefix;
    this.onDone = onDone;
    this.remaining = n;
  }

  /** The record's failure trail, made at its first failure. */
  FailureTrail trail(int i) {
    FailureTrail trail = trails[i];
    if (trail == null) {
      trail = new FailureTrail();
      trails[i] = trail;
    }
    return trail;
  }

  /** Whether re-sending the record takes a retry-budget token: its last error was not throttling. */
  boolean needsToken(int i) {
    FailureTrail trail = trails[i];
    return RetryTokenBucket.needsToken(trail == null ? null : trail.metricCode());
  }

  void acknowledge(int i, String sequenceNumber, String shardId) {
    metrics.acknowledged(shardId, attempts[i]);
    complete(i, new RecordResult.Acknowledged(records[i], sequenceNumber, shardId, attempts[i]));
  }

  /** Fails the record with its last error. */
  void fail(int i, FailureReason reason) {
    FailureTrail trail = trail(i);
    fail(i, trail.toFailed(records[i], reason, attempts[i]), trail.metricCode());
  }

  void fail(int i, RecordResult.Failed result, String metricCode) {
    metrics.failed(result.reason(), metricCode, result.attempts());
    complete(i, result);
  }

  /** Fails the records, each with its last error; one never answered fails as {@code DeadlineExceeded}. */
  void failAll(int[] indexes, FailureReason reason) {
    for (int i : indexes) {
      FailureTrail trail = trail(i);
      if (trail.isEmpty()) {
        // A record that was never answered has no error of its own. DeadlineExceeded says that the
        // write's own bound ran out, not the service, so a caller does not look for a service error
        // that never happened; it is also the metric code, a fixed value that keeps the tag bounded.
        trail.record(FailureTrail.DEADLINE_CODE, FailureTrail.DEADLINE_CODE,
            "deadline of " + deadlineLength + " passed before the record could be sent", null);
      }
      fail(i, reason);
    }
  }

  private void complete(int i, RecordResult result) {
    if (results[i] != null) {
      LOG.error("{}record {} already has a result; ignoring a second one (bug)", logPrefix, i);
      return;
    }
    results[i] = result;
    if (--remaining == 0) {
      onDone.accept(this, new BatchWriteResult(Arrays.asList(results)));
    }
  }
}
