package dev.kinesisresilient.core.internal;

import dev.kinesisresilient.core.BatchLimits;
import dev.kinesisresilient.core.BatchPlanner;
import dev.kinesisresilient.core.BatchWriteResult;
import dev.kinesisresilient.core.ErrorClassifier;
import dev.kinesisresilient.core.FailureReason;
import dev.kinesisresilient.core.KinesisBatchWriter;
import dev.kinesisresilient.core.KinesisRecord;
import dev.kinesisresilient.core.MetricsOptions;
import dev.kinesisresilient.core.RecordResult;
import dev.kinesisresilient.core.RetryBudget;
import dev.kinesisresilient.core.RetryPolicy;
import dev.kinesisresilient.core.internal.putrecords.EntryVerdict;
import dev.kinesisresilient.core.internal.putrecords.FailureTrail;
import dev.kinesisresilient.core.internal.putrecords.PutRecordsVerdicts;
import dev.kinesisresilient.core.internal.putrecords.PutRecordsVerdicts.Verdicts;
import dev.kinesisresilient.core.internal.putrecords.RetryRule;
import dev.kinesisresilient.core.internal.putrecords.StreamRef;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;

/**
 * The {@link KinesisBatchWriter} implementation.
 *
 * <p>All mutable state (the request queue, the in-flight count, each operation's per-record state) is
 * touched only by tasks of one {@link SerialExecutor}; responses, timeouts and retries are funnelled
 * into it, so no lock is held while calling the client or completing futures, and a client that
 * completes synchronously cannot cause recursion.
 */
public final class ResilientBatchWriter implements KinesisBatchWriter {
  private static final Logger LOG = LoggerFactory.getLogger(ResilientBatchWriter.class);
  private static final AtomicInteger THREAD_IDS = new AtomicInteger();

  /** Error code given to records over the per-record limit. */
  public static final String INVALID_CODE = "RecordTooLarge";

  private final KinesisAsyncClient client;
  private final StreamRef stream;
  private final BatchLimits limits;
  private final RetryPolicy policy;
  private final PutRecordsVerdicts verdicts;
  private final RetryRule retryRule;
  private final Duration attemptTimeout;
  private final ScheduledExecutorService scheduler;
  private final boolean ownsScheduler;
  private final Clock clock;
  private final WriterMetrics metrics;
  private final String logPrefix;
  private final String settings;

  private final SerialExecutor serial = new SerialExecutor();
  // Touched only inside `serial` tasks.
  private final ArrayDeque<Request> queue = new ArrayDeque<>();
  private final CongestionWindow window;
  private final RetryTokenBucket budget;
  private @Nullable Instant budgetTimerAt;
  private int activeOperations;
  private boolean released;
  // Read by the in-flight gauge from any thread.
  private volatile int inFlight;
  private volatile boolean closed;

