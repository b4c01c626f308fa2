package dev.kinesisresilient.core.internal;

import dev.kinesisresilient.core.BackoffStrategy;
import dev.kinesisresilient.core.BatchLimits;
import dev.kinesisresilient.core.BatchPlanner;
import dev.kinesisresilient.core.BatchWriteResult;
import dev.kinesisresilient.core.ErrorClassification;
import dev.kinesisresilient.core.ErrorClassifier;
import dev.kinesisresilient.core.FailureReason;
import dev.kinesisresilient.core.KinesisBatchWriter;
import dev.kinesisresilient.core.KinesisRecord;
import dev.kinesisresilient.core.MetricsOptions;
import dev.kinesisresilient.core.RecordResult;
import dev.kinesisresilient.core.RetryBudget;
import dev.kinesisresilient.core.RetryPolicy;
import dev.kinesisresilient.core.StreamNames;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
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
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;

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

  /** Error code given to records whose deadline passed before they could be sent (again). */
  public static final String DEADLINE_CODE = "DeadlineExceeded";

  /** Error code given to records over the per-record limit. */
  public static final String INVALID_CODE = "RecordTooLarge";

  private final KinesisAsyncClient client;
  private final @Nullable String streamName;
  private final @Nullable String streamArn;
  private final BatchLimits limits;
  private final RetryPolicy policy;
  private final ErrorClassifier classifier;
  private final Duration attemptTimeout;
  private final ScheduledExecutorService scheduler;
  private final boolean ownsScheduler;
  private final Clock clock;
  private final BackoffStrategy backoff;
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
   * @param streamName the stream name, or null when the ARN is given
   * @param streamArn the stream ARN, or null when the name is given
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
      @Nullable String streamName,
      @Nullable String streamArn,
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
    this.streamName = streamName;
    this.streamArn = streamArn;
    this.limits = limits;
    this.policy = policy;
    this.classifier = classifier;
    this.window = new CongestionWindow(maxConcurrentRequests, adaptiveConcurrency, EndpointCongestion.of(client));
    this.budget = new RetryTokenBucket(retryBudget);
    this.attemptTimeout = attemptTimeout;
    this.ownsScheduler = scheduler == null;
    this.scheduler = scheduler == null ? newScheduler() : scheduler;
    this.clock = clock;
    this.backoff = policy.backoff(random);
    String stream = streamName != null ? streamName : StreamNames.nameOfArn(Objects.requireNonNull(streamArn));
    String id = clientId != null ? clientId : WriterMetrics.defaultClientId(stream);
    this.metrics = WriterMetrics.create(metricsOptions, stream, id, () -> inFlight);
    this.logPrefix = "[writer stream=" + stream + "] ";
    this.settings = "KinesisBatchWriter[stream=" + (streamName != null ? streamName : streamArn)
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
    Operation op = new Operation(copy, start, start.plus(policy.deadline()));
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

  private void begin(Operation op) {
    activeOperations++;
    List<Integer> valid = new ArrayList<>(op.records.length);
    for (int i = 0; i < op.records.length; i++) {
      valid.add(i);
    }
    BatchPlanner.Plan<Integer> plan = BatchPlanner.plan(valid, i -> op.records[i], limits);
    for (BatchPlanner.Rejected<Integer> r : plan.rejected()) {
      int i = r.item();
      finish(op, i, new RecordResult.Failed(op.records[i], FailureReason.INVALID, INVALID_CODE,
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
   * waits in its place while the requests behind it go; a timer makes sure a waiting request still ends
   * at its deadline.
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
        if (req.retry && !budget.hasToken() && RetryTokenBucket.needsToken(req.op.lastMetricCode[req.indexes[0]])) {
          for (int i : req.indexes) {
            req.op.lastMessage[i] = "the retry waited for the retry budget (re-sends are limited to a share of "
                + "acknowledged records) until the deadline; last error: " + req.op.lastMessage[i];
          }
        }
        failAll(req.op, req.indexes, FailureReason.DEADLINE_EXCEEDED, null);
        continue;
      }
      if (req.retry) {
        int need = 0;
        for (int i : req.indexes) {
          need += RetryTokenBucket.needsToken(req.op.lastMetricCode[i]) ? 1 : 0;
        }
        int granted = budget.tryAcquire(need);
        if (granted < need) {
          if (waiting == null) {
            waiting = new ArrayDeque<>();
          }
          int[] go = new int[req.indexes.length - (need - granted)];
          int[] wait = new int[need - granted];
          int g = 0;
          int w = 0;
          int left = granted;
          for (int i : req.indexes) {
            if (!RetryTokenBucket.needsToken(req.op.lastMetricCode[i])) {
              go[g++] = i;
            } else if (left > 0) {
              left--;
              go[g++] = i;
            } else {
              wait[w++] = i;
            }
          }
          waiting.addLast(new Request(req.op, wait, req.previousDelay, true));
          if (go.length == 0) {
            continue;
          }
          req = new Request(req.op, go, req.previousDelay, true);
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
    Operation op = req.op;
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
    PutRecordsRequest.Builder rb = PutRecordsRequest.builder().records(entries);
    if (streamArn != null) {
      rb.streamARN(streamArn);
    } else {
      rb.streamName(streamName);
    }
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
      call = client.putRecords(rb.build());
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
    handleFailure(attempt, new TimeoutException(
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
    ScheduledFuture<?> t = attempt.timeoutTask;
    if (t != null) {
      t.cancel(false);
    }
    if (error != null || response == null) {
      handleFailure(attempt, error != null ? error : new IllegalStateException("null response"));
    } else {
      handleResponse(attempt, response);
    }
  }

  private void handleResponse(Attempt attempt, PutRecordsResponse response) {
    window.release();
    inFlight = window.inFlight();
    if (!attempt.overdue) {
      window.onSuccess();
    }
    Request req = attempt.request;
    Operation op = req.op;
    Duration elapsed = Duration.between(attempt.start, clock.instant());
    List<PutRecordsResultEntry> results = response.records();
    if (results.size() != req.indexes.length) {
      metrics.request(req.indexes.length, attempt.bytes, elapsed, "error", ErrorClassification.OTHER);
      String msg = "PutRecords response has " + results.size() + " entries for " + req.indexes.length + " sent";
      LOG.warn("{}{}; treating the request as failed", logPrefix, msg);
      retryOrFail(op, req.indexes, req.previousDelay, true, ErrorClassification.OTHER,
          ErrorClassification.OTHER, msg, null);
      dispatch();
      return;
    }
    int failedCount = 0;
    int acknowledged = 0;
    List<Integer> retry = new ArrayList<>();
    for (int j = 0; j < results.size(); j++) {
      PutRecordsResultEntry e = results.get(j);
      int i = req.indexes[j];
      if (e.errorCode() == null && e.sequenceNumber() != null && e.shardId() != null) {
        finishAcknowledged(op, i, e.sequenceNumber(), e.shardId());
        acknowledged++;
        continue;
      }
      failedCount++;
      String code = e.errorCode() == null ? ErrorClassification.OTHER : e.errorCode();
      String message = e.errorMessage() == null ? "" : e.errorMessage();
      ErrorClassification c = classifier.classifyEntry(code);
      op.lastCode[i] = code;
      op.lastMessage[i] = message;
      op.lastMetricCode[i] = c.metricCode();
      op.lastCause[i] = null;
      if (!c.retriable()) {
        finishFailed(op, i, FailureReason.NOT_RETRIABLE);
      } else if (op.attempts[i] >= policy.maxAttempts()) {
        finishFailed(op, i, FailureReason.RETRIES_EXHAUSTED);
      } else {
        retry.add(i);
      }
    }
    metrics.request(req.indexes.length, attempt.bytes, elapsed, failedCount == 0 ? "success" : "partial",
        WriterMetrics.NO_ERROR);
    budget.onAcknowledged(acknowledged);
    if (!retry.isEmpty()) {
      scheduleRetry(op, toArray(retry), req.previousDelay);
    }
    dispatch();
  }

  private void handleFailure(Attempt attempt, Throwable error) {
    Request req = attempt.request;
    Throwable cause = DefaultErrorClassifier.unwrap(error);
    ErrorClassification c = classifier.classifyFailure(cause);
    Duration ran = Duration.between(attempt.start, clock.instant());
    if (!attempt.overdue && CongestionWindow.isCongestion(c.metricCode())) {
      window.onCongestion(attempt.epoch);
      if (CongestionWindow.isTimeout(c.metricCode())) {
        // The client gave up on it (the SDK's own timeout), the service may not have: hold its slot for
        // as long again as it ran.
        holdSlot(ran);
      } else {
        window.release();
      }
    } else {
      window.release();
    }
    inFlight = window.inFlight();
    String code = c.metricCode();
    if (cause instanceof AwsServiceException aws && aws.awsErrorDetails() != null
        && aws.awsErrorDetails().errorCode() != null) {
      code = aws.awsErrorDetails().errorCode();
    }
    String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    metrics.request(req.indexes.length, attempt.bytes, Duration.between(attempt.start, clock.instant()),
        "error", c.metricCode());
    if (LOG.isDebugEnabled()) {
      LOG.debug("{}request of {} entries failed ({}, retriable={})", logPrefix, req.indexes.length, code,
          c.retriable());
    }
    retryOrFail(req.op, req.indexes, req.previousDelay, c.retriable(), code, c.metricCode(), message, cause);
    dispatch();
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

  private void retryOrFail(Operation op, int[] indexes, Duration previousDelay, boolean retriable, String code,
      String metricCode, String message, @Nullable Throwable cause) {
    List<Integer> retry = new ArrayList<>(indexes.length);
    for (int i : indexes) {
      op.lastCode[i] = code;
      op.lastMessage[i] = message;
      op.lastMetricCode[i] = metricCode;
      op.lastCause[i] = cause;
      if (!retriable) {
        finishFailed(op, i, FailureReason.NOT_RETRIABLE);
      } else if (op.attempts[i] >= policy.maxAttempts()) {
        finishFailed(op, i, FailureReason.RETRIES_EXHAUSTED);
      } else {
        retry.add(i);
      }
    }
    if (!retry.isEmpty()) {
      scheduleRetry(op, toArray(retry), previousDelay);
    }
  }

  private void scheduleRetry(Operation op, int[] indexes, Duration previousDelay) {
    int attempt = 0;
    for (int i : indexes) {
      attempt = Math.max(attempt, op.attempts[i]);
    }
    Duration delay = backoff.computeDelay(attempt, previousDelay);
    Instant now = clock.instant();
    if (!now.plus(delay).isBefore(op.deadline)) {
      failAll(op, indexes, FailureReason.DEADLINE_EXCEEDED, null);
      return;
    }
    for (int i : indexes) {
      metrics.retried(op.lastMetricCode[i], op.lastMessage[i]);
    }
    if (LOG.isDebugEnabled()) {
      LOG.debug("{}retrying {} entries after {} (attempt {} failed)", logPrefix, indexes.length, delay, attempt);
    }
    try {
      scheduler.schedule(() -> serial.execute(() -> requeue(op, indexes, delay)),
          delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      for (int i : indexes) {
        op.lastMessage[i] = "retry could not be scheduled (scheduler shut down); last error: " + op.lastMessage[i];
        finishFailed(op, i, FailureReason.NOT_RETRIABLE);
      }
    }
  }

  private void requeue(Operation op, int[] indexes, Duration delay) {
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

  private void failAll(Operation op, int[] indexes, FailureReason reason, @Nullable String message) {
    for (int i : indexes) {
      if (op.lastCode[i] == null) {
        op.lastCode[i] = DEADLINE_CODE;
        op.lastMetricCode[i] = DEADLINE_CODE;
        op.lastMessage[i] = message != null ? message
            : "deadline of " + policy.deadline() + " passed before the record could be sent";
      }
      finishFailed(op, i, reason);
    }
  }

  private void finishAcknowledged(Operation op, int i, String sequenceNumber, String shardId) {
    metrics.acknowledged(shardId, op.attempts[i]);
    complete(op, i, new RecordResult.Acknowledged(op.records[i], sequenceNumber, shardId, op.attempts[i]));
  }

  private void finishFailed(Operation op, int i, FailureReason reason) {
    String code = op.lastCode[i] == null ? DEADLINE_CODE : op.lastCode[i];
    String message = op.lastMessage[i] == null ? "" : op.lastMessage[i];
    finish(op, i, new RecordResult.Failed(op.records[i], reason, code, message, op.attempts[i], op.lastCause[i]),
        op.lastMetricCode[i] == null ? code : op.lastMetricCode[i]);
  }

  private void finish(Operation op, int i, RecordResult.Failed result, String metricCode) {
    metrics.failed(result.reason(), metricCode, result.attempts());
    complete(op, i, result);
  }

  private void complete(Operation op, int i, RecordResult result) {
    if (op.results[i] != null) {
      LOG.error("{}record {} already has a result; ignoring a second one (bug)", logPrefix, i);
      return;
    }
    op.results[i] = result;
    if (--op.remaining > 0) {
      return;
    }
    activeOperations--;
    BatchWriteResult all = new BatchWriteResult(Arrays.asList(op.results));
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

  /** One write call's state. */
  private static final class Operation {
    final KinesisRecord[] records;
    final RecordResult[] results;
    final int[] attempts;
    final String[] lastCode;
    final String[] lastMetricCode;
    final String[] lastMessage;
    final Throwable[] lastCause;
    final Instant deadline;
    final CompletableFuture<BatchWriteResult> future = new CompletableFuture<>();
    int remaining;

    Operation(KinesisRecord[] records, Instant start, Instant deadline) {
      this.records = records;
      int n = records.length;
      this.results = new RecordResult[n];
      this.attempts = new int[n];
      this.lastCode = new String[n];
      this.lastMetricCode = new String[n];
      this.lastMessage = new String[n];
      this.lastCause = new Throwable[n];
      this.deadline = deadline;
      this.remaining = n;
    }
  }

  /** A planned request: indexes into its operation's records; {@code retry} when they were sent before. */
  private record Request(Operation op, int[] indexes, Duration previousDelay, boolean retry) {}

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
