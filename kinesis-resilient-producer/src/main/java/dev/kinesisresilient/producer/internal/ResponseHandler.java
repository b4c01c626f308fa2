package dev.kinesisresilient.producer.internal;

import dev.kinesisresilient.core.BackoffStrategy;
import dev.kinesisresilient.core.ErrorClassification;
import dev.kinesisresilient.core.FailureReason;
import dev.kinesisresilient.core.RecordResult;
import dev.kinesisresilient.core.internal.CongestionWindow;
import dev.kinesisresilient.core.internal.DefaultErrorClassifier;
import dev.kinesisresilient.core.internal.WriterMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;

/**
 * What a PutRecords answer means for each record it carried: per entry, the shard's limiter feedback
 * (success, aggregate bytes, throttling), a shard other than predicted (ask the router for a new
 * shard map; decide a misplaced aggregate), then acknowledge the entry's records or retry or fail
 * them ({@link #retryOrFail}: retriable, attempts left, backoff within the deadline). A failed request
 * (an exception, a timeout) is read the same way for every record it carried. Also feeds the
 * congestion window and the latency estimate, and holds the slots of requests the client gave up on.
 * Sender thread only.
 */
final class ResponseHandler {
  private static final Logger LOG = LoggerFactory.getLogger(ResponseHandler.class);

  static final String THROTTLED = "ProvisionedThroughputExceededException";
  private static final Pattern SHARD_IN_MESSAGE = Pattern.compile("(shardId-\\d+)");

  private final ProducerSettings settings;
  private final BackoffStrategy backoff;
  private final CongestionWindow window;
  private final SendMargin sendMargin;
  private final ShardRouter router;
  private final RecordCompleter completer;
  private final ProducerMetrics metrics;
  private final ProducerCounters counters;
  private final String logPrefix;
  /** Until when slots of requests the client gave up on (the SDK's own timeout) stay taken. */
  private final List<Instant> heldSlots = new ArrayList<>();

  ResponseHandler(ProducerSettings settings, CongestionWindow window, SendMargin sendMargin, ShardRouter router,
      RecordCompleter completer, ProducerMetrics metrics, ProducerCounters counters, String logPrefix) {
    this.settings = settings;
    this.backoff = settings.retryPolicy().backoff(settings.random());
    this.window = window;
    this.sendMargin = sendMargin;
    this.router = router;
    this.completer = completer;
    this.metrics = metrics;
    this.counters = counters;
    this.logPrefix = logPrefix;
  }

  /**
   * Reads the answer to an attempt that {@link Sender} has just finished (taken out of flight).
   *
   * @param response the response, or null when the call failed
   * @param error why the call failed, or null
   */
  void onResponse(Attempt a, @Nullable PutRecordsResponse response, @Nullable Throwable error, Instant now) {
    Duration elapsed = Duration.between(a.start, now);
    if (error != null || response == null) {
      onRequestFailure(a, error != null ? error : new IllegalStateException("null response"), elapsed, now);
      return;
    }
    if (!a.overdue) {
      window.onSuccess();
    }
    sendMargin.sample(elapsed);
    List<PutRecordsResultEntry> results = response.records();
    if (results.size() != a.entries) {
      metrics.writer().request(a.entries, a.bytes, elapsed, "error", ErrorClassification.OTHER);
      String msg = "PutRecords response has " + results.size() + " entries for " + a.entries + " sent";
      LOG.warn("{}{}; treating the request as failed", logPrefix, msg);
      for (PendingRecord r : a.records) {
        if (!r.isDone()) {
          retryOrFail(r, true, ErrorClassification.OTHER, ErrorClassification.OTHER, msg, null, now);
        }
      }
      return;
    }
    int failed = 0;
    boolean mismatch = false;
    for (int j = 0; j < results.size(); j++) {
      int from = a.entryStart(j);
      int to = a.entryEnd(j);
      boolean aggregated = to - from > 1;
      PutRecordsResultEntry e = results.get(j);
      Lane lane = a.records[from].lane;
      if (e.errorCode() == null && e.sequenceNumber() != null && e.shardId() != null) {
        if (lane != null) {
          if (lane.isShard() && !lane.id.equals(e.shardId())) {
            mismatch = true;
          }
          if (aggregated) {
            long bytes = 0;
            for (int k = from; k < to; k++) {
              bytes += a.records[k].sizeBytes;
            }
            lane.limiter.onAggregateSuccess(bytes);
          } else {
            lane.limiter.onSuccess(1);
          }
          if (aggregated && lane.isShard() && !lane.id.equals(e.shardId())) {
            router.onMisplaced(a.records, from, to, e.shardId(), e.sequenceNumber(), now);
            continue;
          }
        }
        for (int k = from; k < to; k++) {
          PendingRecord r = a.records[k];
          if (r.isDone()) {
            LOG.debug("{}acknowledgement of an expired record ignored", logPrefix);
            continue;
          }
          completer.complete(r, new RecordResult.Acknowledged(r.record, e.sequenceNumber(), e.shardId(), r.attempts,
              k - from, aggregated), null, now);
        }
        continue;
      }
      failed++;
      String code = e.errorCode() == null ? ErrorClassification.OTHER : e.errorCode();
      String message = e.errorMessage() == null ? "" : e.errorMessage();
      if (THROTTLED.equals(code)) {
        counters.throttled.incrementAndGet();
        if (lane != null) {
          lane.limiter.onThrottled(now);
          String named = shardIn(message);
          if (lane.isShard() && named != null && !named.equals(lane.id)) {
            mismatch = true;
          }
        }
      }
      ErrorClassification c = settings.classifier().classifyEntry(code);
      for (int k = from; k < to; k++) {
        PendingRecord r = a.records[k];
        if (!r.isDone()) {
          retryOrFail(r, c.retriable(), code, c.metricCode(), message, null, now);
        }
      }
    }
    metrics.writer().request(a.entries, a.bytes, elapsed, failed == 0 ? "success" : "partial",
        WriterMetrics.NO_ERROR);
    if (mismatch) {
      router.requestRefresh("a record landed on a shard other than predicted");
    }
  }