  /**
   * Creates a writer; use {@link KinesisBatchWriter#builder}.
   *
   * @param client the client
   * @param stream the stream, by name or ARN
   * @param limits the limits
   * @param policy the retry policy
   * @param classifier the error classifier
   * @param maxConcurrentRequests the in-flight bound
   * @param attemptTimeout the attempt timeout
   * @param scheduler the scheduler, or null to create one
   * @param clock the clock
   * @param random the random source
   * @param metricsOptions the metrics options, or null
   * @param clientId the client id (tag of the writer's own meters), or null for a default
   * @param retryBudget the limit on re-sends
   * @param adaptiveConcurrency whether congestion shrinks the in-flight bound
   */
  public ResilientBatchWriter(
      KinesisAsyncClient client,
      StreamRef stream,
      BatchLimits limits,
      RetryPolicy policy,
      ErrorClassifier classifier,
      int maxConcurrentRequests,
      Duration attemptTimeout,
      @Nullable ScheduledExecutorService scheduler,
      Clock clock,
      Supplier<? extends RandomGenerator> random,
      @Nullable MetricsOptions metricsOptions,
      @Nullable String clientId,
      RetryBudget retryBudget,
      boolean adaptiveConcurrency) {
    this.client = client;
    this.stream = stream;
    this.limits = limits;
    this.policy = policy;
    this.verdicts = new PutRecordsVerdicts(classifier);
    // DEADLINE_EXCEEDED: a retry that would start after the write's deadline is not made.
    this.retryRule = new RetryRule(policy.maxAttempts(), policy.backoff(random), FailureReason.DEADLINE_EXCEEDED);
    this.window = new CongestionWindow(maxConcurrentRequests, adaptiveConcurrency, EndpointCongestion.of(client));
    this.budget = new RetryTokenBucket(retryBudget);
    this.attemptTimeout = attemptTimeout;
    this.ownsScheduler = scheduler == null;
    this.scheduler = scheduler == null ? newScheduler() : scheduler;
    this.clock = clock;
    String id = clientId != null ? clientId : WriterMetrics.defaultClientId(stream.name());
    this.metrics = WriterMetrics.create(metricsOptions, stream.name(), id, () -> inFlight);
    this.logPrefix = "[writer stream=" + stream.name() + "] ";
    this.settings = "KinesisBatchWriter[stream=" + stream.label()
        + ", clientId=" + id
        + ", limits=" + limits
        + ", retryPolicy=" + policy
        + ", errorClassifier=" + classifier.getClass().getSimpleName()
        + ", maxConcurrentRequests=" + maxConcurrentRequests
        + ", adaptiveConcurrency=" + adaptiveConcurrency
        + ", retryBudget=" + retryBudget
        + ", attemptTimeout=" + attemptTimeout
        + ", scheduler=" + (ownsScheduler ? "own single thread" : this.scheduler.getClass().getSimpleName())
        + ", clock=" + clock
        + ", metrics=" + (metricsOptions == null ? "off" : metricsOptions) + "]";
    LOG.info("{}started with {}", logPrefix, settings);
    java.util.OptionalInt sdkAttempts = SdkRetryCheck.sdkMaxAttempts(client);
    if (sdkAttempts.isPresent() && sdkAttempts.getAsInt() > 1) {
      LOG.warn("{}the client's own SDK retries are on ({} attempts per call): each of this writer's "
          + "attempts may become up to {} HTTP requests, past the deadline's intent. Build the client with "
          + "KinesisClientFactory, or set retryStrategy(AwsRetryStrategy.doNotRetry())", logPrefix,
          sdkAttempts.getAsInt(), sdkAttempts.getAsInt());
    }
  }

