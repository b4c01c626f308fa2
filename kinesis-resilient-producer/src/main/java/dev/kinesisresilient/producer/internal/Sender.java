package dev.kinesisresilient.producer.internal;

import dev.kinesisresilient.core.FailureReason;
import dev.kinesisresilient.core.internal.CongestionWindow;
import dev.kinesisresilient.core.internal.EndpointCongestion;
import dev.kinesisresilient.core.internal.RetryTokenBucket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;

/**
 * The producer's one sender loop (Kafka's {@code Sender}): takes new records from the accumulator and
 * hands them to the {@link ShardRouter}, sends the requests the {@link RequestAssembler} assembles
 * within the in-flight bound, hands each answer to the {@link ResponseHandler}, expires records at
 * their delivery deadline, gives up on overdue attempts, and closes. It owns the attempts in flight
 * and the congestion window; the {@link RecordCompleter} completes each record exactly once.
 *
 * <p>Calls go one way: this loop calls the assembler and the response handler, they call the router
 * and the completer, and those the lanes, limiters and shard map. Answers come back only through the
 * {@link Inbox}.
 *
 * <p>Everything except {@link #post}, {@link #requestClose} and the volatile views is confined to
 * the sender thread. Client callbacks never touch state: they post a task to the inbox, which the
 * next {@link #runOnce(Instant)} runs. Tests call {@code runOnce} step by step with a manual clock.
 */
