package dev.kinesisresilient.producer.internal;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.PriorityQueue;
import org.jspecify.annotations.Nullable;

/**
 * The records waiting for one shard (or, without shard prediction, for the whole stream): new
 * records in send order, retries ordered by when their backoff ends, the shard's rate limiter and
 * its in-flight request count. The lane keeps its own books (record counts, bytes, the earliest
 * retry deadline): every change goes through its methods, which also report to the {@link LaneBook}
 * shared by the router's lanes (new records of all lanes, lanes holding records, earliest deadline).
 * Sender thread only.
 */
final class Lane {
  /** Lane id of the stream-level lane, used when shards cannot be predicted. */
  static final String STREAM = "stream";

  final String id;
  final AdaptiveRateLimiter limiter;
  private final boolean shard;
  private final LaneBook book;
  /** Listed in {@link #book}'s active lanes (set and cleared by the book). */
  boolean listed;
  /** Whether the book counts this lane as holding records ({@link #settle}). */
  private boolean counted;
  /** The last request assembled that took records of this lane ({@link RequestAssembler}'s count). */
  long batchStamp;
  private final ArrayDeque<PendingRecord> fresh = new ArrayDeque<>();
  private final PriorityQueue<PendingRecord> retries = new PriorityQueue<>(
      Comparator.comparing((PendingRecord r) -> r.notBefore).thenComparingLong(r -> r.seq));
  private long freshBytes;
  private long retryBytes;
  /**
   * The sizes of the two queues, kept here: at 1,000 shards a lane's queues are cold in the CPU cache,
   * and asking them whether they are empty for every record taken costs a cache miss each.
   */
  private int freshCount;
  private int retryCount;
  private int inFlight;
  private boolean retired;
  /** No retry has a deadline before this (a lower bound: it is exact again after {@link #expireRetries}). */
  private Instant minRetryDeadline = Instant.MAX;

  /** A lane with a book of its own. */
  Lane(String id, AdaptiveRateLimiter limiter) {
    this(id, limiter, new LaneBook());
  }

  Lane(String id, AdaptiveRateLimiter limiter, LaneBook book) {
    this.id = id;
    this.limiter = limiter;
    this.shard = !STREAM.equals(id);
    this.book = book;
  }

  boolean isShard() {
    return shard;
  }

  void addFresh(PendingRecord r) {
    r.lane = this;
    fresh.addLast(r);
    freshCount++;
    freshBytes += r.sizeBytes;
    book.freshChanged(1, r.sizeBytes);
    book.added(this, r);
    settle();
  }

  /** Puts a new record taken for a request that could not go back at the head, where it was. */
  void putBackFresh(PendingRecord r) {
    fresh.addFirst(r);
    freshCount++;
    freshBytes += r.sizeBytes;
    book.freshChanged(1, r.sizeBytes);
    book.added(this, r);
    settle();
  }

  void addRetry(PendingRecord r) {
    r.lane = this;
    retries.add(r);
    retryCount++;
    retryBytes += r.sizeBytes;
    if (r.deadline.isBefore(minRetryDeadline)) {
      minRetryDeadline = r.deadline;
    }
    book.added(this, r);
    settle();
  }

  @Nullable PendingRecord peekFresh() {
    return freshCount == 0 ? null : fresh.peekFirst();
  }

  /** The retry whose backoff ends first. */
  @Nullable PendingRecord peekRetry() {
    return retryCount == 0 ? null : retries.peek();
  }

  @Nullable PendingRecord pollFresh() {
    if (freshCount == 0) {
      return null;
    }
    PendingRecord r = fresh.pollFirst();
    if (r != null) {
      freshCount--;
      freshBytes -= r.sizeBytes;
      book.freshChanged(-1, -r.sizeBytes);
      settle();
    }
    return r;
  }

  @Nullable PendingRecord pollRetry() {
    if (retryCount == 0) {
      return null;
    }
    PendingRecord r = retries.poll();
    if (r != null) {
      retryCount--;
      retryBytes -= r.sizeBytes;
      settle();
    }
    return r;
  }

