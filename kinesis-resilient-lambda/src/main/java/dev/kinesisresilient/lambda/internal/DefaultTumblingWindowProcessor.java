package dev.kinesisresilient.lambda.internal;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.KinesisTimeWindowEvent;
import com.amazonaws.services.lambda.runtime.events.TimeWindowEventResponse;
import dev.kinesisresilient.core.FailureReason;
import dev.kinesisresilient.core.internal.putrecords.RetryRule;
import dev.kinesisresilient.lambda.BatchFailedException;
import dev.kinesisresilient.lambda.QuarantineReason;
import dev.kinesisresilient.lambda.QuarantineSink;
import dev.kinesisresilient.lambda.QuarantinedRecord;
import dev.kinesisresilient.lambda.RecordOutcome;
import dev.kinesisresilient.lambda.StopReason;
import dev.kinesisresilient.lambda.StreamRecord;
import dev.kinesisresilient.lambda.TumblingWindowProcessor;
import dev.kinesisresilient.lambda.WindowBatchResult;
import dev.kinesisresilient.lambda.WindowEndFailedException;
import dev.kinesisresilient.lambda.WindowInfo;
import dev.kinesisresilient.lambda.WindowState;
import dev.kinesisresilient.lambda.WindowStateTooLargeException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The tumbling-window processor; see {@link TumblingWindowProcessor} for the contract. Thread-safe. */
public final class DefaultTumblingWindowProcessor implements TumblingWindowProcessor {

  private static final Logger log = LoggerFactory.getLogger(TumblingWindowProcessor.class);
  private static final String PREFIX = "[kinesis-lambda window] ";

  private final WindowSettings settings;
  private final RetryRule retryRule;
  private final AtomicBoolean announced = new AtomicBoolean();

  /**
   * A processor with the given settings.
   *
   * @param settings the settings, validated by the builder
   */
  public DefaultTumblingWindowProcessor(WindowSettings settings) {
    this.settings = settings;
    // The retry policy's deadline bounds each record's (and the window end's) retries, from its start.
    this.retryRule = new RetryRule(settings.retryPolicy().maxAttempts(),
        settings.retryPolicy().backoff(settings.random()), FailureReason.DEADLINE_EXCEEDED);
  }

  @Override
  public WindowBatchResult process(KinesisTimeWindowEvent event, Context context) {
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(event, "event");
    announceOnce();
    List<StreamRecord> records = DefaultKinesisBatchProcessor.convert(event);
    WindowInfo window = window(event, records);
    WindowState state = WindowState.of(event.getState());
    Duration margin = settings.safetyMargin();

    List<RecordOutcome> outcomes = new ArrayList<>();
    String reported = null;
    StopReason stop = StopReason.COMPLETED;
    Exception failure = null;
    boolean firstGivenUp = false;
    int index = -1;
    outer:
    for (StreamRecord record : records) {
      index++;
      // The state before this Kinesis record: what Lambda must resume with if any of its user
      // records fails (it redelivers the whole record, every sub-record of an aggregate included).
      WindowState before = state;
      List<StreamRecord> units = settings.deaggregate() ? Deaggregator.open(record) : List.of(record);
      for (int u = 0; u < units.size(); u++) {
        if (!positive(timeLeft(context, margin))) {
          stop = StopReason.DEADLINE;
        } else {
          Run run = runRecord(units.get(u), state, context);
          outcomes.add(run.outcome());
          if (run.outcome() != RecordOutcome.FAILED) {
            state = run.state();
            continue;
          }
          stop = StopReason.RECORD_FAILED;
          failure = run.error();
          firstGivenUp = run.gaveUp() && index == 0;
          u++;
        }
        state = before;
        reported = record.sequenceNumber();
        for (; u < units.size(); u++) {
          outcomes.add(RecordOutcome.NOT_PROCESSED);
        }
        break outer;
      }
    }
    if (reported != null) {
      int done = outcomes.size();
      int total = 0;
      for (StreamRecord r : records) {
        total += settings.deaggregate() ? Deaggregator.open(r).size() : 1;
      }
      for (int i = done; i < total; i++) {
        outcomes.add(RecordOutcome.NOT_PROCESSED);
      }
    }

    boolean endHandled = false;
    if (reported == null && window.finalInvoke() && settings.windowEndHandler() != null) {
      runWindowEnd(window, state, context);
      endHandled = true;
    }

    List<TimeWindowEventResponse.BatchItemFailure> failures = new ArrayList<>();
    if (reported != null) {
      if (stop == StopReason.DEADLINE) {
        log.info(PREFIX + "shard={}, window={}: stopping early, {} left is within the safety margin {}; reporting "
            + "sequence number {} so Lambda resumes there with the state so far", window.shardId(), window.start(),
            Duration.ofMillis(context.getRemainingTimeInMillis()), margin, reported);
      }
      if (!settings.partialBatchResponse()) {
        throw new BatchFailedException(reported, "record " + reported + " of shard " + window.shardId()
            + " was not handled (" + stop + "); failing the whole invocation because partialBatchResponse is off");
      }
      if (firstGivenUp && records.size() > 1) {
        // As KinesisBatchProcessor does: reporting the first record commits nothing, and a mapping with
        // BisectBatchOnFunctionError splits a partial response only at the reported record, so it would
        // never isolate it and would discard the healthy records behind it with it. A failed invocation is
        // bisected (and Lambda keeps the state it passed in), so the record given up on ends up alone.
        log.warn(PREFIX + "shard={}, window={}: record {}, the first of this batch of {}, failed for good; failing "
            + "the invocation so that a mapping with BisectBatchOnFunctionError isolates it", window.shardId(),
            window.start(), reported, records.size());
        throw new BatchFailedException(reported, "record " + reported + ", the first of this batch of "
            + records.size() + " records of shard " + window.shardId() + ", failed; failing the invocation so the "
            + "event source mapping bisects the batch (BisectBatchOnFunctionError) and isolates the record");
      }
      failures.add(new TimeWindowEventResponse.BatchItemFailure(reported));
    }
    TimeWindowEventResponse response = new TimeWindowEventResponse(new LinkedHashMap<>(state.asMap()), failures);
    return new WindowBatchResult(response, window, state, reported, stop, outcomes, endHandled, failure);
  }

