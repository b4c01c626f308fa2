package dev.kinesisresilient.core.testing;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The queue behind a {@link ManualScheduler}: its tasks in due-time then submission order, the lock
 * that guards them, the submission counter and the shutdown flag, shared by the scheduler and its
 * {@link ManualScheduledTask}s. Also turns delays into due times, saturating instead of overflowing.
 */
final class ManualTaskQueue {

  final ManualClock clock;
  final Object lock = new Object();
  // Guarded by lock.
  final PriorityQueue<ManualScheduledTask<?>> queue = new PriorityQueue<>();
  long nextSequence;
  boolean shutdown;

  ManualTaskQueue(ManualClock clock) {
    this.clock = clock;
  }

  static Duration toDuration(long amount, TimeUnit unit) {
    Objects.requireNonNull(unit, "unit");
    try {
      return Duration.of(amount, unit.toChronoUnit());
    } catch (ArithmeticException e) {
      // Longer than Duration can hold: as good as never.
      return amount < 0 ? Duration.ZERO : Duration.ofSeconds(Long.MAX_VALUE, 999_999_999);
    }
  }

  static Instant plusSaturating(Instant base, Duration d) {
    try {
      return base.plus(d);
    } catch (DateTimeException | ArithmeticException e) {
      return d.isNegative() ? Instant.MIN : Instant.MAX;
    }
  }

  void checkNotShutdown() {
    synchronized (lock) {
      if (shutdown) {
        throw new RejectedExecutionException("ManualScheduler is shut down");
      }
    }
  }

  <V> ManualScheduledTask<V> enqueue(
      Callable<V> callable, Duration delay, @Nullable Duration period, boolean fixedRate) {
    synchronized (lock) {
      if (shutdown) {
        throw new RejectedExecutionException("ManualScheduler is shut down");
      }
      Instant now = clock.instant();
      ManualScheduledTask<V> task = newTask(callable, delay.isNegative() ? now : plusSaturating(now, delay), period, fixedRate);
      queue.add(task);
      return task;
    }
  }

  <V> ManualScheduledTask<V> newTask(
      Callable<V> callable, Instant due, @Nullable Duration period, boolean fixedRate) {
    synchronized (lock) {
      return new ManualScheduledTask<>(this, callable, due, nextSequence++, period, fixedRate);
    }
  }
}