  private static ScheduledExecutorService newScheduler() {
    ThreadFactory tf = r -> {
      Thread t = new Thread(r, "kinesis-resilient-writer-" + THREAD_IDS.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
    return Executors.newSingleThreadScheduledExecutor(tf);
  }

  @Override
  public CompletableFuture<BatchWriteResult> write(List<KinesisRecord> records) {
    Objects.requireNonNull(records, "records");
    KinesisRecord[] copy = records.toArray(new KinesisRecord[0]);
    for (int i = 0; i < copy.length; i++) {
      if (copy[i] == null) {
        throw new NullPointerException("records[" + i + "] is null");
      }
    }
    if (closed) {
      throw new IllegalStateException(logPrefix + "writer is closed");
    }
    Instant start = clock.instant();
    WriteOperation op = new WriteOperation(copy, start.plus(policy.deadline()), policy.deadline(), metrics,
        logPrefix, this::finished);
    if (copy.length == 0) {
      op.future.complete(new BatchWriteResult(List.of()));
    } else {
      serial.execute(() -> begin(op));
    }
    return op.future.copy();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    LOG.info("{}closing; accepted writes run to completion", logPrefix);
    serial.execute(this::releaseIfIdle);
  }

  @Override
  public String toString() {
    return settings;
  }

  // ---- everything below runs inside `serial` ----

  private void begin(WriteOperation op) {
    activeOperations++;
    List<Integer> valid = new ArrayList<>(op.records.length);
    for (int i = 0; i < op.records.length; i++) {
      valid.add(i);
    }
    BatchPlanner.Plan<Integer> plan = BatchPlanner.plan(valid, i -> op.records[i], limits);
    for (BatchPlanner.Rejected<Integer> r : plan.rejected()) {
      int i = r.item();
      op.fail(i, new RecordResult.Failed(op.records[i], FailureReason.INVALID, INVALID_CODE,
          r.error().getMessage(), 0, r.error()), INVALID_CODE);
    }
    for (List<Integer> request : plan.requests()) {
      queue.addLast(new Request(op, toArray(request), Duration.ZERO, false));
    }
    dispatch();
  }

  /**
   * Sends queued requests, in order, while the congestion window has room, and fails those at the head
   * whose deadline passed even when it has none. A retry needs a token of the retry budget per record
   * whose last error was not throttling: with fewer tokens it is split (the rest waits), with none it
   * waits in its place while the requests behind it go, unless nothing is in flight (then it goes as a
   * probe: only acknowledgements refill the budget); a timer makes sure a waiting request still ends at
   * its deadline.
   */
  private void dispatch() {
    Instant now = clock.instant();
    ArrayDeque<Request> waiting = null;
    while (!queue.isEmpty()) {
      Request req = queue.peekFirst();
      boolean expired = !now.isBefore(req.op.deadline);
      if (!expired && !window.hasRoom()) {
        break;
      }
      queue.pollFirst();
      if (expired) {
        if (req.retry && !budget.hasToken() && req.op.needsToken(req.indexes[0])) {
          for (int i : req.indexes) {
            FailureTrail trail = req.op.trail(i);
            trail.message("the retry waited for the retry budget (re-sends are limited to a share of "
                + "acknowledged records) until the deadline; last error: " + trail.message());
          }
        }
        req.op.failAll(req.indexes, FailureReason.DEADLINE_EXCEEDED);
        continue;
      }
      if (req.retry) {
        WriteOperation op = req.op;
        RetryTokenBucket.Admission admission = budget.admit(req.indexes, op::needsToken, window.inFlight());
        if (admission.waiting().length > 0) {
          if (waiting == null) {
            waiting = new ArrayDeque<>();
          }
          waiting.addLast(new Request(op, admission.waiting(), req.previousDelay, true));
          if (admission.admitted().length == 0) {
            continue;
          }
          req = new Request(op, admission.admitted(), req.previousDelay, true);
        }
      }
      send(req, now);
    }
    if (waiting != null) {
      Instant earliest = Instant.MAX;
      for (Iterator<Request> it = waiting.descendingIterator(); it.hasNext(); ) {
        Request r = it.next();
        queue.addFirst(r);
        if (r.op.deadline.isBefore(earliest)) {
          earliest = r.op.deadline;
        }
      }
      wakeAt(earliest, now);
    }
  }

  /** Runs {@link #dispatch} at {@code at} (no later), so that requests waiting for the budget end on time. */
  private void wakeAt(Instant at, Instant now) {
    if (budgetTimerAt != null && !budgetTimerAt.isAfter(at) && budgetTimerAt.isAfter(now)) {
      return;
    }
    budgetTimerAt = at;
    try {
      scheduler.schedule(() -> serial.execute(() -> {
        if (at.equals(budgetTimerAt)) {
          budgetTimerAt = null;
        }
        dispatch();
      }), Math.max(0, Duration.between(now, at).toNanos()), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      LOG.warn("{}scheduler rejected a deadline check; retries waiting for the budget end at the next response",
          logPrefix, e);
    }
  }

  private void send(Request req, Instant now) {
    WriteOperation op = req.op;
    List<PutRecordsRequestEntry> entries = new ArrayList<>(req.indexes.length);
    long bytes = 0;
    for (int i : req.indexes) {
      KinesisRecord r = op.records[i];
      op.attempts[i]++;
      bytes += r.sizeBytes();
      entries.add(PutRecordsRequestEntry.builder()
          .partitionKey(r.partitionKey())
          .data(r.data())
          .explicitHashKey(r.explicitHashKey())
          .build());
    }
    PutRecordsRequest request = stream.applyTo(PutRecordsRequest.builder().records(entries)).build();
    window.acquire();
    inFlight = window.inFlight();
    Attempt attempt = new Attempt(req, now, bytes, window.epoch());
    Duration remaining = Duration.between(now, op.deadline);
    Duration timeout = remaining.compareTo(attemptTimeout) < 0 ? remaining : attemptTimeout;
    if (LOG.isDebugEnabled()) {
      LOG.debug("{}sending {} entries ({} bytes), timeout {}", logPrefix, entries.size(), bytes, timeout);
    }
    CompletableFuture<PutRecordsResponse> call;
    try {
      call = client.putRecords(request);
    } catch (RuntimeException e) {
      call = CompletableFuture.failedFuture(e);
    }
    attempt.call = call;
    try {
      attempt.timeoutTask = scheduler.schedule(
          () -> serial.execute(() -> onTimeout(attempt, timeout)), timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      LOG.warn("{}scheduler rejected the attempt timeout; the attempt is bounded only by the client",
          logPrefix, e);
    }
    call.whenComplete((response, error) -> serial.execute(() -> onComplete(attempt, response, error)));
  }

  /**
   * The attempt is overdue: a sign of congestion. The service may still be working on it, so the first
   * time its slot stays taken and its records wait for its answer for as long again (cut to the write's
   * deadline); the second time the writer gives up on it, cancels it, and retries its records.
   */
  private void onTimeout(Attempt attempt, Duration timeout) {
    if (attempt.done) {
      return;
    }
    if (!attempt.overdue) {
      attempt.overdue = true;
      window.onCongestion(attempt.epoch);
      Instant now = clock.instant();
      Duration left = Duration.between(now, attempt.request.op.deadline);
      Duration grace = left.compareTo(timeout) < 0 ? left : timeout;
      if (!grace.isNegative() && !grace.isZero()) {
        if (LOG.isDebugEnabled()) {
          LOG.debug("{}attempt of {} entries overdue after {}; waiting {} more for its answer", logPrefix,
              attempt.request.indexes.length, timeout, grace);
        }
        try {
          attempt.timeoutTask = scheduler.schedule(
              () -> serial.execute(() -> onTimeout(attempt, timeout.plus(grace))), grace.toNanos(),
              TimeUnit.NANOSECONDS);
          return;
        } catch (RejectedExecutionException e) {
          LOG.warn("{}scheduler rejected the attempt's grace timer; giving up on it now", logPrefix, e);
        }
      }
    }
    attempt.done = true;
    attempt.call.cancel(true);
    handle(attempt, null, new TimeoutException(
        "PutRecords attempt did not complete within " + timeout + " (the service may have stored it)"));
  }

  private void onComplete(Attempt attempt, @Nullable PutRecordsResponse response, @Nullable Throwable error) {
    if (attempt.done) {
      if (LOG.isDebugEnabled()) {
        LOG.debug("{}late completion of a timed-out attempt ignored (error={})", logPrefix,
            error == null ? "none" : error.getClass().getSimpleName());
      }
      return;
    }
    attempt.done = true;
    ScheduledFuture<?> timeoutTask = attempt.timeoutTask;
    if (timeoutTask != null) {
      timeoutTask.cancel(false);
    }
    handle(attempt, response, error);
  }

  /**
   * The one completion path of an attempt, whatever happened to it (a response, an exception, the
   * attempt timeout): {@link PutRecordsVerdicts} turns it into one verdict per entry, and each entry is
   * acknowledged, failed or retried by the {@link RetryRule}.
   */
  private void handle(Attempt attempt, @Nullable PutRecordsResponse response, @Nullable Throwable error) {
    Request request = attempt.request;
    WriteOperation op = request.op;
    Verdicts verdicts = this.verdicts.verdicts(response, error, request.indexes.length);
    Duration elapsed = Duration.between(attempt.start, clock.instant());
    congestionFeedback(attempt, error == null && response != null, verdicts.metricCode(), elapsed);
    metrics.request(request.indexes.length, attempt.bytes, elapsed, verdicts.result(), verdicts.metricCode());
    EntryVerdict.Rejected requestFailure = verdicts.requestFailure();
    if (requestFailure != null && verdicts.countMismatch()) {
      LOG.warn("{}{}; treating the request as failed", logPrefix, requestFailure.message());
    } else if (requestFailure != null && LOG.isDebugEnabled()) {
      LOG.debug("{}request of {} entries failed ({}, retriable={})", logPrefix, request.indexes.length,
          requestFailure.code(), requestFailure.retriable());
    }
    int acknowledged = 0;
    List<Integer> retry = new ArrayList<>();
    for (int j = 0; j < request.indexes.length; j++) {
      int i = request.indexes[j];
      EntryVerdict verdict = verdicts.entries().get(j);
      if (verdict instanceof EntryVerdict.Stored stored) {
        op.acknowledge(i, stored.sequenceNumber(), stored.shardId());
        acknowledged++;
        continue;
      }
      EntryVerdict.Rejected rejected = (EntryVerdict.Rejected) verdict;
      op.trail(i).record(rejected);
      FailureReason giveUp = retryRule.giveUpReason(rejected.retriable(), op.attempts[i]);
      if (giveUp != null) {
        op.fail(i, giveUp);
      } else {
        retry.add(i);
      }
    }
    if (requestFailure == null) {
      budget.onAcknowledged(acknowledged);
    }
    if (!retry.isEmpty()) {
      scheduleRetry(op, toArray(retry), request.previousDelay);
    }
    dispatch();
  }

  /**
   * Frees the attempt's in-flight slot and tells the congestion window how it went. An answered call
   * (even one whose entry count does not match) is a success for the window; a failure that signals
   * congestion shrinks it, and after a client-side timeout the slot stays taken for as long again as the
   * call ran, because the service may still be working on it.
   */
  private void congestionFeedback(Attempt attempt, boolean answered, String metricCode, Duration elapsed) {
    if (answered) {
      window.release();
      inFlight = window.inFlight();
      if (!attempt.overdue) {
        window.onSuccess();
      }
      return;
    }
    if (!attempt.overdue && CongestionWindow.isCongestion(metricCode)) {
      window.onCongestion(attempt.epoch);
      if (CongestionWindow.isTimeout(metricCode)) {
        holdSlot(elapsed);
      } else {
        window.release();
      }
    } else {
      window.release();
    }
    inFlight = window.inFlight();
  }

  private void holdSlot(Duration hold) {
    try {
      scheduler.schedule(() -> serial.execute(() -> {
        window.release();
        inFlight = window.inFlight();
        dispatch();
      }), hold.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      window.release();
    }
  }

  private void scheduleRetry(WriteOperation op, int[] indexes, Duration previousDelay) {
    // One backoff for the whole group, drawn with the attempts of its most-tried record: the group goes
    // back to the queue together and is re-planned into as few requests as fit, so its records share one
    // delay (one timer, one request) instead of scattering into per-record requests. Taking the maximum
    // means no record waits less than its own attempts call for. Every record here passed the rule's
    // retriable and attempts checks, so the rule can only answer with the time.
    int attempts = 0;
    for (int i : indexes) {
      attempts = Math.max(attempts, op.attempts[i]);
    }
    RetryRule.Decision decision = retryRule.next(attempts, previousDelay, true, clock.instant(), op.deadline);
    if (decision instanceof RetryRule.GiveUp giveUp) {
      op.failAll(indexes, giveUp.reason());
      return;
    }
    Duration delay = ((RetryRule.Retry) decision).delay();
    for (int i : indexes) {
      metrics.retried(op.trail(i).metricCode(), op.trail(i).message());
    }
    if (LOG.isDebugEnabled()) {
      LOG.debug("{}retrying {} entries after {} (attempt {} failed)", logPrefix, indexes.length, delay, attempts);
    }
    try {
      scheduler.schedule(() -> serial.execute(() -> requeue(op, indexes, delay)),
          delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      for (int i : indexes) {
        FailureTrail trail = op.trail(i);
        trail.message("retry could not be scheduled (scheduler shut down); last error: " + trail.message());
        op.fail(i, FailureReason.NOT_RETRIABLE);
      }
    }
  }

  private void requeue(WriteOperation op, int[] indexes, Duration delay) {
    List<Integer> items = new ArrayList<>(indexes.length);
    for (int i : indexes) {
      items.add(i);
    }
    Function<Integer, KinesisRecord> recordOf = i -> op.records[i];
    List<List<Integer>> requests = BatchPlanner.plan(items, recordOf, limits).requests();
    // Retries go to the front, oldest first, as in Kafka's accumulator.
    for (int k = requests.size() - 1; k >= 0; k--) {
      queue.addFirst(new Request(op, toArray(requests.get(k)), delay, true));
    }
    dispatch();
  }

  /** The last record of a write has its result: completes the write's future. */
  private void finished(WriteOperation op, BatchWriteResult all) {
    activeOperations--;
    if (!all.allAcknowledged()) {
      LOG.warn("{}write of {} records finished with failures: {}", logPrefix, op.records.length,
          all.failedByReason());
    }
    op.future.complete(all);
    releaseIfIdle();
  }

  private void releaseIfIdle() {
    if (closed && activeOperations == 0 && !released) {
      released = true;
      if (ownsScheduler) {
        scheduler.shutdownNow();
      }
      metrics.close();
      LOG.info("{}closed", logPrefix);
    }
  }

  private static int[] toArray(List<Integer> list) {
    int[] a = new int[list.size()];
    for (int k = 0; k < a.length; k++) {
      a[k] = list.get(k);
    }
    return a;
  }

  /** A planned request: indexes into its operation's records; {@code retry} when they were sent before. */
  private record Request(WriteOperation op, int[] indexes, Duration previousDelay, boolean retry) {}

  /** One send of a request. */
  private static final class Attempt {
    final Request request;
    final Instant start;
    final long bytes;
    /** The congestion window's epoch when sent. */
    final long epoch;
    CompletableFuture<PutRecordsResponse> call = new CompletableFuture<>();
    @Nullable ScheduledFuture<?> timeoutTask;
    boolean done;
    /** Its attempt timeout passed; it is waiting for a late answer. */
    boolean overdue;

    Attempt(Request request, Instant start, long bytes, long epoch) {
      this.request = request;
      this.start = start;
      this.bytes = bytes;
      this.epoch = epoch;
    }
  }
}
