package dev.kinesisresilient.producer.testing;

import dev.kinesisresilient.core.FailureReason;
import dev.kinesisresilient.core.KinesisRecord;
import dev.kinesisresilient.core.RecordResult;
import dev.kinesisresilient.producer.ProducerStats;
import dev.kinesisresilient.producer.ResilientProducer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * A {@link ResilientProducer} for application unit tests: records what was sent and completes each
 * record's future either at once (auto-complete) or when the test says so ({@link #completeNext()},
 * {@link #failNext}), in send order. No thread, no client, no clock.
 *
 * <p>Thread-safe: every method is synchronized; futures are completed outside the lock, on the calling
 * thread.
 *
 * <pre>{@code
 * MockResilientProducer producer = MockResilientProducer.manual();
 * service.placeOrder(order, producer);                       // calls producer.send(...)
 * assertThat(producer.history()).hasSize(1);
 * producer.failNext(FailureReason.DEADLINE_EXCEEDED, "DeadlineExceeded", "too slow");
 * assertThat(service.deadLetters()).hasSize(1);
 * }</pre>
 *
 * <p>How it fails: {@code send} after {@link #close()} throws {@link IllegalStateException}, as the
 * real producer does; an exception given to {@link #throwOnNextSend} is thrown by the next {@code
 * send}/{@code trySend}; {@link #completeNext()} with nothing pending returns {@code false}.
 *
 * @since 0.1.0
 */
public final class MockResilientProducer implements ResilientProducer {

  /** The shard id given to records completed without one. */
  public static final String DEFAULT_SHARD_ID = "shardId-000000000000";

  private final boolean autoComplete;
  private final List<KinesisRecord> history = new ArrayList<>();
  private final ArrayDeque<Pending> pending = new ArrayDeque<>();
  private final List<CompletableFuture<Void>> flushes = new ArrayList<>();
  private final Map<FailureReason, Long> failedByReason = new EnumMap<>(FailureReason.class);
  private long sentCount;
  private long acknowledged;
  private long failed;
  private long nextSequence = 1;
  private boolean closed;
  private @Nullable RuntimeException nextSendFailure;

  private MockResilientProducer(boolean autoComplete) {
    this.autoComplete = autoComplete;
  }

  /**
   * A mock that acknowledges every record as soon as it is sent, on shard {@value #DEFAULT_SHARD_ID},
   * with increasing sequence numbers.
   *
   * @return a new mock
   */
  public static MockResilientProducer autoComplete() {
    return new MockResilientProducer(true);
  }

  /**
   * A mock whose futures stay pending until {@link #completeNext()} or {@link #failNext}.
   *
   * @return a new mock
   */
  public static MockResilientProducer manual() {
    return new MockResilientProducer(false);
  }

  @Override
  public CompletableFuture<RecordResult> send(KinesisRecord record) {
    Objects.requireNonNull(record, "record");
    Pending p;
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("producer is closed; send is not allowed");
      }
      RuntimeException e = nextSendFailure;
      if (e != null) {
        nextSendFailure = null;
        throw e;
      }
      history.add(record);
      sentCount++;
      p = new Pending(record, new CompletableFuture<>());
      if (!autoComplete) {
        pending.addLast(p);
        return p.future.copy();
      }
    }
    acknowledge(p, DEFAULT_SHARD_ID);
    return p.future.copy();
  }

  @Override
  public Optional<CompletableFuture<RecordResult>> trySend(KinesisRecord record) {
    return Optional.of(send(record));
  }

  /**
   * Acknowledges the oldest pending record on {@value #DEFAULT_SHARD_ID}.
   *
   * @return false when nothing was pending
   */
  public boolean completeNext() {
    return completeNext(DEFAULT_SHARD_ID);
  }

  /**
   * Acknowledges the oldest pending record on a given shard.
   *
   * @param shardId the shard id to report
   * @return false when nothing was pending
   */
  public boolean completeNext(String shardId) {
    Objects.requireNonNull(shardId, "shardId");
    Pending p;
    synchronized (this) {
      p = pending.pollFirst();
    }
    if (p == null) {
      return false;
    }
    acknowledge(p, shardId);
    return true;
  }

  /**
   * Fails the oldest pending record as a non-retriable error caused by {@code cause}: reason {@link
   * FailureReason#NOT_RETRIABLE}, the exception's simple class name as error code.
   *
   * @param cause the failure to report
   * @return false when nothing was pending
   */
  public boolean failNext(Throwable cause) {
    Objects.requireNonNull(cause, "cause");
    String message = cause.getMessage() == null ? "" : cause.getMessage();
    return failNext(FailureReason.NOT_RETRIABLE, cause.getClass().getSimpleName(), message, cause);
  }

  /**
   * Fails the oldest pending record with a given reason and error code.
   *
   * @param reason the reason, e.g. {@link FailureReason#DEADLINE_EXCEEDED}
   * @param errorCode the error code to report
   * @param message the error message to report
   * @return false when nothing was pending
   */
  public boolean failNext(FailureReason reason, String errorCode, String message) {
    return failNext(reason, errorCode, message, null);
  }

  private boolean failNext(FailureReason reason, String errorCode, String message, @Nullable Throwable cause) {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(errorCode, "errorCode");
    Objects.requireNonNull(message, "message");
    Pending p;
    List<CompletableFuture<Void>> done;
    synchronized (this) {
      p = pending.pollFirst();
      if (p == null) {
        return false;
      }
      failed++;
      failedByReason.merge(reason, 1L, Long::sum);
      done = takeFlushesIfIdle();
    }
    p.future.complete(new RecordResult.Failed(p.record, reason, errorCode, message, 1, cause));
    done.forEach(f -> f.complete(null));
    return true;
  }

  private void acknowledge(Pending p, String shardId) {
    List<CompletableFuture<Void>> done;
    String seq;
    synchronized (this) {
      seq = String.format("%056d", nextSequence++);
      acknowledged++;
      done = takeFlushesIfIdle();
    }
    p.future.complete(new RecordResult.Acknowledged(p.record, seq, shardId, 1));
    done.forEach(f -> f.complete(null));
  }

  // Caller holds the lock.
  private List<CompletableFuture<Void>> takeFlushesIfIdle() {
    if (!pending.isEmpty() || flushes.isEmpty()) {
      return List.of();
    }
    List<CompletableFuture<Void>> done = new ArrayList<>(flushes);
    flushes.clear();
    return done;
  }

  /**
   * Makes the next {@code send} or {@code trySend} throw {@code e} (e.g. a {@link
   * dev.kinesisresilient.producer.BufferFullException}) without recording the record.
   *
   * @param e the exception to throw
   */
  public synchronized void throwOnNextSend(RuntimeException e) {
    this.nextSendFailure = Objects.requireNonNull(e, "e");
  }

  /**
   * Every record sent, in order, including completed ones, since creation or {@link #clear()}.
   *
   * @return an immutable copy
   */
  public synchronized List<KinesisRecord> history() {
    return List.copyOf(history);
  }

  /**
   * How many records wait for {@link #completeNext()} or {@link #failNext}.
   *
   * @return the number of pending records
   */
  public synchronized int pendingCount() {
    return pending.size();
  }

  /** Forgets the history; pending records stay pending. */
  public synchronized void clear() {
    history.clear();
  }

  /**
   * Whether {@link #close()} was called.
   *
   * @return true once closed
   */
  public synchronized boolean closed() {
    return closed;
  }

  /**
   * Completes when every record sent so far is complete: at once in auto-complete mode or when
   * nothing is pending.
   *
   * @return a future
   */
  @Override
  public synchronized CompletableFuture<Void> flush() {
    if (pending.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> f = new CompletableFuture<>();
    flushes.add(f);
    return f.copy();
  }

  @Override
  public synchronized ProducerStats stats() {
    return new ProducerStats(sentCount, acknowledged, failed, failedByReason, pending.size(), 0, 0, 0, 0);
  }

  @Override
  public String clientId() {
    return "mock";
  }

  /** Marks the mock closed; pending records stay pending so tests can still complete them. */
  @Override
  public void close(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    synchronized (this) {
      closed = true;
    }
  }

  @Override
  public void close() {
    close(Duration.ZERO);
  }

  private record Pending(KinesisRecord record, CompletableFuture<RecordResult> future) {}
}
