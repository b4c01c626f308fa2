package dev.kinesisresilient.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

final class ManualSchedulerTest {

  private final ManualClock clock = ManualClock.create();
  private final ManualScheduler scheduler = ManualScheduler.create(clock);
  private final List<String> log = Collections.synchronizedList(new ArrayList<>());

  private Runnable logs(String name) {
    return () -> log.add(name + "@" + Duration.between(ManualClock.DEFAULT_START, clock.instant()).toMillis());
  }

  @Test
  void create_noClock_usesNewClockAtDefaultStart() {
    ManualScheduler s = ManualScheduler.create();

    assertThat(s.clock().instant()).isEqualTo(ManualClock.DEFAULT_START);
    assertThat(s.pendingTasks()).isZero();
    assertThat(s.nextTaskDelay()).isEmpty();
  }

  @Test
  void execute_beforeRunDue_doesNotRun() {
    scheduler.execute(logs("a"));

    assertThat(log).isEmpty();
    assertThat(scheduler.pendingTasks()).isEqualTo(1);
    assertThat(scheduler.nextTaskDelay()).contains(Duration.ZERO);
  }

  @Test
  void runDue_immediateTasks_runsInSubmissionOrder() {
    scheduler.execute(logs("a"));
    scheduler.submit(logs("b"));
    scheduler.schedule(logs("c"), 0, TimeUnit.SECONDS);

    int runs = scheduler.runDue();

    assertThat(runs).isEqualTo(3);
    assertThat(log).containsExactly("a@0", "b@0", "c@0");
    assertThat(scheduler.pendingTasks()).isZero();
  }

  @Test
  void runDue_delayedTaskNotDue_leavesItQueued() {
    scheduler.schedule(logs("late"), 10, TimeUnit.MILLISECONDS);

    assertThat(scheduler.runDue()).isZero();
    assertThat(log).isEmpty();
    assertThat(scheduler.nextTaskDelay()).contains(Duration.ofMillis(10));
  }

  @Test
  void runDue_clockMovedDirectly_runsDueTasksInTimeOrderThenFifo() {
    scheduler.schedule(logs("t30"), 30, TimeUnit.MILLISECONDS);
    scheduler.schedule(logs("t10a"), 10, TimeUnit.MILLISECONDS);
    scheduler.schedule(logs("t20"), 20, TimeUnit.MILLISECONDS);
    scheduler.schedule(logs("t10b"), 10, TimeUnit.MILLISECONDS);
    scheduler.schedule(logs("t50"), 50, TimeUnit.MILLISECONDS);
    clock.advance(Duration.ofMillis(30));

    scheduler.runDue();

    // The clock does not move during runDue(): all run at 30 ms, in due order.
    assertThat(log).containsExactly("t10a@30", "t10b@30", "t20@30", "t30@30");
    assertThat(scheduler.pendingTasks()).isEqualTo(1);
  }

  @Test
  void runDue_taskSchedulesDueTask_runsItInSameCall() {
    scheduler.execute(() -> {
      log.add("outer");
      scheduler.execute(() -> log.add("inner"));
      scheduler.schedule(() -> log.add("later"), 1, TimeUnit.MILLISECONDS);
    });

    int runs = scheduler.runDue();

    assertThat(runs).isEqualTo(2);
    assertThat(log).containsExactly("outer", "inner");
    assertThat(scheduler.pendingTasks()).isEqualTo(1);
  }

  @Test
  void advance_overSeveralTasks_runsEachAtItsOwnDueTimeAndEndsAtTarget() {
    scheduler.schedule(logs("a"), 100, TimeUnit.MILLISECONDS);
    scheduler.schedule(logs("b"), 250, TimeUnit.MILLISECONDS);
    scheduler.schedule(logs("c"), 2, TimeUnit.SECONDS);

    int runs = scheduler.advance(Duration.ofMillis(1000));

    assertThat(runs).isEqualTo(2);
    assertThat(log).containsExactly("a@100", "b@250");
    assertThat(clock.instant()).isEqualTo(ManualClock.DEFAULT_START.plusMillis(1000));
    assertThat(scheduler.nextTaskDelay()).contains(Duration.ofMillis(1000));
  }

  @Test
  void advance_taskSchedulesFollowUpWithinWindow_runsFollowUpAtItsTime() {
    scheduler.schedule(() -> {
      logs("first").run();
      scheduler.schedule(logs("second"), 300, TimeUnit.MILLISECONDS);
    }, 100, TimeUnit.MILLISECONDS);

    scheduler.advance(Duration.ofMillis(500));

    assertThat(log).containsExactly("first@100", "second@400");
  }

