package dev.kinesisresilient.producer.internal;

import dev.kinesisresilient.core.KinesisRecord;
import dev.kinesisresilient.core.KinesisResilientException;
import dev.kinesisresilient.producer.BufferFullException;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;

/**
 * Where application threads hand records to the sender: a byte-bounded buffer with FIFO waiting for
 * space (as Kafka's {@code BufferPool}), the hand-over list of new records, flush requests, and the
 * sender's wake-up signal. One lock guards it all; it is held only for O(1) work (never while calling
 * the client or completing futures). Thread-safe.
 */
final class RecordAccumulator {

  /** What the sender takes in one go. */
  record Drained(List<PendingRecord> records, List<Flush> flushes, boolean closed, boolean waiters) {}

  /** A flush: complete {@code future} once every record with {@code seq <= lastSeq} is complete. */
  record Flush(long lastSeq, CompletableFuture<Void> future) {}

  private final long maxBytes;
  private final int wakeRecords;
  private final long wakeBytes;
  private final Duration lingerTime;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition senderWake = lock.newCondition();
  private final ArrayDeque<Condition> waiters = new ArrayDeque<>();
  private final AtomicLong sent;

  // Guarded by lock.
  private long usedBytes;
  private ArrayList<PendingRecord> incoming = new ArrayList<>();
  private long incomingBytes;
  private List<Flush> flushes = new ArrayList<>();
  private long nextSeq;
  private boolean closed;
  private boolean wakeup;
  private @Nullable Instant senderSleepsUntil; // set while the sender waits in awaitWork

  // Written under lock, read anywhere (gauges, stats).
  private volatile long usedBytesView;

  RecordAccumulator(long maxBytes, int wakeRecords, long wakeBytes, Duration lingerTime, AtomicLong sent) {
    this.maxBytes = maxBytes;
    this.lingerTime = lingerTime;
    this.wakeRecords = wakeRecords;
    this.wakeBytes = wakeBytes;
    this.sent = sent;
  }

  /**
   * Reserves space and appends a record, blocking up to {@code maxBlockNanos} (0: not at all) for
   * space, threads served in arrival order.
   *
   * @param sizeBytes the record's size ({@link KinesisRecord#sizeBytes()}), computed once by the caller
   * @return the pending record, or null when {@code maxBlockNanos} is 0 and there is no space now
   * @throws IllegalStateException when closed
   * @throws BufferFullException when space did not come free in time (only when {@code maxBlockNanos
   *     > 0} or {@code failWhenFull})
   * @throws KinesisResilientException when interrupted (the interrupt flag is set again)
   */
  @Nullable PendingRecord append(KinesisRecord record, long sizeBytes, BigInteger hashKey, Clock clock,
      Duration deliveryTimeout, long maxBlockNanos, boolean failWhenFull, BlockedTimeRecorder blocked) {
    long charge = sizeBytes + ProducerSettings.RECORD_OVERHEAD_BYTES;
    PutRecordsRequestEntry entry = PendingRecord.entryOf(record);
    lock.lock();
    try {
      requireOpen();
      if (!(waiters.isEmpty() && usedBytes + charge <= maxBytes)) {
        if (maxBlockNanos <= 0) {
          if (failWhenFull) {
            throw full(charge, Duration.ZERO);
          }
          return null;
        }
        awaitSpace(charge, maxBlockNanos, blocked);
      }
      usedBytes += charge;
      usedBytesView = usedBytes;
      Instant now = clock.instant();
      PendingRecord p = new PendingRecord(record, entry, sizeBytes, nextSeq++, hashKey, now, now.plus(deliveryTimeout));
      boolean wasEmpty = incoming.isEmpty();
      incoming.add(p);
      incomingBytes += p.sizeBytes;
      sent.incrementAndGet();
      // Wake the sender only when it must act sooner than it would anyway: new records fill a request,
      // or the first new record's linger ends before the sender's planned wake-up (a sender that is not
      // waiting caps its next wait at that linger end in awaitWork). Waking it for every first record
      // after a drain made both threads pay a lock hand-off and a park/unpark per few records.
      if (incoming.size() == wakeRecords || incomingBytes - p.sizeBytes < wakeBytes && incomingBytes >= wakeBytes
          || wasEmpty && senderSleepsUntil != null && senderSleepsUntil.isAfter(now.plus(lingerTime))) {
        signalSender();
      }
      if (!waiters.isEmpty() && usedBytes < maxBytes) {
        waiters.peekFirst().signal();
      }
      return p;
    } finally {
      lock.unlock();
    }
  }