  /** Removes {@code r}, the head of the retries or else of the new records (a candidate to send). */
  void take(PendingRecord r) {
    if (retryCount > 0 && retries.peek() == r) {
      pollRetry();
    } else {
      pollFresh();
    }
  }

  /**
   * The new records in send order; the iterator's {@code remove} keeps the books (for skipping over
   * records while keeping each partition key's order).
   */
  Iterator<PendingRecord> freshInOrder() {
    Iterator<PendingRecord> it = fresh.iterator();
    return new Iterator<>() {
      private @Nullable PendingRecord last;

      @Override
      public boolean hasNext() {
        return it.hasNext();
      }

      @Override
      public PendingRecord next() {
        PendingRecord r = it.next();
        last = r;
        return r;
      }

      @Override
      public void remove() {
        it.remove();
        if (last != null) {
          freshCount--;
          freshBytes -= last.sizeBytes;
          book.freshChanged(-1, -last.sizeBytes);
          last = null;
          settle();
        }
      }
    };
  }

  /** Removes and returns the head of the new records when its deadline is not after {@code now}. */
  @Nullable PendingRecord pollExpiredFresh(Instant now) {
    PendingRecord h = peekFresh();
    return h != null && !now.isBefore(h.deadline) ? pollFresh() : null;
  }

  /**
   * Removes and returns the retries whose deadline is not after {@code now}, in queue order (scans
   * the retries only when the earliest retry deadline has come).
   */
  List<PendingRecord> expireRetries(Instant now) {
    if (now.isBefore(minRetryDeadline)) {
      return List.of();
    }
    List<PendingRecord> expired = new ArrayList<>();
    Instant min = Instant.MAX;
    Iterator<PendingRecord> it = retries.iterator();
    while (it.hasNext()) {
      PendingRecord r = it.next();
      if (!now.isBefore(r.deadline)) {
        it.remove();
        retryCount--;
        retryBytes -= r.sizeBytes;
        expired.add(r);
      } else if (r.deadline.isBefore(min)) {
        min = r.deadline;
      }
    }
    minRetryDeadline = min;
    settle();
    return expired;
  }

  /** Removes every record, retries first, then new records in send order. */
  List<PendingRecord> drain() {
    List<PendingRecord> out = new ArrayList<>(size());
    PendingRecord r;
    while ((r = pollRetry()) != null) {
      out.add(r);
    }
    while ((r = pollFresh()) != null) {
      out.add(r);
    }
    minRetryDeadline = Instant.MAX;
    return out;
  }

  /** The earliest deadline of a waiting record (a lower bound for the retries), or {@link Instant#MAX}. */
  Instant earliestDeadline() {
    PendingRecord h = peekFresh();
    return h != null && h.deadline.isBefore(minRetryDeadline) ? h.deadline : minRetryDeadline;
  }

  /** The earliest deadline of a retry (a lower bound), or {@link Instant#MAX}. */
  Instant minRetryDeadline() {
    return minRetryDeadline;
  }

  int freshCount() {
    return freshCount;
  }

  long freshBytes() {
    return freshBytes;
  }

  boolean hasRetries() {
    return retryCount > 0;
  }

  int size() {
    return freshCount + retryCount;
  }

  long bytes() {
    return freshBytes + retryBytes;
  }

  boolean isEmpty() {
    return freshCount == 0 && retryCount == 0;
  }

  /** Tells the book when the lane starts or stops holding records. */
  private void settle() {
    boolean holds = freshCount + retryCount > 0;
    if (holds != counted) {
      counted = holds;
      book.holding(holds);
    }
  }

  /** Counts a request carrying records of this lane as sent. */
  void requestSent() {
    inFlight++;
  }

  /** Counts a request carrying records of this lane as answered or given up on. */
  void requestDone() {
    inFlight--;
  }

  /** Requests in flight that carry records of this lane. */
  int inFlight() {
    return inFlight;
  }

  /** Marks the lane as no longer routed to (a new shard map or stream-level routing replaced it). */
  void retire() {
    retired = true;
  }

  boolean isRetired() {
    return retired;
  }

  @Override
  public String toString() {
    return "Lane[" + id + ", fresh=" + fresh.size() + ", retries=" + retries.size() + ", inFlight=" + inFlight
        + ", " + limiter + "]";
  }
}