  @Test
  void advance_exactlyToDueTime_runsTask() {
    scheduler.schedule(logs("a"), 100, TimeUnit.MILLISECONDS);

    scheduler.advance(Duration.ofMillis(99));
    assertThat(log).isEmpty();
    scheduler.advance(Duration.ofMillis(1));

    assertThat(log).containsExactly("a@100");
  }

  @Test
  void advance_negative_throws() {
    assertThatThrownBy(() -> scheduler.advance(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void advanceToNextTask_queuedTasks_jumpsToEarliestAndRunsOnlyThoseDue() {
    scheduler.schedule(logs("a"), 5, TimeUnit.SECONDS);
    scheduler.schedule(logs("b"), 5, TimeUnit.SECONDS);
    scheduler.schedule(logs("c"), 7, TimeUnit.SECONDS);

    int runs = scheduler.advanceToNextTask();

    assertThat(runs).isEqualTo(2);
    assertThat(log).containsExactly("a@5000", "b@5000");
    assertThat(clock.instant()).isEqualTo(ManualClock.DEFAULT_START.plusSeconds(5));
  }

  @Test
  void advanceToNextTask_noTask_returnsZeroAndKeepsClock() {
    assertThat(scheduler.advanceToNextTask()).isZero();
    assertThat(clock.instant()).isEqualTo(ManualClock.DEFAULT_START);
  }

  @Test
  void advanceToNextTask_overdueTask_doesNotMoveClockBack() {
    scheduler.schedule(logs("a"), 1, TimeUnit.SECONDS);
    clock.advance(Duration.ofSeconds(3));

    scheduler.advanceToNextTask();

    assertThat(log).containsExactly("a@3000");
    assertThat(clock.instant()).isEqualTo(ManualClock.DEFAULT_START.plusSeconds(3));
  }

  @Test
  void scheduleAtFixedRate_advance_runsAtEachPeriodFromFirstDueTime() {
    scheduler.scheduleAtFixedRate(logs("tick"), 100, 250, TimeUnit.MILLISECONDS);

    scheduler.advance(Duration.ofMillis(1000));

    assertThat(log).containsExactly("tick@100", "tick@350", "tick@600", "tick@850");
    assertThat(scheduler.pendingTasks()).isEqualTo(1);
  }

  @Test
  void scheduleAtFixedRate_clockJumpsPastSeveralPeriods_runDueCatchesUp() {
    scheduler.scheduleAtFixedRate(logs("tick"), 0, 100, TimeUnit.MILLISECONDS);
    clock.advance(Duration.ofMillis(350));

    int runs = scheduler.runDue();

    assertThat(runs).isEqualTo(4); // due at 0, 100, 200, 300
    assertThat(scheduler.nextTaskDelay()).contains(Duration.ofMillis(50));
  }

  @Test
  void scheduleWithFixedDelay_taskAdvancesClock_nextRunMeasuredFromEndOfRun() {
    scheduler.scheduleWithFixedDelay(() -> {
      logs("run").run();
      clock.advance(Duration.ofMillis(30)); // the run "takes" 30 ms
    }, 0, 100, TimeUnit.MILLISECONDS);

    scheduler.advance(Duration.ofMillis(300));

    assertThat(log).containsExactly("run@0", "run@130", "run@260");
  }

  @Test
  void schedulePeriodic_nonPositivePeriod_throws() {
    assertThatThrownBy(() -> scheduler.scheduleAtFixedRate(logs("x"), 0, 0, TimeUnit.SECONDS))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> scheduler.scheduleWithFixedDelay(logs("x"), 0, -1, TimeUnit.SECONDS))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void periodicTask_throws_completesExceptionallyAndStops() {
    AtomicInteger runs = new AtomicInteger();
    ScheduledFuture<?> f = scheduler.scheduleAtFixedRate(() -> {
      if (runs.incrementAndGet() == 2) {
        throw new IllegalStateException("boom");
      }
    }, 0, 10, TimeUnit.MILLISECONDS);

    scheduler.advance(Duration.ofMillis(100));

    assertThat(runs).hasValue(2);
    assertThat(f.isDone()).isTrue();
    assertThatThrownBy(f::get).isInstanceOf(ExecutionException.class).hasRootCauseMessage("boom");
    assertThat(scheduler.pendingTasks()).isZero();
  }

  @Test
  void periodicTask_cancelled_stopsRunning() {
    ScheduledFuture<?> f = scheduler.scheduleAtFixedRate(logs("tick"), 0, 10, TimeUnit.MILLISECONDS);
    scheduler.runDue();

    assertThat(f.cancel(false)).isTrue();
    scheduler.advance(Duration.ofMillis(100));

    assertThat(log).containsExactly("tick@0");
    assertThat(f.isCancelled()).isTrue();
    assertThat(f.isDone()).isTrue();
    assertThatThrownBy(f::get).isInstanceOf(CancellationException.class);
  }

  @Test
  void periodicTask_cancelsItselfWhileRunning_isNotRescheduled() {
    AtomicInteger runs = new AtomicInteger();
    List<ScheduledFuture<?>> self = new ArrayList<>();
    self.add(scheduler.scheduleAtFixedRate(() -> {
      runs.incrementAndGet();
      self.get(0).cancel(false);
    }, 0, 10, TimeUnit.MILLISECONDS));

    scheduler.advance(Duration.ofMillis(100));

    assertThat(runs).hasValue(1);
    assertThat(scheduler.pendingTasks()).isZero();
  }

  @Test
  void submitCallable_runs_futureHoldsResult() throws Exception {
    Future<String> f = scheduler.submit(() -> "done");
    assertThat(f.isDone()).isFalse();

    scheduler.runDue();

    assertThat(f.isDone()).isTrue();
    assertThat(f.get()).isEqualTo("done");
    assertThat(f.get(1, TimeUnit.SECONDS)).isEqualTo("done");
  }

  @Test
  void submitRunnableWithResult_runs_futureHoldsGivenResult() throws Exception {
    Future<Integer> f = scheduler.submit(logs("a"), 42);

    scheduler.runDue();

    assertThat(f.get()).isEqualTo(42);
  }

  @Test
  void scheduleCallable_throws_getThrowsExecutionExceptionWithCause() {
    ScheduledFuture<Object> f = scheduler.schedule(() -> {
      throw new java.io.IOException("io");
    }, 1, TimeUnit.SECONDS);

    scheduler.advance(Duration.ofSeconds(1));

    assertThat(f.isDone()).isTrue();
    assertThatThrownBy(f::get).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(java.io.IOException.class);
  }

  @Test
  void get_taskNotRun_throwsIllegalStateInsteadOfBlocking() {
    ScheduledFuture<String> f = scheduler.schedule(() -> "x", 1, TimeUnit.SECONDS);

    assertThatThrownBy(f::get).isInstanceOf(IllegalStateException.class).hasMessageContaining("has not run");
  }

  @Test
  void timedGet_taskNotRun_throwsTimeoutAtOnce() {
    ScheduledFuture<String> f = scheduler.schedule(() -> "x", 1, TimeUnit.SECONDS);

    assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).isInstanceOf(TimeoutException.class);
    assertThat(clock.instant()).isEqualTo(ManualClock.DEFAULT_START);
  }

  @Test
  void getDelay_clockMoves_shrinksAndGoesNegativeWhenOverdue() {
    ScheduledFuture<?> f = scheduler.schedule(logs("a"), 1000, TimeUnit.MILLISECONDS);

    assertThat(f.getDelay(TimeUnit.MILLISECONDS)).isEqualTo(1000);
    clock.advance(Duration.ofMillis(400));
    assertThat(f.getDelay(TimeUnit.MILLISECONDS)).isEqualTo(600);
    clock.advance(Duration.ofMillis(700));
    assertThat(f.getDelay(TimeUnit.MILLISECONDS)).isEqualTo(-100);
  }

  @Test
  void compareTo_earlierDueTime_sortsFirst() {
    ScheduledFuture<?> late = scheduler.schedule(logs("a"), 2, TimeUnit.SECONDS);
    ScheduledFuture<?> early = scheduler.schedule(logs("b"), 1, TimeUnit.SECONDS);

    assertThat(early.compareTo(late)).isNegative();
    assertThat(late.compareTo(early)).isPositive();
    assertThat(early.compareTo(early)).isZero();
  }

  @Test
  void cancel_queuedTask_removesItAndNeverRuns() {
    ScheduledFuture<?> f = scheduler.schedule(logs("a"), 1, TimeUnit.SECONDS);

    assertThat(f.cancel(true)).isTrue();
    assertThat(f.cancel(true)).isFalse();
    scheduler.advance(Duration.ofSeconds(2));

    assertThat(log).isEmpty();
    assertThat(scheduler.pendingTasks()).isZero();
    assertThat(scheduler.nextTaskDelay()).isEmpty();
  }

  @Test
  void cancel_completedTask_returnsFalse() {
    Future<?> f = scheduler.submit(logs("a"));
    scheduler.runDue();

    assertThat(f.cancel(false)).isFalse();
    assertThat(f.isCancelled()).isFalse();
  }

  @Test
  void shutdown_newTasks_rejected() {
    scheduler.shutdown();

    assertThatThrownBy(() -> scheduler.execute(logs("a"))).isInstanceOf(RejectedExecutionException.class);
    assertThatThrownBy(() -> scheduler.schedule(logs("a"), 1, TimeUnit.SECONDS))
        .isInstanceOf(RejectedExecutionException.class);
    assertThat(scheduler.isShutdown()).isTrue();
    assertThat(scheduler.isTerminated()).isTrue();
  }

  @Test
  void shutdown_queuedOneShotTask_stillRunsAndPeriodicIsCancelled() {
    ScheduledFuture<?> once = scheduler.schedule(logs("once"), 1, TimeUnit.SECONDS);
    ScheduledFuture<?> periodic = scheduler.scheduleAtFixedRate(logs("tick"), 0, 1, TimeUnit.SECONDS);

    scheduler.shutdown();
    assertThat(scheduler.isTerminated()).isFalse();
    assertThat(scheduler.awaitTermination(1, TimeUnit.SECONDS)).isFalse();
    scheduler.advance(Duration.ofSeconds(5));

    assertThat(log).containsExactly("once@1000");
    assertThat(once.isDone()).isTrue();
    assertThat(periodic.isCancelled()).isTrue();
    assertThat(scheduler.isTerminated()).isTrue();
    assertThat(scheduler.awaitTermination(0, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void shutdownNow_queuedTasks_returnedUnrunAndQueueEmptied() {
    scheduler.schedule(logs("a"), 1, TimeUnit.SECONDS);
    ScheduledFuture<?> b = scheduler.schedule(logs("b"), 2, TimeUnit.SECONDS);

    List<Runnable> removed = scheduler.shutdownNow();

    assertThat(removed).hasSize(2);
    assertThat(scheduler.isTerminated()).isTrue();
    scheduler.advance(Duration.ofSeconds(5));
    assertThat(log).isEmpty();
    assertThat(b.isDone()).isFalse();
    removed.forEach(Runnable::run);
    assertThat(log).containsExactly("a@5000", "b@5000");
    assertThat(b.isDone()).isTrue();
  }

  @Test
  void invokeAll_tasks_runInlineAndReturnCompletedFutures() throws Exception {
    List<Callable<String>> tasks = List.of(() -> "a", () -> "b");

    List<Future<String>> futures = scheduler.invokeAll(tasks);

    assertThat(futures).allMatch(Future::isDone);
    assertThat(futures.get(0).get()).isEqualTo("a");
    assertThat(futures.get(1).get()).isEqualTo("b");
    assertThat(scheduler.invokeAll(tasks, 1, TimeUnit.SECONDS)).hasSize(2);
    assertThat(scheduler.pendingTasks()).isZero();
  }

  @Test
  void invokeAny_firstFails_returnsFirstSuccess() throws Exception {
    List<Callable<String>> tasks = List.of(() -> {
      throw new IllegalStateException("no");
    }, () -> "yes");

    assertThat(scheduler.invokeAny(tasks)).isEqualTo("yes");
    assertThat(scheduler.invokeAny(tasks, 1, TimeUnit.SECONDS)).isEqualTo("yes");
  }

  @Test
  void invokeAny_allFail_throwsExecutionException() {
    List<Callable<String>> tasks = List.of(() -> {
      throw new IllegalStateException("last");
    });

    assertThatThrownBy(() -> scheduler.invokeAny(tasks))
        .isInstanceOf(ExecutionException.class)
        .hasRootCauseMessage("last");
  }

  @Test
  void schedule_hugeDelay_saturatesInsteadOfOverflowing() {
    ScheduledFuture<?> f = scheduler.schedule(logs("never"), Long.MAX_VALUE, TimeUnit.DAYS);

    scheduler.advance(Duration.ofDays(365));

    assertThat(log).isEmpty();
    assertThat(f.getDelay(TimeUnit.NANOSECONDS)).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void schedule_negativeDelay_runsNow() {
    scheduler.schedule(logs("a"), -5, TimeUnit.SECONDS);

    scheduler.runDue();

    assertThat(log).containsExactly("a@0");
  }

  @Test
  void nullArguments_throwNullPointerException() {
    assertThatThrownBy(() -> ManualScheduler.create(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> scheduler.execute(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> scheduler.schedule(logs("a"), 1, null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> scheduler.advance(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void submit_fromManyThreads_allQueuedAndRunOnce() throws InterruptedException {
    AtomicInteger ran = new AtomicInteger();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      Thread t = new Thread(() -> {
        for (int j = 0; j < 500; j++) {
          scheduler.schedule(ran::incrementAndGet, j % 7, TimeUnit.MILLISECONDS);
        }
      });
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join();
    }

    assertThat(scheduler.pendingTasks()).isEqualTo(4000);
    scheduler.advance(Duration.ofMillis(10));
    assertThat(ran).hasValue(4000);
    assertThat(clock.instant()).isEqualTo(Instant.parse("2026-01-01T00:00:00.010Z"));
  }
}
