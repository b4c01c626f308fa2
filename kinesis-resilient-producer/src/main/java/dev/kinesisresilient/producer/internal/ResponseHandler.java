package dev.kinesisresilient.producer.internal;

import dev.kinesisresilient.core.FailureReason;
import dev.kinesisresilient.core.RecordResult;
import dev.kinesisresilient.core.internal.CongestionWindow;
import dev.kinesisresilient.core.internal.putrecords.EntryVerdict;
import dev.kinesisresilient.core.internal.putrecords.PutRecordsVerdicts;
import dev.kinesisresilient.core.internal.putrecords.RetryRule;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;

/**
 * What a PutRecords answer means for each record it carried. The meaning is core's, written once for
 * every engine: {@link PutRecordsVerdicts} turns the answer, whatever it was (a response, an exception,
 * the attempt given up on, a null response, a response with another number of entries), into one
 * {@link EntryVerdict} per entry, and {@link RetryRule} decides whether a rejected record is tried
 * again. What stays here is the producer's own: per entry, the shard's limiter feedback (success,
 * aggregate bytes, throttling), a shard other than predicted (ask the router for a new shard map;
 * decide a misplaced aggregate), an aggregate entry's verdict fanned out to its user records, and a
 * retry queued back onto a lane. Also feeds the congestion window and the latency estimate, and holds
 * the slots of requests the client gave up on. Sender thread only.
 */
final class ResponseHandler {
  private static final Logger LOG = LoggerFactory.getLogger(ResponseHandler.class);

