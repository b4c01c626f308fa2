package dev.kinesisresilient.core.testing;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.kinesis.model.KinesisException;

/**
 * How a {@link FakeKinesisAsyncClient} call runs: under the client's lock, counted, refused once the
 * client is closed, failed by a scripted call fault when it is a write; then its outcome is delivered
 * outside the lock, at once or on the scripted response scheduler, raw or wrapped in a
 * {@link CompletionException}. The call counts and the closed flag are guarded by the client's lock.
 */
final class CallDispatcher {

  /** An operation's work, run under the client's lock; service errors are thrown. */
  interface Operation<T> {
    T run();
  }

  private final Object lock;
  private final boolean wrapFailures;
  private final ScriptedFaults faults;
  private final Map<String, Integer> callCounts = new HashMap<>();
  private boolean closed;

  CallDispatcher(Object lock, boolean wrapFailures, ScriptedFaults faults) {
    this.lock = lock;
    this.wrapFailures = wrapFailures;
    this.faults = faults;
  }

  int callCount(String operationName) {
    Objects.requireNonNull(operationName, "operationName");
    synchronized (lock) {
      return callCounts.getOrDefault(operationName, 0);
    }
  }

  /** An immutable copy of a list the lock guards, such as the recorded requests. */
  <T> List<T> snapshot(List<T> guarded) {
    synchronized (lock) {
      return List.copyOf(guarded);
    }
  }

  void close() {
    synchronized (lock) {
      closed = true;
    }
  }

  /** Caller holds the lock. */
  boolean isClosed() {
    return closed;
  }

  /** Runs a read or control-plane operation; a null request throws NullPointerException at once. */
  <T> CompletableFuture<T> invoke(String operationName, Object request, Operation<T> operation) {
    Objects.requireNonNull(request, "request");
    return deliver(operationName, null, operation);
  }

  /** Runs PutRecord(s): {@code recordWrite} records the request, and scripted call faults apply. */
  <T> CompletableFuture<T> invoke(
      String operationName, Object request, Runnable recordWrite, Operation<T> operation) {
    Objects.requireNonNull(request, "request");
    return deliver(operationName, recordWrite, operation);
  }

  /** Runs an operation under the lock and delivers its outcome. */
  private <T> CompletableFuture<T> deliver(
      String operationName, @Nullable Runnable recordWrite, Operation<T> operation) {
    T value = null;
    Throwable failure = null;
    Duration delay;
    ScheduledExecutorService scheduler;
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("FakeKinesisAsyncClient is closed");
      }
      callCounts.merge(operationName, 1, Integer::sum);
      Throwable scripted = null;
      if (recordWrite != null) {
        recordWrite.run();
        scripted = faults.nextCallFault();
      }
      if (scripted != null) {
        failure = scripted;
      } else {
        try {
          value = operation.run();
        } catch (KinesisException e) {
          failure = e;
        }
      }
      delay = faults.responseDelay();
      scheduler = faults.responseScheduler();
    }
    if (failure != null && wrapFailures && !(failure instanceof CompletionException)) {
      failure = new CompletionException(failure);
    }
    if (delay == null || scheduler == null) {
      return failure == null ? CompletableFuture.completedFuture(value) : CompletableFuture.failedFuture(failure);
    }
    CompletableFuture<T> future = new CompletableFuture<>();
    T v = value;
    Throwable f = failure;
    try {
      scheduler.schedule(
          () -> {
            if (f == null) {
              future.complete(v);
            } else {
              future.completeExceptionally(f);
            }
          },
          delay.toNanos(),
          TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      future.completeExceptionally(e);
    }
    return future;
  }
}
