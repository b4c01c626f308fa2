package dev.kinesisresilient.core.internal;

import dev.kinesisresilient.core.BatchWriteResult;
import dev.kinesisresilient.core.KinesisRecord;
import dev.kinesisresilient.core.RecordResult;
import dev.kinesisresilient.core.internal.putrecords.FailureTrail;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * One {@code write()} call of the {@link ResilientBatchWriter}: its records, each one's attempts, last
 * error and result, the write's deadline and its future. Records are known by their index. Not
 * thread-safe: touched only inside the writer's serial executor.
 */
final class WriteOperation {
  final KinesisRecord[] records;
  final int[] attempts;
  /** When the write's deadline passes (see {@link dev.kinesisresilient.core.RetryPolicy#deadline()}). */
  final Instant deadline;
  final CompletableFuture<BatchWriteResult> future = new CompletableFuture<>();
  private final @Nullable RecordResult[] results;
  /** Each record's last error; null until its first failure. */
  private final @Nullable FailureTrail[] trails;
  private int remaining;

  WriteOperation(KinesisRecord[] records, Instant deadline) {
    this.records = records;
    int n = records.length;
    this.results = new RecordResult[n];
    this.attempts = new int[n];
    this.trails = new FailureTrail[n];
    this.deadline = deadline;
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

  /** Whether the record already has its result. */
  boolean isComplete(int i) {
    return results[i] != null;
  }

  /**
   * Sets the record's result.
   *
   * @return the write's result when this was the last record, else null
   */
  @Nullable BatchWriteResult complete(int i, RecordResult result) {
    results[i] = result;
    return --remaining > 0 ? null : new BatchWriteResult(Arrays.asList(results));
  }
}