  private final PutRecordsVerdicts verdicts;
  private final RetryRule retryRule;
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
    this.verdicts = new PutRecordsVerdicts(settings.classifier());
    // The producer's bound is each record's deliveryTimeout (its deadline), counted from send().
    this.retryRule = new RetryRule(settings.retryPolicy().maxAttempts(),
        settings.retryPolicy().backoff(settings.random()), FailureReason.DEADLINE_EXCEEDED);
    this.window = window;
    this.sendMargin = sendMargin;
    this.router = router;
    this.completer = completer;
    this.metrics = metrics;
    this.counters = counters;
    this.logPrefix = logPrefix;
  }

  /**
   * Reads the end of an attempt that {@link Sender} has just finished (taken out of flight): the one
   * completion path, for a response and a failure alike.
   *
   * @param response the response, or null when the call failed
   * @param error why the call failed (the attempt timeout included), or null
   */
  void onResponse(Attempt a, @Nullable PutRecordsResponse response, @Nullable Throwable error, Instant now) {
    Duration elapsed = Duration.between(a.start, now);
    PutRecordsVerdicts.Verdicts v = verdicts.verdicts(response, error, a.entries);
    metrics.writer().request(a.entries, a.bytes, elapsed, v.result(), v.metricCode());
    EntryVerdict.Rejected requestFailure = v.requestFailure();
    if (error == null && response != null) {
      // Answered (a count mismatch too): the endpoint is not congested and the latency is real.
      if (!a.overdue) {
        window.onSuccess();
      }
      sendMargin.sample(elapsed);
      if (requestFailure != null) {
        LOG.warn("{}{}; treating the request as failed", logPrefix, requestFailure.message());
      }
    } else if (requestFailure != null) {
      onRequestFailure(a, requestFailure, elapsed, now);
    }
    boolean mismatch = false;
    for (int j = 0; j < a.entries; j++) {
      int from = a.entryStart(j);
      int to = a.entryEnd(j);
      // The verdicts read by index: a stored entry costs no object (the hot path).
      EntryVerdict.Rejected rejected = v.rejected(j);
      if (rejected == null) {
        mismatch |= onStored(a, from, to, v.sequenceNumber(j), v.shardId(j), now);
        continue;
      }
      if (requestFailure == null && rejected.throttled()) {
        mismatch |= onThrottled(a.records[from].lane, rejected, now);
      }
      for (int k = from; k < to; k++) {
        PendingRecord r = a.records[k];
        if (!r.isDone()) {
          retryOrFail(r, rejected, now);
        }
      }
    }
    if (mismatch) {
      router.requestRefresh("a record landed on a shard other than predicted");
    }
  }

  /**
   * The request failed as a whole (every entry carries {@code failure}): congestion feedback to the
   * window, and throttling feedback once to each lane it carried records for.
   */
  private void onRequestFailure(Attempt a, EntryVerdict.Rejected failure, Duration elapsed, Instant now) {
    String metricCode = failure.metricCode();
    if (!a.overdue && CongestionWindow.isCongestion(metricCode)) {
      window.onCongestion(a.epoch);
      if (CongestionWindow.isTimeout(metricCode)) {
        // The client gave up on it (the SDK's own timeout); the service may not have: hold its slot
        // for as long again as it ran.
        window.acquire();
        heldSlots.add(now.plus(elapsed));
      }
    }
    if (failure.throttled()) {
      for (Lane l : a.lanes) {
        l.limiter.onThrottled(now);
      }
    }
    if (LOG.isDebugEnabled()) {
      LOG.debug("{}request of {} entries failed ({}, retriable={})", logPrefix, a.entries, failure.code(),
          failure.retriable());
    }
  }

  /**
   * An entry the service stored ({@link EntryVerdict.Stored}; records {@code from} to {@code to}: more
   * than one for an aggregate):
   * limiter feedback (an aggregate is credited by its bytes), then acknowledge its records, unless it
   * is an aggregate on a shard other than predicted, which the router decides.
   *
   * @return whether it landed on a shard other than its lane's
   */
  private boolean onStored(Attempt a, int from, int to, String sequenceNumber, String shardId, Instant now) {
    boolean aggregated = to - from > 1;
    Lane lane = a.records[from].lane;
    boolean mismatch = false;
    if (lane != null) {
      mismatch = lane.isShard() && !lane.id.equals(shardId);
      if (aggregated) {
        long bytes = 0;
        for (int k = from; k < to; k++) {
          bytes += a.records[k].sizeBytes;
        }
        lane.limiter.onAggregateSuccess(bytes);
      } else {
        lane.limiter.onSuccess(1);
      }
      if (aggregated && mismatch) {
        router.onMisplaced(a.records, from, to, shardId, sequenceNumber, now);
        return true;
      }
    }
    for (int k = from; k < to; k++) {
      PendingRecord r = a.records[k];
      if (r.isDone()) {
        LOG.debug("{}acknowledgement of an expired record ignored", logPrefix);
        continue;
      }
      completer.complete(r, new RecordResult.Acknowledged(r.record, sequenceNumber, shardId, r.attempts, k - from,
          aggregated), null, now);
    }
    return mismatch;
  }

  /**
   * An entry of its own throttled: slow its lane down; a throttling message that names another shard
   * than the lane's means the shard map is out of date.
   *
   * @return whether the message names a shard other than the lane's
   */
  private boolean onThrottled(@Nullable Lane lane, EntryVerdict.Rejected rejected, Instant now) {
    counters.throttled.incrementAndGet();
    if (lane == null) {
      return false;
    }
    lane.limiter.onThrottled(now);
    String named = rejected.namedShard();
    return lane.isShard() && named != null && !named.equals(lane.id);
  }

  /**
   * Records a record's error in its trail, then asks the {@link RetryRule}: queue it for a retry after
   * its backoff, or fail it (not retriable, out of attempts, or its backoff would end at or after its
   * deadline).
   */
  private void retryOrFail(PendingRecord r, EntryVerdict.Rejected rejected, Instant now) {
    r.trail().record(rejected);
    RetryRule.Decision decision = retryRule.next(r.attempts, r.previousDelay(), rejected, now, r.deadline);
    if (decision instanceof RetryRule.GiveUp giveUp) {
      completer.fail(r, giveUp.reason(), now);
      return;
    }
    r.retryAfter((RetryRule.Retry) decision);
    counters.retried.incrementAndGet();
    metrics.writer().retriedOnShard(rejected.metricCode(), rejected.namedShard());
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