  // Caller holds lock.
  private void awaitSpace(long charge, long maxBlockNanos, BlockedTimeRecorder blocked) {
    Condition me = lock.newCondition();
    waiters.addLast(me);
    signalSender(); // memory pressure makes every lane ready
    long start = System.nanoTime();
    long remaining = maxBlockNanos;
    try {
      while (true) {
        requireOpen();
        if (waiters.peekFirst() == me && usedBytes + charge <= maxBytes) {
          return;
        }
        if (remaining <= 0) {
          throw full(charge, Duration.ofNanos(maxBlockNanos));
        }
        remaining = me.awaitNanos(remaining);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KinesisResilientException("interrupted while waiting for buffer space", e);
    } finally {
      waiters.remove(me);
      if (!waiters.isEmpty()) {
        waiters.peekFirst().signal();
      }
      blocked.record(System.nanoTime() - start);
    }
  }

  private BufferFullException full(long charge, Duration waited) {
    return new BufferFullException("buffer full: a record needing " + charge + " bytes found "
        + (maxBytes - usedBytes) + " of maxBufferedBytes " + maxBytes + " free after waiting " + waited
        + " (maxBlockTime); records are arriving faster than the stream takes them");
  }

  // Caller holds lock.
  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("producer is closed; send is not allowed");
    }
  }

  /** Gives back the space of completed records and wakes the first waiter. */
  void release(long bytes) {
    if (bytes == 0) {
      return;
    }
    lock.lock();
    try {
      usedBytes -= bytes;
      usedBytesView = usedBytes;
      Condition first = waiters.peekFirst();
      if (first != null) {
        first.signal();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Takes the new records (in send order) and flush requests. Sender thread.
   *
   * @param empty an empty list to collect the next records in (the sender hands back the list of an
   *     earlier drain once it has taken its records, so that a steady stream allocates no list and grows
   *     none by copying); null to allocate one
   */
  Drained drain(@Nullable ArrayList<PendingRecord> empty) {
    lock.lock();
    try {
      List<PendingRecord> records = List.of();
      if (!incoming.isEmpty()) {
        records = incoming;
        incoming = empty != null ? empty : new ArrayList<>(Math.min(records.size(), wakeRecords));
        incomingBytes = 0;
      }
      List<Flush> f = List.of();
      if (!flushes.isEmpty()) {
        f = flushes;
        flushes = new ArrayList<>();
      }
      return new Drained(records, f, closed, !waiters.isEmpty());
    } finally {
      lock.unlock();
    }
  }

  /** Registers a flush of everything appended so far. */
  CompletableFuture<Void> flush() {
    CompletableFuture<Void> f = new CompletableFuture<>();
    lock.lock();
    try {
      flushes.add(new Flush(nextSeq - 1, f));
      signalSender();
    } finally {
      lock.unlock();
    }
    return f;
  }

  /** Stops intake: later appends throw, waiting ones wake up and throw. */
  void close() {
    lock.lock();
    try {
      closed = true;
      for (Condition c : waiters) {
        c.signal();
      }
      signalSender();
    } finally {
      lock.unlock();
    }
  }

  boolean isClosed() {
    lock.lock();
    try {
      return closed;
    } finally {
      lock.unlock();
    }
  }

  /** Wakes the sender from {@link #awaitWork}. */
  void wakeSender() {
    lock.lock();
    try {
      signalSender();
    } finally {
      lock.unlock();
    }
  }

  // Caller holds lock.
  private void signalSender() {
    wakeup = true;
    senderWake.signal();
  }

  /**
   * Blocks the sender until {@code until} by {@code clock} (or earlier, when the first record appended
   * since the last drain reaches its linger time), or until woken. Returns at once if woken since the
   * last call.
   *
   * @throws InterruptedException when the sender thread is interrupted
   */
  void awaitWork(Instant until, Clock clock) throws InterruptedException {
    lock.lock();
    try {
      if (!wakeup) {
        Instant target = until;
        if (!incoming.isEmpty()) {
          Instant lingerEnd = incoming.get(0).appendTime.plus(lingerTime);
          if (lingerEnd.isBefore(target)) {
            target = lingerEnd;
          }
        }
        long nanos = target.equals(Instant.MAX) ? TimeUnit.DAYS.toNanos(1)
            : Math.min(TimeUnit.DAYS.toNanos(1), Duration.between(clock.instant(), target).toNanos());
        if (nanos > 0) {
          senderSleepsUntil = target;
          try {
            senderWake.awaitNanos(nanos);
          } finally {
            senderSleepsUntil = null;
          }
        }
      }
      wakeup = false;
    } finally {
      lock.unlock();
    }
  }

  long usedBytes() {
    return usedBytesView;
  }

  long maxBytes() {
    return maxBytes;
  }

  boolean hasWaiters() {
    lock.lock();
    try {
      return !waiters.isEmpty();
    } finally {
      lock.unlock();
    }
  }

  /** Receives the time a send spent blocked for space. */
  @FunctionalInterface
  interface BlockedTimeRecorder {
    void record(long nanos);
  }
}