  private static @Nullable String shardIn(String message) {
    Matcher m = SHARD_IN_MESSAGE.matcher(message);
    return m.find() ? m.group(1) : null;
  }

  /** Reads a failed call (an exception, or the attempt given up on) for every record it carried. */
  void onRequestFailure(Attempt a, Throwable error, Duration elapsed, Instant now) {
    Throwable cause = DefaultErrorClassifier.unwrap(error);
    ErrorClassification c = settings.classifier().classifyFailure(cause);
    String code = c.metricCode();
    if (cause instanceof AwsServiceException aws && aws.awsErrorDetails() != null
        && aws.awsErrorDetails().errorCode() != null) {
      code = aws.awsErrorDetails().errorCode();
    }
    String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    metrics.writer().request(a.entries, a.bytes, elapsed, "error", c.metricCode());
    if (!a.overdue && CongestionWindow.isCongestion(c.metricCode())) {
      window.onCongestion(a.epoch);
      if (CongestionWindow.isTimeout(c.metricCode())) {
        // The client gave up on it (the SDK's own timeout); the service may not have: hold its slot
        // for as long again as it ran.
        window.acquire();
        heldSlots.add(now.plus(elapsed));
      }
    }
    if (DefaultErrorClassifier.isThrottling(code) || DefaultErrorClassifier.isThrottling(c.metricCode())) {
      for (Lane l : a.lanes) {
        l.limiter.onThrottled(now);
      }
    }
    if (LOG.isDebugEnabled()) {
      LOG.debug("{}request of {} entries failed ({}, retriable={})", logPrefix, a.entries, code, c.retriable());
    }
    for (PendingRecord r : a.records) {
      if (!r.isDone()) {
        retryOrFail(r, c.retriable(), code, c.metricCode(), message, cause, now);
      }
    }
  }

  /**
   * Records a record's error, then queues it for a retry after its backoff, or fails it: not
   * retriable, out of attempts, or its backoff would end at or after its deadline.
   */
  private void retryOrFail(PendingRecord r, boolean retriable, String code, String metricCode, String message,
      @Nullable Throwable cause, Instant now) {
    r.lastCode = code;
    r.lastMetricCode = metricCode;
    r.lastMessage = message;
    r.lastCause = cause;
    if (!retriable) {
      completer.fail(r, FailureReason.NOT_RETRIABLE, now);
      return;
    }
    if (r.attempts >= settings.retryPolicy().maxAttempts()) {
      completer.fail(r, FailureReason.RETRIES_EXHAUSTED, now);
      return;
    }
    Duration delay = backoff.computeDelay(r.attempts, r.previousDelay);
    Instant at = now.plus(delay);
    if (!at.isBefore(r.deadline)) {
      completer.fail(r, FailureReason.EXPIRED, now);
      return;
    }
    r.previousDelay = delay;
    r.notBefore = at;
    counters.retried.incrementAndGet();
    metrics.writer().retried(metricCode, message);
    Lane lane = r.lane;
    if (lane == null || lane.isRetired()) {
      lane = router.route(r);
    }
    lane.addRetry(r);
  }

  /** Frees the held slots whose time has come. */
  void releaseHeldSlots(Instant now) {
    if (!heldSlots.isEmpty()) {
      Iterator<Instant> it = heldSlots.iterator();
      while (it.hasNext()) {
        if (!now.isBefore(it.next())) {
          it.remove();
          window.release();
        }
      }
    }
  }

  /** When the next held slot is freed, or {@link Instant#MAX}. */
  Instant nextHeldSlotRelease() {
    Instant next = Instant.MAX;
    for (Instant held : heldSlots) {
      next = ShardRouter.min(next, held);
    }
    return next;
  }
}
