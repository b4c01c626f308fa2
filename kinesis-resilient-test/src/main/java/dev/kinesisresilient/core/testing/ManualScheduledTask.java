package dev.kinesisresilient.core.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A task queued on a {@link ManualScheduler} and its future: runs when the test drives the scheduler,
 * re-queues itself when periodic, and never blocks in {@code get}. All mutable state is guarded by the
 * queue's lock ({@link ManualTaskQueue#lock}).
 */
final class ManualScheduledTask<V> implements RunnableScheduledFuture<V> {

  private enum State {
    PENDING,
    RUNNING,
    SUCCEEDED,
    FAILED,
    CANCELLED
  }

  private final ManualTaskQueue tasks;
  private final Object lock;
  private final ManualClock clock;
  private final Callable<V> callable;
  private final @Nullable Duration period;
  private final boolean fixedRate;
  Instant due; // guarded by lock; read by the scheduler
  private long sequence;
  private State state = State.PENDING;
  boolean drained; // guarded by lock; set by ManualScheduler.shutdownNow
  private @Nullable V result;
  private @Nullable Throwable failure;

  ManualScheduledTask(
      ManualTaskQueue tasks, Callable<V> callable, Instant due, long sequence, @Nullable Duration period,
      boolean fixedRate) {
    this.tasks = tasks;
    this.lock = tasks.lock;
    this.clock = tasks.clock;
    this.callable = callable;
    this.due = due;
    this.sequence = sequence;
    this.period = period;
    this.fixedRate = fixedRate;
  }

  /** Runs the task once, after it was taken off the queue (or never queued). */
  void runFromQueue() {
    synchronized (lock) {
      if (state != State.PENDING) {
        return;
      }
      state = State.RUNNING;
    }
    V value;
    try {
      value = callable.call();
    } catch (Throwable e) {
      synchronized (lock) {
        if (state == State.RUNNING) {
          state = State.FAILED;
          failure = e;
        }
      }
      return;
    }
    synchronized (lock) {
      if (state != State.RUNNING) {
        return; // cancelled while running
      }
      if (period == null) {
        state = State.SUCCEEDED;
        result = value;
      } else if (tasks.shutdown) {
        state = State.CANCELLED;
      } else {
        due = ManualTaskQueue.plusSaturating(fixedRate ? due : clock.instant(), period);
        sequence = tasks.nextSequence++;
        state = State.PENDING;
        tasks.queue.add(this);
      }
    }
  }

  /** Runs the task if it is still queued or was returned by {@link ManualScheduler#shutdownNow()}. */
  @Override
  public void run() {
    synchronized (lock) {
      if (state != State.PENDING) {
        return;
      }
      if (!drained) {
        tasks.queue.remove(this);
      }
      drained = false;
    }
    runFromQueue();
  }

  @Override
  public boolean isPeriodic() {
    return period != null;
  }

  @Override
  public long getDelay(TimeUnit unit) {
    Instant d;
    synchronized (lock) {
      d = due;
    }
    return unit.convert(Duration.between(clock.instant(), d));
  }

  @Override
  public int compareTo(Delayed other) {
    if (other == this) {
      return 0;
    }
    if (other instanceof ManualScheduledTask<?> t) {
      int c = due.compareTo(t.due);
      return c != 0 ? c : Long.compare(sequence, t.sequence);
    }
    return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
  }

  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    synchronized (lock) {
      if (state != State.PENDING && state != State.RUNNING) {
        return false;
      }
      state = State.CANCELLED;
      tasks.queue.remove(this);
      return true;
    }
  }

  @Override
  public boolean isCancelled() {
    synchronized (lock) {
      return state == State.CANCELLED;
    }
  }

  @Override
  public boolean isDone() {
    synchronized (lock) {
      return state == State.SUCCEEDED || state == State.FAILED || state == State.CANCELLED;
    }
  }

  @Override
  public V get() throws ExecutionException {
    synchronized (lock) {
      return resultOrThrow(() -> new IllegalStateException(
          "the task has not run yet (due at " + due + ", now " + clock.instant()
              + "); call runDue(), advance(...) or advanceToNextTask() on the ManualScheduler first"));
    }
  }

  @Override
  public V get(long timeout, TimeUnit unit) throws ExecutionException, TimeoutException {
    Objects.requireNonNull(unit, "unit");
    synchronized (lock) {
      if (state == State.PENDING || state == State.RUNNING) {
        throw new TimeoutException("the task has not run yet (due at " + due + ", now "
            + clock.instant() + "); a ManualScheduler runs tasks only when the test drives it");
      }
      return resultOrThrow(IllegalStateException::new);
    }
  }

  // Caller holds lock.
  private V resultOrThrow(Supplier<IllegalStateException> notDone)
      throws ExecutionException {
    switch (state) {
      case SUCCEEDED:
        return result; // null exactly when the callable returned null
      case FAILED:
        throw new ExecutionException(failure);
      case CANCELLED:
        throw new CancellationException("the task was cancelled");
      default:
        throw notDone.get();
    }
  }

  @Override
  public String toString() {
    synchronized (lock) {
      return "ManualScheduler.Task[due=" + due + ", state=" + state
          + (period == null ? "" : ", period=" + period + (fixedRate ? " (fixed rate)" : " (fixed delay)"))
          + "]";
    }
  }
}