  private static WindowInfo window(KinesisTimeWindowEvent event, List<StreamRecord> records) {
    if (event.getWindow() == null || event.getWindow().getStart() == null || event.getWindow().getEnd() == null) {
      throw new IllegalArgumentException("not a tumbling window event: it has no window{start,end}; is "
          + "TumblingWindowInSeconds set on the event source mapping? (use KinesisBatchProcessor otherwise)");
    }
    Instant start;
    Instant end;
    try {
      start = Instant.parse(event.getWindow().getStart());
      end = Instant.parse(event.getWindow().getEnd());
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("malformed tumbling window event: window start/end are not ISO-8601 "
          + "instants: " + event.getWindow().getStart() + " / " + event.getWindow().getEnd(), e);
    }
    String shardId = event.getShardId() != null ? event.getShardId()
        : records.isEmpty() ? "unknown" : records.get(0).shardId();
    String arn = event.getEventSourceArn() != null ? event.getEventSourceArn()
        : records.isEmpty() ? "unknown" : records.get(0).streamArn();
    return new WindowInfo(arn, shardId, start, end, Boolean.TRUE.equals(event.getIsFinalInvokeForWindow()),
        Boolean.TRUE.equals(event.getIsWindowTerminatedEarly()));
  }

  private Run runRecord(StreamRecord record, WindowState state, Context context) {
    Instant recordStart = settings.clock().instant();
    if (settings.filter() != null) {
      try {
        if (!settings.filter().test(record)) {
          return new Run(RecordOutcome.FILTERED, state, null);
        }
      } catch (RuntimeException e) {
        log.warn(PREFIX + "shard={}, sequenceNumber={}: the filter threw; reporting the record failed",
            record.shardId(), record.sequenceNumber(), e);
        return new Run(RecordOutcome.FAILED, state, e);
      }
    }
    int attempt = 1;
    Duration previousDelay = Duration.ZERO;
    Instant recordDeadline = recordStart.plus(settings.retryPolicy().deadline());
    while (true) {
      StreamRecord view = attempt == 1 ? record : record.withAttempt(attempt);
      WindowState next;
      try {
        next = Objects.requireNonNull(settings.handler().handle(state, view), "the window record handler returned null");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        log.warn(PREFIX + "shard={}, sequenceNumber={}: handler interrupted; reporting the record failed",
            record.shardId(), record.sequenceNumber(), e);
        return new Run(RecordOutcome.FAILED, state, e);
      } catch (Exception e) {
        RetryRule.Decision decision =
            retryRule.next(attempt, previousDelay, !isPermanent(e), settings.clock().instant(), recordDeadline);
        if (decision instanceof RetryRule.GiveUp giveUp) {
          return quarantineOrFail(view, DefaultKinesisBatchProcessor.quarantineReason(giveUp), attempt, e, state,
              context);
        }
        Duration delay = ((RetryRule.Retry) decision).delay();
        previousDelay = delay;
        if (delay.compareTo(timeLeft(context, settings.safetyMargin())) >= 0) {
          log.warn(PREFIX + "shard={}, sequenceNumber={}: attempt {} failed and a retry after {} would pass the "
              + "invocation's deadline; reporting the record failed", record.shardId(), record.sequenceNumber(),
              attempt, delay, e);
          return new Run(RecordOutcome.FAILED, state, e);
        }
        try {
          settings.sleeper().sleep(delay);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return new Run(RecordOutcome.FAILED, state, ie);
        }
        attempt++;
        continue;
      }
      if (next.sizeBytes() > settings.maxStateBytes()) {
        WindowStateTooLargeException tooLarge =
            new WindowStateTooLargeException(record.sequenceNumber(), next.sizeBytes(), settings.maxStateBytes());
        log.warn(PREFIX + "shard={}: {}; reporting the record failed", record.shardId(), tooLarge.getMessage());
        return new Run(RecordOutcome.FAILED, state, tooLarge);
      }
      return new Run(RecordOutcome.SUCCEEDED, next, null);
    }
  }

