package dev.kinesisresilient.producer.internal;

import dev.kinesisresilient.core.FailureReason;
import dev.kinesisresilient.core.RecordResult;
import dev.kinesisresilient.core.internal.putrecords.FailureTrail;
import dev.kinesisresilient.producer.ProducerClosedException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Completes each record exactly once, with its acknowledgement or its failure, and keeps the books
 * that completion changes: the records not yet complete ({@link #outstanding}), the buffer bytes to
 * hand back to the accumulator, the flushes waiting for records, and the rate-limited WARN line of
 * failures. Builds a failed record's result from its last error. Sender thread only.
 */
final class RecordCompleter {
  private static final Logger LOG = LoggerFactory.getLogger(RecordCompleter.class);

  /**
   * Error code of a record whose deliveryTimeout passed with no error of its own (never sent, or never
   * answered): the writer's code for the same case, {@value FailureTrail#DEADLINE_CODE}, since both
   * fail {@link FailureReason#DEADLINE_EXCEEDED}. It is also the metric code, a fixed value.
   */
  static final String DELIVERY_TIMEOUT_CODE = FailureTrail.DEADLINE_CODE;
  /** Error code of a record failed by close. */
  static final String CLOSED_CODE = "ProducerClosed";
  private static final Duration FAILURE_LOG_INTERVAL = Duration.ofSeconds(1);

  private final ProducerSettings settings;
  private final RecordAccumulator accumulator;
  private final ProducerMetrics metrics;
  private final ProducerCounters counters;
  private final RetryTokens retryTokens;
  private final SendMargin sendMargin;
  private final String logPrefix;

  /** Records taken from the accumulator and not complete yet. */
  private long outstanding;
  /** Buffer bytes of records completed this round, handed back at {@link #finishRound}. */
  private long releasedBytes;
  /**
   * The flushes not complete yet, in the order they were made (so by {@code lastSeq}, non-decreasing);
   * the first {@link #flushHead} entries are complete and wait to be dropped.
   */
  private final ArrayList<FlushState> flushes = new ArrayList<>();
  private int flushHead;
  /** The sum of the pending flushes' segments: the outstanding records of sequence up to the last flush's. */
  private long segmented;
  private final Map<FailureReason, Integer> failuresToLog = new EnumMap<>(FailureReason.class);
  private Instant nextFailureLog = Instant.MIN;

  RecordCompleter(ProducerSettings settings, RecordAccumulator accumulator, ProducerMetrics metrics,
      ProducerCounters counters, RetryTokens retryTokens, SendMargin sendMargin, String logPrefix) {
    this.settings = settings;
    this.accumulator = accumulator;
    this.metrics = metrics;
    this.counters = counters;
    this.retryTokens = retryTokens;
    this.sendMargin = sendMargin;
    this.logPrefix = logPrefix;
  }

  /** Counts a record taken from the accumulator as outstanding until it completes. */
  void accepted() {
    outstanding++;
  }

  long outstanding() {
    return outstanding;
  }

  /**
   * Starts a flush that completes once every record of sequence up to {@code lastSeq} is complete. The
   * caller has counted as {@link #accepted} every record of sequence up to {@code lastSeq} and none after
   * it (the sender takes a flush in sequence order among the new records): so the outstanding records
   * not counted in an earlier flush's segment are exactly this flush's. O(1); each completion then costs
   * O(log flushes pending) (usually none or one).
   */
  void addFlush(long lastSeq, CompletableFuture<Void> future) {
    long segment = outstanding - segmented;
    segmented = outstanding;
    flushes.add(new FlushState(lastSeq, segment, future));
  }

  boolean hasFlushes() {
    return flushHead < flushes.size();
  }

  /**
   * Counts a record complete in the segment of the first pending flush whose {@code lastSeq} is at or
   * after its sequence; none when it came after the last flush. Records of sequence up to a flush that
   * was already complete cannot be outstanding, so every pending segment is exact.
   */
  private void flushCountdown(long seq) {
    int hi = flushes.size() - 1;
    if (hi < flushHead || seq > flushes.get(hi).lastSeq) {
      return;
    }
    int lo = flushHead;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (flushes.get(mid).lastSeq >= seq) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    flushes.get(lo).remaining--;
    segmented--;
  }

  /**
   * Fails a record for {@code reason}, with the code and message of its last error ({@link
   * PendingRecord#trail}). Out of time, the message says which bound ran out and keeps the last error;
   * closed, the record fails as {@link #CLOSED_CODE} whatever its last error.
   */
  void fail(PendingRecord r, FailureReason reason, Instant now) {
    FailureTrail trail = r.trail();
    RecordResult.Failed result;
    String metricCode;
    switch (reason) {
      case DEADLINE_EXCEEDED -> {
        String message;
        if (now.isBefore(r.deadline)) {
          message = "not sent" + (r.attempts == 0 ? "" : " again") + ": the " + Duration.between(now, r.deadline)
              + " left of its deliveryTimeout (" + settings.deliveryTimeout() + ") are less than answers take now "
              + "(about " + sendMargin.margin() + ")" + (r.attempts == 0 ? ""
                  : "; " + r.attempts + " attempt(s); last error: " + trail.message());
        } else {
          message = "deliveryTimeout (" + settings.deliveryTimeout() + ") passed "
              + (r.attempts == 0 ? "before the record was sent"
                  : "after " + r.attempts + " attempt(s); last error: " + trail.message());
        }
        if (trail.isEmpty()) {
          trail.record(DELIVERY_TIMEOUT_CODE, DELIVERY_TIMEOUT_CODE, message, null);
        } else {
          trail.message(message);
        }
        result = trail.toFailed(r.record, reason, r.attempts);
        metricCode = trail.metricCode();
      }
      case CLOSED -> {
        String message = "producer closed and its close timeout passed before the record was acknowledged"
            + (r.attempts == 0 ? " (never sent)" : " (" + r.attempts + " attempt(s); it may have been stored)");
        result = new RecordResult.Failed(r.record, reason, CLOSED_CODE, message, r.attempts,
            new ProducerClosedException(message));
        metricCode = CLOSED_CODE;
      }
      default -> {
        result = trail.toFailed(r.record, reason, r.attempts);
        metricCode = trail.metricCode();
      }
    }
    complete(r, result, metricCode, now);
  }

  /**
   * Completes a record with {@code result}, once: a second result for the same record is ignored.
   *
   * @param metricCode the failure's metric code; null for an acknowledgement
   */
  void complete(PendingRecord r, RecordResult result, @Nullable String metricCode, Instant now) {
    if (!r.markDone()) {
      LOG.debug("{}record already complete; second result ignored", logPrefix);
      return;
    }
    outstanding--;
    releasedBytes += r.charge;
    flushCountdown(r.seq);
    if (result instanceof RecordResult.Acknowledged ack) {
      counters.acknowledged.incrementAndGet();
      retryTokens.onAcknowledged();
      metrics.writer().acknowledged(ack.shardId(), ack.attempts());
      metrics.latency(true, r.appendTime, now);
    } else {
      RecordResult.Failed f = (RecordResult.Failed) result;
      counters.failed.incrementAndGet(f.reason().ordinal());
      metrics.writer().failed(f.reason(), Objects.requireNonNull(metricCode), f.attempts());
      metrics.latency(false, r.appendTime, now);
      failuresToLog.merge(f.reason(), 1, Integer::sum);
      if (LOG.isTraceEnabled()) {
        LOG.trace("{}record failed: {} {} ({})", logPrefix, f.reason(), f.errorCode(), f.record());
      }
      Consumer<? super RecordResult.Failed> handler = settings.failureHandler();
      if (handler != null) {
        try {
          handler.accept(f);
        } catch (Throwable t) {
          if (t instanceof VirtualMachineError vme) {
            throw vme;
          }
          LOG.warn("{}failure handler threw; the record's result is unchanged", logPrefix, t);
        }
      }
    }
    deliver(r, result);
  }

  private void deliver(PendingRecord r, RecordResult result) {
    Executor ex = settings.callbackExecutor();
    if (ex == null) {
      r.future.complete(result);
      return;
    }
    try {
      ex.execute(() -> r.future.complete(result));
    } catch (RejectedExecutionException e) {
      // The user's executor is shut down or saturated. The record's result must still reach its future
      // (no record is dropped silently), so it completes here, on the sender thread, and the caller's
      // callbacks run here too. DEBUG only: a closing application's executor rejects every task.
      LOG.debug("{}callback executor rejected a completion; completing on the sender thread", logPrefix, e);
      r.future.complete(result);
    }
  }

  /**
   * Ends a pass of the loop: hands the completed records' buffer bytes back to the accumulator (once
   * per pass, not per record: one lock), completes the flushes whose records are all complete, and
   * logs the failures counted since the last report, at most once per {@link #FAILURE_LOG_INTERVAL}.
   */
  void finishRound(Instant now) {
    if (releasedBytes > 0) {
      accumulator.release(releasedBytes);
      releasedBytes = 0;
    }
    // A flush is complete when its segment and every earlier one are: the head's, in order.
    while (flushHead < flushes.size() && flushes.get(flushHead).remaining <= 0) {
      FlushState f = flushes.get(flushHead);
      flushes.set(flushHead++, null);
      f.future.complete(null);
    }
    if (flushHead == flushes.size()) {
      flushes.clear();
      flushHead = 0;
    } else if (flushHead > 64 && flushHead > flushes.size() / 2) {
      flushes.subList(0, flushHead).clear();
      flushHead = 0;
    }
    if (!failuresToLog.isEmpty() && !now.isBefore(nextFailureLog)) {
      LOG.warn("{}records failed since the last report: {}", logPrefix, failuresToLog);
      failuresToLog.clear();
      nextFailureLog = now.plus(FAILURE_LOG_INTERVAL);
    }
  }

  /** When the next failure report is due, or {@link Instant#MAX} when there is nothing to report. */
  Instant nextFailureLog() {
    return failuresToLog.isEmpty() ? Instant.MAX : nextFailureLog;
  }

  /**
   * A flush waiting for its segment: the records not complete of sequence after the previous flush's
   * {@code lastSeq} and up to its own.
   */
  private static final class FlushState {
    final long lastSeq;
    /** Records of its segment not complete yet. */
    long remaining;
    final CompletableFuture<Void> future;

    FlushState(long lastSeq, long remaining, CompletableFuture<Void> future) {
      this.lastSeq = lastSeq;
      this.remaining = remaining;
      this.future = future;
    }
  }
}
