package dev.kinesisresilient.producer;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.PriorityQueue;
import org.jspecify.annotations.Nullable;

/**
 * The records waiting for one shard (or, without shard prediction, for the whole stream): new
 * records in send order, retries ordered by when their backoff ends, the shard's rate limiter and
 * its in-flight request count. Sender thread only.
 */
final class Lane {
  /** Lane id of the stream-level lane, used when shards cannot be predicted. */
  static final String STREAM = "stream";

  final String id;
  final AdaptiveRateLimiter limiter;
  private final boolean shard;
  final ArrayDeque<PendingRecord> fresh = new ArrayDeque<>();
  final PriorityQueue<PendingRecord> retries = new PriorityQueue<>(
      Comparator.comparing((PendingRecord r) -> r.notBefore).thenComparingLong(r -> r.seq));
  long freshBytes;
  long retryBytes;
  int inFlight;
  boolean retired;
  Instant minRetryDeadline = Instant.MAX;

  Lane(String id, AdaptiveRateLimiter limiter) {
    this.id = id;
    this.limiter = limiter;
    this.shard = !STREAM.equals(id);
  }

  boolean isShard() {
    return shard;
  }

  void addFresh(PendingRecord r) {
    r.lane = this;
    fresh.addLast(r);
    freshBytes += r.sizeBytes;
  }

  void addRetry(PendingRecord r) {
    r.lane = this;
    retries.add(r);
    retryBytes += r.sizeBytes;
    if (r.deadline.isBefore(minRetryDeadline)) {
      minRetryDeadline = r.deadline;
    }
  }

  @Nullable PendingRecord pollFresh() {
    PendingRecord r = fresh.pollFirst();
    if (r != null) {
      freshBytes -= r.sizeBytes;
    }
    return r;
  }

  @Nullable PendingRecord pollRetry() {
    PendingRecord r = retries.poll();
    if (r != null) {
      retryBytes -= r.sizeBytes;
    }
    return r;
  }

  int size() {
    return fresh.size() + retries.size();
  }

  long bytes() {
    return freshBytes + retryBytes;
  }

  boolean isEmpty() {
    return fresh.isEmpty() && retries.isEmpty();
  }

  @Override
  public String toString() {
    return "Lane[" + id + ", fresh=" + fresh.size() + ", retries=" + retries.size() + ", inFlight=" + inFlight
        + ", " + limiter + "]";
  }
}