  private boolean isPermanent(Exception e) {
    try {
      return settings.permanentFailure().test(e);
    } catch (RuntimeException thrown) {
      log.warn(PREFIX + "the permanentFailure predicate threw; treating the failure as not permanent", thrown);
      return false;
    }
  }

  private Run quarantineOrFail(StreamRecord record, QuarantineReason reason, int attempts, Exception error,
      WindowState state, Context context) {
    QuarantineSink sink = settings.quarantineSink();
    Duration timeLeft = timeLeft(context, settings.safetyMargin());
    if (sink == null || !positive(timeLeft)) {
      log.warn(PREFIX + "shard={}, sequenceNumber={}: {} after {} attempt(s) and {}; reporting the record failed",
          record.shardId(), record.sequenceNumber(), reason, attempts,
          sink == null ? "no quarantine sink" : "no time left to quarantine it", error);
      return new Run(RecordOutcome.FAILED, state, error, sink == null);
    }
    try {
      sink.quarantine(new QuarantinedRecord(record, reason, attempts, error, settings.clock().instant()), timeLeft);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Run(RecordOutcome.FAILED, state, error);
    } catch (Exception | LinkageError e) {
      log.warn(PREFIX + "shard={}, sequenceNumber={}: the quarantine sink failed ({}); reporting the record failed",
          record.shardId(), record.sequenceNumber(), reason, e);
      return new Run(RecordOutcome.FAILED, state, error, true);
    }
    log.warn(PREFIX + "shard={}, sequenceNumber={}: quarantined ({}, {} attempt(s)); not in the window's state",
        record.shardId(), record.sequenceNumber(), reason, attempts, error);
    return new Run(RecordOutcome.QUARANTINED, state, null);
  }

  private void runWindowEnd(WindowInfo window, WindowState state, Context context) {
    int attempt = 1;
    Duration previousDelay = Duration.ZERO;
    Instant deadline = settings.clock().instant().plus(settings.retryPolicy().deadline());
    while (true) {
      if (!positive(timeLeft(context, settings.safetyMargin()))) {
        throw new WindowEndFailedException("no time left to run the window-end handler for shard "
            + window.shardId() + ", window " + window.start() + "; Lambda invokes the final invocation again", null);
      }
      try {
        Objects.requireNonNull(settings.windowEndHandler()).onWindowEnd(window, state);
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new WindowEndFailedException("interrupted in the window-end handler", e);
      } catch (Exception e) {
        RetryRule.Decision decision = retryRule.next(attempt, previousDelay, true, settings.clock().instant(), deadline);
        Duration delay = decision instanceof RetryRule.Retry retry ? retry.delay() : Duration.ZERO;
        previousDelay = delay;
        if (decision instanceof RetryRule.GiveUp || delay.compareTo(timeLeft(context, settings.safetyMargin())) >= 0) {
          throw new WindowEndFailedException("the window-end handler failed " + attempt + " time(s) for shard "
              + window.shardId() + ", window " + window.start() + "; Lambda invokes the final invocation again", e);
        }
        log.debug(PREFIX + "shard={}, window={}: window-end attempt {} failed ({}); retrying in {}",
            window.shardId(), window.start(), attempt, e.getClass().getName(), delay);
        try {
          settings.sleeper().sleep(delay);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new WindowEndFailedException("interrupted while waiting to retry the window-end handler", ie);
        }
        attempt++;
      }
    }
  }

  private void announceOnce() {
    if (announced.compareAndSet(false, true)) {
      log.info(PREFIX + "processor in use: {}. Reported records only take effect when the event source mapping has "
          + "FunctionResponseTypes=[ReportBatchItemFailures]; see docs/lambda.md.", settings);
    }
  }

  private static Duration timeLeft(Context context, Duration margin) {
    return Duration.ofMillis(context.getRemainingTimeInMillis()).minus(margin);
  }

  private static boolean positive(Duration d) {
    return !d.isNegative() && !d.isZero();
  }

  @Override
  public String toString() {
    return "TumblingWindowProcessor[" + settings + "]";
  }

  /**
   * One record's result.
   *
   * @param gaveUp whether the record failed for good (permanent or out of attempts, and no sink took
   *     it), not for lack of time and not for the state limit
   */
  private record Run(RecordOutcome outcome, WindowState state, @Nullable Exception error, boolean gaveUp) {
    Run(RecordOutcome outcome, WindowState state, @Nullable Exception error) {
      this(outcome, state, error, false);
    }
  }
}
