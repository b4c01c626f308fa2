package dev.kinesisresilient.core.testing;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A {@link ScheduledExecutorService} without threads: tasks run only when a test says so, at the time
 * of a {@link ManualClock}.
 *
 * <p>Every submitted task ({@code execute}, {@code submit}, {@code schedule}, {@code scheduleAtFixedRate},
 * {@code scheduleWithFixedDelay}) is queued with its due time. Nothing runs until the test calls
 * {@link #runDue()}, {@link #advance(Duration)} or {@link #advanceToNextTask()}; tasks then run on the
 * calling thread, in due-time order and, for equal times, in submission order. Tasks that a running
 * task schedules are run in the same call when they are due. A task's exception completes its future
 * exceptionally, as in {@link java.util.concurrent.ScheduledThreadPoolExecutor}; a periodic task that
 * throws is not run again.
 *
 * <p>Thread-safe: any thread may submit, cancel or drive tasks. Tasks run outside the scheduler's lock,
 * so a task may submit or cancel other tasks.
 *
 * <p>Lifecycle: the scheduler owns no resources. After {@link #shutdown()} new tasks are rejected with
 * {@link RejectedExecutionException}, queued one-shot tasks still run when driven, and periodic tasks
 * are cancelled, matching the defaults of {@code ScheduledThreadPoolExecutor}. {@link #shutdownNow()}
 * removes every queued task and returns it without running it.
 *
 * <pre>{@code
 * ManualClock clock = ManualClock.create();
 * ManualScheduler scheduler = ManualScheduler.create(clock);
 * ScheduledFuture<?> f = scheduler.schedule(() -> sent.set(true), 100, TimeUnit.MILLISECONDS);
 * scheduler.advance(Duration.ofMillis(99));   // not yet
 * scheduler.advance(Duration.ofMillis(1));    // runs the task; f.isDone() is now true
 * }</pre>
 *
 * <p>How it fails: nothing ever blocks. {@link Future#get()} on a task that has not finished throws
 * {@link IllegalStateException} (waiting would never end, since only the test runs tasks); the timed
 * {@link Future#get(long, TimeUnit)} throws {@link TimeoutException} at once, as if the wait had
 * elapsed. {@link #awaitTermination(long, TimeUnit)} returns at once. {@code invokeAll} and
 * {@code invokeAny} run their tasks directly on the calling thread, since waiting for queued tasks
 * would never end.
 *
 * @since 0.1.0
 */
public final class ManualScheduler implements ScheduledExecutorService {

  private final ManualClock clock;
  // The queue, its lock and the shutdown flag live in ManualTaskQueue, shared with the tasks;
  // lock and queue here are the same objects, for short names.
  private final ManualTaskQueue taskQueue;
  private final Object lock;
  private final PriorityQueue<ManualScheduledTask<?>> queue;

  private ManualScheduler(ManualClock clock) {
    this.clock = clock;
    this.taskQueue = new ManualTaskQueue(clock);
    this.lock = taskQueue.lock;
    this.queue = taskQueue.queue;
  }

  /**
   * A scheduler driven by a new {@link ManualClock} at {@link ManualClock#DEFAULT_START}.
   *
   * @return a new scheduler; its clock is {@link #clock()}
   */
  public static ManualScheduler create() {
    return new ManualScheduler(ManualClock.create());
  }

  /**
   * A scheduler driven by the given clock. Moving the clock directly makes tasks due; they still run
   * only on {@link #runDue()}.
   *
   * @param clock the clock that decides which tasks are due
   * @return a new scheduler
   * @throws NullPointerException when {@code clock} is null
   */
  public static ManualScheduler create(ManualClock clock) {
    return new ManualScheduler(Objects.requireNonNull(clock, "clock"));
  }

  /**
   * The clock that drives this scheduler.
   *
   * @return the clock
   */
  public ManualClock clock() {
    return clock;
  }

  // ---------------------------------------------------------------- driving

  /**
   * Runs every queued task whose due time is at or before the clock's current time, in due-time order
   * then submission order, including tasks that become due while running (scheduled by other tasks
   * with no delay, or periodic tasks whose next run is already due). The clock does not move.
   *
   * @return the number of task runs (a periodic task counts once per run)
   */
  public int runDue() {
    int runs = 0;
    while (true) {
      ManualScheduledTask<?> task;
      synchronized (lock) {
        task = queue.peek();
        if (task == null || task.due.isAfter(clock.instant())) {
          return runs;
        }
        queue.poll();
      }
      task.runFromQueue();
      runs++;
    }
  }

  /**
   * Moves the clock forward by {@code duration}, stopping at each queued task's due time on the way
   * to run the tasks due then, and ends at the current time plus {@code duration}. Tasks scheduled by
   * running tasks are run too when they fall within the window.
   *
   * @param duration how far to move the clock; zero runs only what is already due
   * @return the number of task runs
   * @throws NullPointerException when {@code duration} is null
   * @throws IllegalArgumentException when {@code duration} is negative
   */
  public int advance(Duration duration) {
    Objects.requireNonNull(duration, "duration");
    if (duration.isNegative()) {
      throw new IllegalArgumentException("duration must not be negative, was " + duration);
    }
    Instant target = clock.instant().plus(duration);
    int runs = runDue();
    while (true) {
      Instant next;
      synchronized (lock) {
        ManualScheduledTask<?> head = queue.peek();
        if (head == null || head.due.isAfter(target)) {
          break;
        }
        next = head.due;
      }
      clock.advanceTo(next);
      runs += runDue();
    }
    clock.advanceTo(target);
    return runs;
  }

  /**
   * Moves the clock to the earliest queued task's due time (unless it is already past) and runs every
   * task due then.
   *
   * @return the number of task runs; 0 when no task is queued, in which case the clock does not move
   */
  public int advanceToNextTask() {
    Instant next;
    synchronized (lock) {
      ManualScheduledTask<?> head = queue.peek();
      if (head == null) {
        return 0;
      }
      next = head.due;
    }
    clock.advanceTo(next);
    return runDue();
  }

  /**
   * The number of queued tasks: submitted, not yet run (or periodic and waiting for their next run),
   * and not cancelled.
   *
   * @return the queued task count
   */
  public int pendingTasks() {
    synchronized (lock) {
      return queue.size();
    }
  }

  /**
   * How long until the earliest queued task is due.
   *
   * @return the delay, {@link Duration#ZERO} when a task is already due, empty when nothing is queued
   */
  public Optional<Duration> nextTaskDelay() {
    synchronized (lock) {
      ManualScheduledTask<?> head = queue.peek();
      if (head == null) {
        return Optional.empty();
      }
      Duration delay = Duration.between(clock.instant(), head.due);
      return Optional.of(delay.isNegative() ? Duration.ZERO : delay);
    }
  }

  // ---------------------------------------------------------------- scheduling

  /**
   * Queues a task to run at the current time, on the next {@link #runDue()} or advance.
   *
   * @param command the task
   * @throws NullPointerException when {@code command} is null
   * @throws RejectedExecutionException after shutdown
   */
  @Override
  public void execute(Runnable command) {
    Objects.requireNonNull(command, "command");
    taskQueue.enqueue(Executors.callable(command, null), Duration.ZERO, null, false);
  }

  /**
   * Queues a task to run at the current time.
   *
   * @param task the task
   * @param <T> the result type
   * @return a future completed with the task's result when it runs
   * @throws NullPointerException when {@code task} is null
   * @throws RejectedExecutionException after shutdown
   */
  @Override
  public <T> Future<T> submit(Callable<T> task) {
    Objects.requireNonNull(task, "task");
    return taskQueue.enqueue(task, Duration.ZERO, null, false);
  }

  /**
   * Queues a task to run at the current time.
   *
   * @param task the task
   * @param result the value the future completes with
   * @param <T> the result type
   * @return a future completed with {@code result} when the task has run
   * @throws NullPointerException when {@code task} is null
   * @throws RejectedExecutionException after shutdown
   */
  @Override
  public <T> Future<T> submit(Runnable task, T result) {
    Objects.requireNonNull(task, "task");
    return taskQueue.enqueue(Executors.callable(task, result), Duration.ZERO, null, false);
  }

  /**
   * Queues a task to run at the current time.
   *
   * @param task the task
   * @return a future completed with {@code null} when the task has run
   * @throws NullPointerException when {@code task} is null
   * @throws RejectedExecutionException after shutdown
   */
  @Override
  public Future<?> submit(Runnable task) {
    Objects.requireNonNull(task, "task");
    return taskQueue.enqueue(Executors.callable(task), Duration.ZERO, null, false);
  }

  /**
   * Queues a task to run once, {@code delay} after the current time.
   *
   * @param command the task
   * @param delay the delay; zero or negative means now
   * @param unit the delay's unit
   * @return a future completed with {@code null} when the task has run
   * @throws NullPointerException when {@code command} or {@code unit} is null
   * @throws RejectedExecutionException after shutdown
   */
  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    Objects.requireNonNull(command, "command");
    return taskQueue.enqueue(
        Executors.callable(command), ManualTaskQueue.toDuration(delay, unit), null, false);
  }

  /**
   * Queues a task to run once, {@code delay} after the current time.
   *
   * @param callable the task
   * @param delay the delay; zero or negative means now
   * @param unit the delay's unit
   * @param <V> the result type
   * @return a future completed with the task's result when it has run
   * @throws NullPointerException when {@code callable} or {@code unit} is null
   * @throws RejectedExecutionException after shutdown
   */
  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    Objects.requireNonNull(callable, "callable");
    return taskQueue.enqueue(callable, ManualTaskQueue.toDuration(delay, unit), null, false);
  }

  /**
   * Queues a task to run first after {@code initialDelay}, then every {@code period} measured from the
   * previous run's due time. When the clock jumps past several periods, {@link #runDue()} runs the
   * missed runs one after another, as a real executor catches up.
   *
   * @param command the task
   * @param initialDelay the delay before the first run; zero or negative means now
   * @param period the time between due times, positive
   * @param unit the unit of both times
   * @return a future that completes only when the task throws (exceptionally) or is cancelled
   * @throws NullPointerException when {@code command} or {@code unit} is null
   * @throws IllegalArgumentException when {@code period} is not positive
   * @throws RejectedExecutionException after shutdown
   */
  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(
      Runnable command, long initialDelay, long period, TimeUnit unit) {
    Objects.requireNonNull(command, "command");
    if (period <= 0) {
      throw new IllegalArgumentException("period must be positive, was " + period);
    }
    return taskQueue.enqueue(Executors.callable(command), ManualTaskQueue.toDuration(initialDelay, unit),
        ManualTaskQueue.toDuration(period, unit), true);
  }

  /**
   * Queues a task to run first after {@code initialDelay}, then {@code delay} after each run ends (the
   * clock time when the run returns).
   *
   * @param command the task
   * @param initialDelay the delay before the first run; zero or negative means now
   * @param delay the time from the end of one run to the next, positive
   * @param unit the unit of both times
   * @return a future that completes only when the task throws (exceptionally) or is cancelled
   * @throws NullPointerException when {@code command} or {@code unit} is null
   * @throws IllegalArgumentException when {@code delay} is not positive
   * @throws RejectedExecutionException after shutdown
   */
  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(
      Runnable command, long initialDelay, long delay, TimeUnit unit) {
    Objects.requireNonNull(command, "command");
    if (delay <= 0) {
      throw new IllegalArgumentException("delay must be positive, was " + delay);
    }
    return taskQueue.enqueue(Executors.callable(command), ManualTaskQueue.toDuration(initialDelay, unit),
        ManualTaskQueue.toDuration(delay, unit), false);
  }

  /**
   * Runs every task directly on the calling thread, in order, without queueing them.
   *
   * @param tasks the tasks
   * @param <T> the result type
   * @return completed futures, one per task, in order
   * @throws NullPointerException when {@code tasks} or one of them is null
   * @throws RejectedExecutionException after shutdown
   */
  @Override
  public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) {
    Objects.requireNonNull(tasks, "tasks");
    taskQueue.checkNotShutdown();
    List<Future<T>> futures = new ArrayList<>(tasks.size());
    for (Callable<T> task : tasks) {
      ManualScheduledTask<T> t =
          taskQueue.newTask(Objects.requireNonNull(task, "task"), clock.instant(), null, false);
      t.runFromQueue();
      futures.add(t);
    }
    return futures;
  }

  /**
   * Runs every task directly on the calling thread, in order, ignoring the timeout: the clock does not
   * move while tasks run, so the timeout can never elapse.
   *
   * @param tasks the tasks
   * @param timeout ignored
   * @param unit ignored, but must not be null
   * @param <T> the result type
   * @return completed futures, one per task, in order
   * @throws NullPointerException when {@code tasks}, one of them, or {@code unit} is null
   * @throws RejectedExecutionException after shutdown
   */
  @Override
  public <T> List<Future<T>> invokeAll(
      Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit) {
    Objects.requireNonNull(unit, "unit");
    return invokeAll(tasks);
  }

  /**
   * Runs the tasks directly on the calling thread, in order, until one returns normally.
   *
   * @param tasks the tasks, at least one
   * @param <T> the result type
   * @return the first normal result
   * @throws ExecutionException when every task threw; the cause is the last task's exception
   * @throws NullPointerException when {@code tasks} or one of them is null
   * @throws IllegalArgumentException when {@code tasks} is empty
   * @throws RejectedExecutionException after shutdown
   */
  @Override
  public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws ExecutionException {
    Objects.requireNonNull(tasks, "tasks");
    if (tasks.isEmpty()) {
      throw new IllegalArgumentException("tasks must not be empty");
    }
    taskQueue.checkNotShutdown();
    Throwable last = null;
    for (Callable<T> task : tasks) {
      Objects.requireNonNull(task, "task");
      try {
        return task.call();
      } catch (Exception e) {
        last = e;
      }
    }
    throw new ExecutionException("every task failed", last);
  }

  /**
   * Same as {@link #invokeAny(Collection)}; the timeout is ignored since the clock does not move while
   * tasks run.
   *
   * @param tasks the tasks, at least one
   * @param timeout ignored
   * @param unit ignored, but must not be null
   * @param <T> the result type
   * @return the first normal result
   * @throws ExecutionException when every task threw; the cause is the last task's exception
   * @throws NullPointerException when {@code tasks}, one of them, or {@code unit} is null
   * @throws IllegalArgumentException when {@code tasks} is empty
   * @throws RejectedExecutionException after shutdown
   */
  @Override
  public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
      throws ExecutionException {
    Objects.requireNonNull(unit, "unit");
    return invokeAny(tasks);
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Stops accepting tasks. Queued one-shot tasks stay queued and still run when the test drives the
   * scheduler; queued periodic tasks are cancelled. Calling it again does nothing.
   */
  @Override
  public void shutdown() {
    List<ManualScheduledTask<?>> periodic = new ArrayList<>();
    synchronized (lock) {
      taskQueue.shutdown = true;
      for (ManualScheduledTask<?> t : queue) {
        if (t.isPeriodic()) {
          periodic.add(t);
        }
      }
    }
    for (ManualScheduledTask<?> t : periodic) {
      t.cancel(false);
    }
  }

  /**
   * Stops accepting tasks and removes every queued task without running or cancelling it, as
   * {@code ScheduledThreadPoolExecutor} does. The returned tasks' futures stay incomplete unless the
   * caller runs them.
   *
   * @return the removed tasks, in due-time order; each is also the task's {@link ScheduledFuture}
   */
  @Override
  public List<Runnable> shutdownNow() {
    List<Runnable> removed = new ArrayList<>();
    synchronized (lock) {
      taskQueue.shutdown = true;
      while (!queue.isEmpty()) {
        ManualScheduledTask<?> t = queue.poll();
        t.drained = true;
        removed.add(t);
      }
    }
    return removed;
  }

  /**
   * Whether {@link #shutdown()} or {@link #shutdownNow()} was called.
   *
   * @return true after shutdown
   */
  @Override
  public boolean isShutdown() {
    synchronized (lock) {
      return taskQueue.shutdown;
    }
  }

  /**
   * Whether the scheduler is shut down and has no queued task left.
   *
   * @return true when shut down and the queue is empty
   */
  @Override
  public boolean isTerminated() {
    synchronized (lock) {
      return taskQueue.shutdown && queue.isEmpty();
    }
  }

  /**
   * Returns at once, without running tasks or waiting: nothing can run while the caller waits.
   *
   * @param timeout ignored
   * @param unit ignored, but must not be null
   * @return {@link #isTerminated()}
   * @throws NullPointerException when {@code unit} is null
   */
  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    Objects.requireNonNull(unit, "unit");
    return isTerminated();
  }

  /**
   * Shows the clock's time, the queued task count and whether the scheduler is shut down.
   *
   * @return a short description
   */
  @Override
  public String toString() {
    synchronized (lock) {
      return "ManualScheduler[now=" + clock.instant() + ", pendingTasks=" + queue.size()
          + ", shutdown=" + taskQueue.shutdown + "]";
    }
  }
}
