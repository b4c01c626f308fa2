package dev.kinesisresilient.core.testing;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;

/**
 * The faults a test scripted on a {@link FakeKinesisAsyncClient}: counted and predicate entry faults,
 * counted call faults and the response delay, and which one applies next. Guarded by the client's lock.
 */
final class ScriptedFaults {

  private final Object lock;
  private final Deque<CountedEntryFault> countedEntryFaults = new ArrayDeque<>();
  private final List<PredicateEntryFault> predicateEntryFaults = new ArrayList<>();
  private final Deque<CallFault> callFaults = new ArrayDeque<>();
  private @Nullable Duration responseDelay;
  private @Nullable ScheduledExecutorService responseScheduler;

  ScriptedFaults(Object lock) {
    this.lock = lock;
  }

  // The scripting methods check their arguments and take the lock themselves, as the client's public
  // methods they back promise; the rest is called with the lock held.

  void failNextEntries(int n, String errorCode, String errorMessage) {
    Objects.requireNonNull(errorCode, "errorCode");
    Objects.requireNonNull(errorMessage, "errorMessage");
    if (n < 1) {
      throw new IllegalArgumentException("n must be at least 1, was " + n);
    }
    synchronized (lock) {
      countedEntryFaults.add(new CountedEntryFault(n, errorCode, errorMessage));
    }
  }

  void failEntriesWhere(Predicate<PutRecordsRequestEntry> predicate, String errorCode, String errorMessage) {
    Objects.requireNonNull(predicate, "predicate");
    Objects.requireNonNull(errorCode, "errorCode");
    Objects.requireNonNull(errorMessage, "errorMessage");
    synchronized (lock) {
      predicateEntryFaults.add(new PredicateEntryFault(predicate, errorCode, errorMessage));
    }
  }

  void throwOnNextCalls(int n, Supplier<? extends Throwable> failures) {
    Objects.requireNonNull(failures, "failures");
    if (n < 1) {
      throw new IllegalArgumentException("n must be at least 1, was " + n);
    }
    synchronized (lock) {
      callFaults.add(new CallFault(n, failures));
    }
  }

  void delayResponses(Duration delay, ScheduledExecutorService scheduler) {
    Objects.requireNonNull(delay, "delay");
    Objects.requireNonNull(scheduler, "scheduler");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative, was " + delay);
    }
    synchronized (lock) {
      responseDelay = delay;
      responseScheduler = scheduler;
    }
  }

  void clear() {
    synchronized (lock) {
      countedEntryFaults.clear();
      predicateEntryFaults.clear();
      callFaults.clear();
      responseDelay = null;
      responseScheduler = null;
    }
  }

  @Nullable Duration responseDelay() {
    return responseDelay;
  }

  @Nullable ScheduledExecutorService responseScheduler() {
    return responseScheduler;
  }

  /** The failure of the next PutRecord(s) call, if a call fault is scripted; uses it up. */
  @Nullable Throwable nextCallFault() {
    CallFault fault = callFaults.peek();
    if (fault == null) {
      return null;
    }
    if (--fault.remaining == 0) {
      callFaults.poll();
    }
    return Objects.requireNonNull(fault.failures.get(), "throwOnNextCalls supplier returned null");
  }

  /** The failure of this entry: counted faults first, then the first matching predicate. */
  @Nullable EntryFailure nextEntryFault(PutRecordsRequestEntry entry) {
    CountedEntryFault counted = countedEntryFaults.peek();
    if (counted != null) {
      if (--counted.remaining == 0) {
        countedEntryFaults.poll();
      }
      return new EntryFailure(counted.errorCode, counted.errorMessage);
    }
    for (PredicateEntryFault f : predicateEntryFaults) {
      if (f.predicate.test(entry)) {
        return new EntryFailure(f.errorCode, f.errorMessage);
      }
    }
    return null;
  }

  private static final class CountedEntryFault {
    int remaining;
    final String errorCode;
    final String errorMessage;

    CountedEntryFault(int remaining, String errorCode, String errorMessage) {
      this.remaining = remaining;
      this.errorCode = errorCode;
      this.errorMessage = errorMessage;
    }
  }

  private static final class PredicateEntryFault {
    final Predicate<PutRecordsRequestEntry> predicate;
    final String errorCode;
    final String errorMessage;

    PredicateEntryFault(Predicate<PutRecordsRequestEntry> predicate, String errorCode, String errorMessage) {
      this.predicate = predicate;
      this.errorCode = errorCode;
      this.errorMessage = errorMessage;
    }
  }

  static final class EntryFailure {
    final String errorCode;
    final String errorMessage;

    EntryFailure(String errorCode, String errorMessage) {
      this.errorCode = errorCode;
      this.errorMessage = errorMessage;
    }
  }

  private static final class CallFault {
    int remaining;
    final Supplier<? extends Throwable> failures;

    CallFault(int remaining, Supplier<? extends Throwable> failures) {
      this.remaining = remaining;
      this.failures = failures;
    }
  }
}
