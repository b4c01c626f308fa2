package dev.kinesisresilient.producer.internal;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;

/**
 * One PutRecords call in flight: its records (in entry order; an aggregate entry spans several), the
 * lanes they came from and its timing. Created and finished by {@link Sender}; read by {@link
 * ResponseHandler}. Sender thread only.
 */
final class Attempt {
  final PendingRecord[] records;
  final List<Lane> lanes;
  final Instant start;
  final long bytes;
  /** Per entry, the end (exclusive) of its records; null when every record is its own entry. */
  private final int @Nullable [] ends;
  final int entries;
  /** The congestion window's epoch when it was sent. */
  final long epoch;
  /** When it is overdue; once overdue, when it is given up on. */
  Instant timeoutAt;
  /** Its attempt timeout passed; waiting for a late answer. */
  boolean overdue;
  /** No record of it that is not complete has an earlier deadline. */
  Instant earliestDeadline;
  CompletableFuture<PutRecordsResponse> call = new CompletableFuture<>();
  boolean done;

  Attempt(PendingRecord[] records, List<Lane> lanes, Instant start, Instant timeoutAt, Instant earliestDeadline,
      long bytes, int @Nullable [] ends, int entries, long epoch) {
    this.ends = ends;
    this.entries = entries;
    this.records = records;
    this.lanes = lanes;
    this.start = start;
    this.timeoutAt = timeoutAt;
    this.earliestDeadline = earliestDeadline;
    this.bytes = bytes;
    this.epoch = epoch;
  }

  /** The first record of entry {@code j}. */
  int entryStart(int j) {
    return ends == null ? j : j == 0 ? 0 : ends[j - 1];
  }

  /** The end (exclusive) of entry {@code j}'s records. */
  int entryEnd(int j) {
    return ends == null ? j + 1 : ends[j];
  }
}