final class Sender implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(Sender.class);

  private static final Duration MIN_WAIT = Duration.ofMillis(1);
  /**
   * How many times one pass assembles requests again after running the inbox. Answers that arrive
   * while sending (a fast or synchronous client) free slots and queue retries, which can go in the
   * same pass; the bound keeps a client that always answers at once from holding the loop in one pass,
   * away from expiry, the accumulator's new records and close.
   */
  private static final int MAX_SEND_ROUNDS = 16;

  private final ProducerSettings settings;
  private final KinesisAsyncClient client;
  private final RecordAccumulator accumulator;
  private final String logPrefix;
  private final Inbox inbox;
  /** The adaptive bound on requests in flight (sender thread only). */
  private final CongestionWindow window;
  private final RecordCompleter completer;
  private final ShardRouter router;
  private final RequestAssembler assembler;
  private final ResponseHandler responses;
  private final SendMargin sendMargin;

  private volatile Instant closeDeadline = Instant.MAX;
  private volatile boolean terminated;
  private volatile int inFlightCount;

  // ---- sender thread only ----
  private final List<Attempt> inFlight = new ArrayList<>();
  private boolean waiters;
  /** The emptied list of an earlier drain, handed back to the accumulator to collect new records in. */
  private @Nullable ArrayList<PendingRecord> spareIncoming;

  Sender(ProducerSettings settings, KinesisAsyncClient client, RecordAccumulator accumulator, ProducerMetrics metrics,
      ProducerCounters counters, String logPrefix) {
    this.settings = settings;
    this.client = client;
    this.accumulator = accumulator;
    this.logPrefix = logPrefix;
    this.inbox = new Inbox(accumulator);
    this.window = new CongestionWindow(settings.maxInFlightRequests(), settings.adaptiveConcurrency(),
        EndpointCongestion.of(client));
    RetryTokens retryTokens = new RetryTokens(new RetryTokenBucket(settings.retryBudget()), window::inFlight);
    this.sendMargin = new SendMargin(settings);
    this.completer = new RecordCompleter(settings, accumulator, metrics, counters, retryTokens, sendMargin,
        logPrefix);
    this.router = new ShardRouter(settings, client, inbox, metrics, completer, retryTokens, logPrefix);
    this.assembler = new RequestAssembler(settings, router, completer, retryTokens, sendMargin, metrics);
    this.responses = new ResponseHandler(settings, window, sendMargin, router, completer, metrics, counters,
        logPrefix);
  }

  // ================================================================== thread

  void bindThread(Thread t) {
    inbox.bindThread(t);
  }

  /** Whether the caller is the sender thread (a completion callback or the failure handler). */
  boolean onSenderThread() {
    return inbox.onSenderThread();
  }

  @Override
  public void run() {
    while (!terminated) {
      Instant next;
      try {
        next = runOnce(settings.clock().instant());
      } catch (RuntimeException e) {
        LOG.error("{}sender loop failed; continuing", logPrefix, e);
        next = settings.clock().instant().plus(Duration.ofMillis(10));
      }
      if (terminated) {
        break;
      }
      try {
        accumulator.awaitWork(next, settings.clock());
      } catch (InterruptedException e) {
        LOG.warn("{}sender thread interrupted; closing now", logPrefix);
        requestClose(settings.clock().instant());
        accumulator.close();
      }
    }
  }

  /** Asks the loop to stop intake and fail what is left at {@code deadline}. Any thread. */
  void requestClose(Instant deadline) {
    synchronized (this) {
      if (deadline.isBefore(closeDeadline)) {
        closeDeadline = deadline;
      }
    }
  }

  boolean isTerminated() {
    return terminated;
  }

  int inFlightRequests() {
    return inFlightCount;
  }

  /** Hands a task to the sender thread (client callbacks). Any thread. */
  void post(Consumer<Instant> task) {
    inbox.post(task);
  }

  // ================================================================== the loop

  /**
   * One pass of the sender loop.
   *
   * @param now the time by the producer's clock
   * @return when the loop next has something to do by the clock, unless woken earlier (new records,
   *     responses, flush, close, callers waiting for space); at least 1 ms after {@code now}
   */
  Instant runOnce(Instant now) {
    inbox.runAll(now);
    RecordAccumulator.Drained d = accumulator.drain(spareIncoming);
    // A flush is taken in sequence order among the new records: every record of sequence up to its
    // lastSeq is accepted before it, none after (what RecordCompleter.addFlush counts on).
    List<RecordAccumulator.Flush> flushes = d.flushes();
    int f = 0;
    for (PendingRecord r : d.records()) {
      while (f < flushes.size() && flushes.get(f).lastSeq() < r.seq) {
        completer.addFlush(flushes.get(f).lastSeq(), flushes.get(f).future());
        f++;
      }
      completer.accepted();
      router.accept(r);
    }
    for (; f < flushes.size(); f++) {
      completer.addFlush(flushes.get(f).lastSeq(), flushes.get(f).future());
    }
    if (!d.records().isEmpty()) {
      // the accumulator's own list, taken whole: empty it and hand it back at the next drain
      ArrayList<PendingRecord> taken = (ArrayList<PendingRecord>) d.records();
      taken.clear();
      spareIncoming = taken;
    }
    waiters = d.waiters();
    boolean closed = d.closed();
    if (router.startDiscoveryOnce(now)) {
      inbox.runAll(now);
    }
    router.checkDiscoveryDeadline(now);
    if (router.refreshIfDue(now)) {
      inbox.runAll(now);
    }
    if (closed && !now.isBefore(closeDeadline)) {
      abortAll(now);
    } else {
      expire(now);
      attemptTimeouts(now);
      for (int round = 0; round < MAX_SEND_ROUNDS; round++) {
        drainLanes(now, closed);
        if (inbox.isEmpty()) {
          break;
        }
        inbox.runAll(now);
      }
    }
    completer.finishRound(now);
    if (closed && completer.outstanding() == 0) {
      // Attempts still in flight hold only completed records (they are kept while the service may be
      // working on them); nothing waits for them any more, so they are cancelled to release the
      // client's connections before the loop ends.
      for (Attempt a : new ArrayList<>(inFlight)) {
        finishAttempt(a);
        a.call.cancel(true);
      }
      terminated = true;
      return now;
    }
    return nextWakeup(now, closed);
  }

  /** Whether every lane's new records go at once (closing, a flush, callers waiting, or a full request). */
  private boolean urgent(boolean closed) {
    return assembler.urgent(closed || completer.hasFlushes() || waiters);
  }

  // ================================================================== sending

  private void drainLanes(Instant now, boolean closed) {
    if (!router.routed()) {
      return;
    }
    sendMargin.update(now);
    boolean urgent = urgent(closed);
    while (window.hasRoom()) {
      RequestAssembler.Batch batch = assembler.next(now, urgent);
      if (batch.records.isEmpty()) {
        return;
      }
      send(batch, now);
    }
  }

  private void send(RequestAssembler.Batch b, Instant now) {
    List<PendingRecord> batch = b.records;
    long bytes = b.bytes;
    List<Lane> involved = b.lanes;
    List<PutRecordsRequestEntry> entries = b.entries != null ? b.entries : new ArrayList<>(batch.size());
    Instant earliest = Instant.MAX;
    for (PendingRecord r : batch) {
      r.attempts++;
      if (r.deadline.isBefore(earliest)) {
        earliest = r.deadline;
      }
      if (b.entries == null) {
        entries.add(r.entry);
      }
    }
    PutRecordsRequest.Builder rb = settings.streamRef().applyTo(PutRecordsRequest.builder().records(entries));
    for (Lane l : involved) {
      l.requestSent();
    }
    window.acquire();
    Attempt a = new Attempt(batch.toArray(new PendingRecord[0]), involved, now, now.plus(settings.attemptTimeout()),
        earliest, bytes, b.entries == null ? null : b.ends, entries.size(), window.epoch());
    inFlight.add(a);
    inFlightCount = inFlight.size();
    if (LOG.isDebugEnabled()) {
      LOG.debug("{}sending {} entries ({} records, {} bytes) for {} lanes", logPrefix, entries.size(), batch.size(),
          bytes, involved.size());
    }
    CompletableFuture<PutRecordsResponse> call;
    try {
      call = client.putRecords(rb.build());
    } catch (RuntimeException e) {
      call = CompletableFuture.failedFuture(e);
    }
    a.call = call;
    call.whenComplete((response, error) -> inbox.post(t -> onAnswer(a, response, error, t)));
  }

  private void finishAttempt(Attempt a) {
    a.done = true;
    window.release();
    inFlight.remove(a);
    inFlightCount = inFlight.size();
    for (Lane l : a.lanes) {
      l.requestDone();
    }
  }

  /** An answer (or a failure) came for an attempt: unless it was already given up on, read it. */
  private void onAnswer(Attempt a, @Nullable PutRecordsResponse response, @Nullable Throwable error, Instant now) {
    if (a.done) {
      LOG.debug("{}late completion of a finished attempt ignored", logPrefix);
      return;
    }
    finishAttempt(a);
    responses.onResponse(a, response, error, now);
  }

  // ================================================================== expiry, timeouts, close

  private void expire(Instant now) {
    router.expire(now);
    // Failing a record changes no attempt in flight: walked by index, no copy per pass.
    for (int i = 0, n = inFlight.size(); i < n; i++) {
      Attempt a = inFlight.get(i);
      if (now.isBefore(a.earliestDeadline)) {
        continue;
      }
      Instant min = Instant.MAX;
      for (PendingRecord r : a.records) {
        if (r.isDone()) {
          continue;
        }
        if (!now.isBefore(r.deadline)) {
          completer.fail(r, FailureReason.DEADLINE_EXCEEDED, now);
        } else if (r.deadline.isBefore(min)) {
          min = r.deadline;
        }
      }
      // Even when every record of the attempt has expired, it keeps its slot until it is answered or
      // given up on (attemptTimeouts): the service may still be working on it, and cancelling would
      // free a slot for more load on an endpoint that is already slow.
      a.earliestDeadline = min;
    }
  }

  /**
   * An attempt past its timeout is a sign of congestion, but the service may still be working on it: it
   * keeps its slot and its records wait for its answer for as long again; only then is it cancelled and
   * its records retried (within the retry budget). Also frees the slots held for calls the client gave
   * up on.
   */
  private void attemptTimeouts(Instant now) {
    responses.releaseHeldSlots(now);
    if (!anyTimedOut(now)) {
      return;
    }
    for (Attempt a : new ArrayList<>(inFlight)) {
      if (now.isBefore(a.timeoutAt)) {
        continue;
      }
      if (!a.overdue) {
        a.overdue = true;
        window.onCongestion(a.epoch);
        a.timeoutAt = a.timeoutAt.plus(settings.attemptTimeout());
        if (LOG.isDebugEnabled()) {
          LOG.debug("{}request of {} entries overdue after {}; waiting as long again for its answer", logPrefix,
              a.entries, settings.attemptTimeout());
        }
        continue;
      }
      finishAttempt(a);
      a.call.cancel(true);
      responses.onResponse(a, null, new TimeoutException("PutRecords attempt did not complete within "
          + settings.attemptTimeout().multipliedBy(2) + " (overdue after " + settings.attemptTimeout()
          + "; the service may have stored it)"), now);
    }
  }

  private boolean anyTimedOut(Instant now) {
    for (int i = 0, n = inFlight.size(); i < n; i++) {
      if (!now.isBefore(inFlight.get(i).timeoutAt)) {
        return true;
      }
    }
    return false;
  }

  private void abortAll(Instant now) {
    router.abortParked(now);
    for (Attempt a : new ArrayList<>(inFlight)) {
      finishAttempt(a);
      a.call.cancel(true);
      for (PendingRecord r : a.records) {
        if (!r.isDone()) {
          completer.fail(r, FailureReason.CLOSED, now);
        }
      }
    }
    router.abortQueued(now);
  }

  // ================================================================== next wake-up

  private Instant nextWakeup(Instant now, boolean closed) {
    Instant next = router.nextWakeup();
    if (router.routing() != ShardRouter.Routing.DISCOVERING) {
      next = ShardRouter.min(next, assembler.nextWakeup(now, urgent(closed), window.hasRoom()));
    }
    for (Attempt a : inFlight) {
      next = ShardRouter.min(next, ShardRouter.min(a.timeoutAt, a.earliestDeadline));
    }
    next = ShardRouter.min(next, responses.nextHeldSlotRelease());
    if (closed) {
      next = ShardRouter.min(next, closeDeadline);
    }
    next = ShardRouter.min(next, completer.nextFailureLog());
    Instant floor = now.plus(MIN_WAIT);
    return next.isBefore(floor) ? floor : next;
  }

  // ================================================================== views for tests

  ShardRouter.Routing routing() {
    return router.routing();
  }

  /** The congestion window's current bound on requests in flight. */
  int inFlightLimit() {
    return window.limit();
  }

  /** Whether records are being packed into aggregates now (any thread). */
  boolean aggregating() {
    return router.aggregating();
  }

  @Nullable Lane lane(String id) {
    return router.lane(id);
  }

  List<Lane> lanes() {
    return List.copyOf(router.laneList());
  }

  @Nullable ShardMap shardMap() {
    return router.shardMap();
  }
}
