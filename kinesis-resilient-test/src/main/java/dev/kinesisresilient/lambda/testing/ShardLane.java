package dev.kinesisresilient.lambda.testing;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.KinesisTimeWindowEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.amazonaws.services.lambda.runtime.events.TimeWindowEventResponse;
import dev.kinesisresilient.core.BackoffStrategy;
import dev.kinesisresilient.lambda.testing.EsmSimulator.BisectRetryCounting;
import dev.kinesisresilient.lambda.testing.EsmSimulator.PartialRetry;
import dev.kinesisresilient.lambda.internal.Json;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One lane of a shard ({@code hash(partitionKey) mod ParallelizationFactor}) in the {@link EsmSimulator}:
 * its pending records and batching window, its invocations, and its bisect/retry bookkeeping (the batch
 * being retried, the halves of a split, the attempt counter, the retry delay, discards). Not thread-safe.
 */
final class ShardLane {
  private final LaneContext ctx;
  private final EventSourceMappingConfig mapping;
  private final Clock clock;
  private final @Nullable TumblingWindows windows;
  private final @Nullable BackoffStrategy retryBackoff;
  private final SimulatorTrace trace;
  private final InvocationCounters counters;
  private final String shardId;
  private final int index;
  private final Deque<SimRecord> pending = new ArrayDeque<>();
  private final Deque<List<SimRecord>> halves = new ArrayDeque<>();
  private @Nullable List<SimRecord> current;
  private int attempts;
  private int invokeCount;
  private Instant notBefore = Instant.MIN;
  private @Nullable Instant windowStart;
  private final TumblingWindows.Track window = new TumblingWindows.Track();

  ShardLane(LaneContext ctx, String shardId, int index) {
    this.ctx = ctx;
    this.mapping = ctx.mapping();
    this.clock = ctx.clock();
    this.windows = ctx.windows();
    this.retryBackoff = ctx.retryBackoff();
    this.trace = ctx.trace();
    this.counters = ctx.counters();
    this.shardId = shardId;
    this.index = index;
  }

  void add(SimRecord r) {
    if (pending.isEmpty() && windowStart == null) {
      windowStart = clock.instant();
    }
    pending.addLast(r);
  }

  @Nullable Instant dueAt() {
    Instant finalDue = finalDueAt();
    if (finalDue != null) {
      return finalDue.isAfter(notBefore) ? finalDue : notBefore;
    }
    if (current != null || !halves.isEmpty()) {
      return notBefore;
    }
    if (!pending.isEmpty()) {
      Instant w = windowStart == null ? clock.instant() : windowStart.plus(mapping.maximumBatchingWindow());
      return w.isAfter(notBefore) ? w : notBefore;
    }
    return null;
  }

  boolean tryInvoke() {
    Instant now = clock.instant();
    if (now.isBefore(notBefore)) {
      return false;
    }
    if (finalDueAt() != null && !now.isBefore(Objects.requireNonNull(finalDueAt()))) {
      return invokeFinal();
    }
    if (current == null) {
      if (!halves.isEmpty()) {
        current = halves.pop();
      } else if (!pending.isEmpty()) {
        if (!ready(now)) {
          return false;
        }
        current = take();
        windowStart = pending.isEmpty() ? null : now;
      } else {
        return false;
      }
    }
    List<SimRecord> batch = Objects.requireNonNull(current);
    if (mapping.maximumRecordAgeInSeconds() != -1) {
      Instant oldest = now.minusSeconds(mapping.maximumRecordAgeInSeconds());
      List<SimRecord> expired = new ArrayList<>();
      List<SimRecord> fresh = new ArrayList<>();
      for (SimRecord r : batch) {
        (r.arrival().isBefore(oldest) ? expired : fresh).add(r);
      }
      if (!expired.isEmpty()) {
        discard(expired, "RecordAgeExceeded", null, false);
        if (fresh.isEmpty()) {
          current = null;
          attempts = 0;
          invokeCount = 0;
          return true;
        }
        current = fresh;
        batch = fresh;
      }
    }
    counters.countInvocation();
    List<String> seqs = batch.stream().map(SimRecord::sequenceNumber).toList();
    if (counters.takeThrottle()) {
      trace.invocation(new SimulatorTrace.Invocation(counters.invocations(), shardId, index, seqs, attempts,
          SimulatorTrace.Outcome.THROTTLED, null));
      return true;
    }
    KinesisEvent event = SimRecord.event(batch, ctx.streamArn(), ctx.region());
    if (windows != null) {
      windows.opening(window, batch.get(0).arrival());
      event = windows.event(window, event, shardId, ctx.streamArn(), false);
    }
    String requestId = counters.nextRequestId();
    FakeLambdaContext context = FakeLambdaContext.builder().clock(clock).timeout(ctx.functionTimeout())
        .requestId(requestId).functionName(ctx.functionName()).region(ctx.region()).build();
    Object out = null;
    boolean threw = false;
    try {
      out = ctx.handler().handleRequest(event, context);
    } catch (RuntimeException | Error e) {
      threw = true;
    }
    invokeCount++;
    boolean timedOut = clock.instant().isAfter(context.deadline());
    if (threw || timedOut) {
      record(seqs, timedOut ? SimulatorTrace.Outcome.TIMEOUT : SimulatorTrace.Outcome.FUNCTION_ERROR, null);
      functionError("Unhandled");
      return true;
    }
    Map<String, String> state = windows == null ? null : TumblingWindows.stateOf(body(out));
    if (windows != null && state == null) {
      // AWS: "If the response does not contain a state property, Lambda considers this a failed invocation."
      record(seqs, SimulatorTrace.Outcome.INVALID_RESPONSE, null);
      functionError("Unhandled");
      return true;
    }
    if (!mapping.reportBatchItemFailures()) {
      record(seqs, SimulatorTrace.Outcome.SUCCESS, null);
      acceptState(state);
      succeed();
      return true;
    }
    Set<String> ids = new HashSet<>(seqs);
    ResponseRules.Verdict v = ResponseRules.validate(body(out), ids, ctx.requireReportedIdInBatch(),
        ctx.unparsableResponseIsSuccess());
    if (v instanceof ResponseRules.Success) {
      record(seqs, SimulatorTrace.Outcome.SUCCESS, null);
      acceptState(state);
      succeed();
    } else if (v instanceof ResponseRules.Invalid) {
      record(seqs, SimulatorTrace.Outcome.INVALID_RESPONSE, null);
      functionError(null);
    } else {
      BigInteger lowest = ((ResponseRules.Partial) v).lowest();
      record(seqs, SimulatorTrace.Outcome.PARTIAL_FAILURE, lowest.toString());
      acceptState(state);
      partial(lowest);
    }
    return true;
  }

  private @Nullable Instant finalDueAt() {
    if (windows == null) {
      return null;
    }
    return windows.finalDueAt(window, pending.isEmpty() ? null : pending.peekFirst().arrival(),
        current != null || !halves.isEmpty(), clock.instant());
  }

  private void acceptState(@Nullable Map<String, String> state) {
    if (windows != null && state != null) {
      windows.accept(window, state);
    }
  }

  /** The window's final invocation: no records, isFinalInvokeForWindow; retried until it succeeds. */
  private boolean invokeFinal() {
    TumblingWindows w = Objects.requireNonNull(windows);
    counters.countInvocation();
    if (counters.takeThrottle()) {
      trace.invocation(new SimulatorTrace.Invocation(counters.invocations(), shardId, index, List.of(), 0,
          SimulatorTrace.Outcome.THROTTLED, null));
      return true;
    }
    KinesisEvent empty = new KinesisEvent();
    empty.setRecords(new ArrayList<>());
    KinesisTimeWindowEvent event = w.event(window, empty, shardId, ctx.streamArn(), true);
    String requestId = counters.nextRequestId();
    FakeLambdaContext context = FakeLambdaContext.builder().clock(clock).timeout(ctx.functionTimeout())
        .requestId(requestId).functionName(ctx.functionName()).region(ctx.region()).build();
    Object out = null;
    boolean threw = false;
    try {
      out = ctx.handler().handleRequest(event, context);
    } catch (RuntimeException | Error e) {
      threw = true;
    }
    boolean timedOut = clock.instant().isAfter(context.deadline());
    SimulatorTrace.Outcome outcome = threw ? SimulatorTrace.Outcome.FUNCTION_ERROR
        : timedOut ? SimulatorTrace.Outcome.TIMEOUT
        : TumblingWindows.stateOf(body(out)) == null ? SimulatorTrace.Outcome.INVALID_RESPONSE
        : SimulatorTrace.Outcome.SUCCESS;
    trace.invocation(new SimulatorTrace.Invocation(counters.invocations(), shardId, index, List.of(), 0, outcome,
        null));
    if (outcome == SimulatorTrace.Outcome.SUCCESS) {
      w.finalSucceeded(window);
    } else if (retryBackoff != null) {
      notBefore = clock.instant().plus(retryBackoff.computeDelay(1, Duration.ZERO));
    }
    return true;
  }

  private void record(List<String> seqs, SimulatorTrace.Outcome outcome, @Nullable String reported) {
    trace.invocation(new SimulatorTrace.Invocation(counters.invocations(), shardId, index, seqs, attempts,
        outcome, reported));
  }

  private boolean ready(Instant now) {
    if (mapping.maximumBatchingWindow().isZero() || pending.size() >= mapping.batchSize()) {
      return true;
    }
    if (windowStart != null && !now.isBefore(windowStart.plus(mapping.maximumBatchingWindow()))) {
      return true;
    }
    long bytes = 20;
    for (SimRecord r : pending) {
      bytes += r.jsonBytes();
      if (bytes > EsmSimulator.MAX_PAYLOAD_BYTES) {
        return true;
      }
    }
    return false;
  }

  private List<SimRecord> take() {
    List<SimRecord> batch = new ArrayList<>();
    long bytes = 20;
    while (!pending.isEmpty() && batch.size() < mapping.batchSize()) {
      SimRecord next = pending.peekFirst();
      if (!batch.isEmpty() && bytes + next.jsonBytes() > EsmSimulator.MAX_PAYLOAD_BYTES) {
        break;
      }
      if (windows != null && !batch.isEmpty() && !windows.sameWindow(batch.get(0).arrival(), next.arrival())) {
        break; // a batch belongs to one tumbling window
      }
      bytes += next.jsonBytes();
      batch.add(pending.pollFirst());
    }
    return batch;
  }

  private void succeed() {
    List<SimRecord> batch = Objects.requireNonNull(current);
    current = null;
    if (counters.takeLostCheckpoint()) {
      for (int i = batch.size() - 1; i >= 0; i--) {
        pending.addFirst(batch.get(i));
      }
      return;
    }
    trace.checkpoint(shardId, index, SimRecord.seqsOf(batch), true);
    attempts = 0;
    invokeCount = 0;
  }

  private void functionError(@Nullable String functionError) {
    List<SimRecord> batch = Objects.requireNonNull(current);
    if (mapping.bisectBatchOnFunctionError() && batch.size() > 1
        && (ctx.bisectRetryCounting() == BisectRetryCounting.SPLIT_USES_NO_ATTEMPT || attemptsLeft())) {
      if (ctx.bisectRetryCounting() == BisectRetryCounting.SPLIT_USES_ATTEMPT) {
        attempts++;
      }
      int mid = batch.size() / 2;
      halves.push(new ArrayList<>(batch.subList(mid, batch.size())));
      halves.push(new ArrayList<>(batch.subList(0, mid)));
      current = null;
      return;
    }
    attempts++;
    if (mapping.maximumRetryAttempts() != -1 && attempts > mapping.maximumRetryAttempts()) {
      discard(batch, "RetryAttemptsExhausted", functionError, true);
      current = null;
      attempts = 0;
      invokeCount = 0;
      return;
    }
    delay();
  }

  /** Whether one more failed invocation leaves the counter within MaximumRetryAttempts. */
  private boolean attemptsLeft() {
    return mapping.maximumRetryAttempts() == -1 || attempts + 1 <= mapping.maximumRetryAttempts();
  }

  private void partial(BigInteger lowest) {
    List<SimRecord> batch = Objects.requireNonNull(current);
    List<SimRecord> done = new ArrayList<>();
    List<SimRecord> rest = new ArrayList<>();
    for (SimRecord r : batch) {
      (r.seq().compareTo(lowest) < 0 ? done : rest).add(r);
    }
    trace.checkpoint(shardId, index, SimRecord.seqsOf(done), true);
    if (rest.isEmpty()) {
      current = null;
      attempts = 0;
      invokeCount = 0;
      return;
    }
    attempts++;
    if (mapping.maximumRetryAttempts() != -1 && attempts > mapping.maximumRetryAttempts()) {
      discard(rest, "RetryAttemptsExhausted", null, true);
      current = null;
      attempts = 0;
      invokeCount = 0;
      return;
    }
    if (mapping.bisectBatchOnFunctionError() || ctx.partialRetry() == PartialRetry.EXACT_REMAINDER) {
      current = rest;
    } else {
      current = null;
      for (int i = rest.size() - 1; i >= 0; i--) {
        pending.addFirst(rest.get(i));
      }
    }
    delay();
  }

  private void delay() {
    if (retryBackoff != null) {
      notBefore = clock.instant().plus(retryBackoff.computeDelay(Math.max(1, attempts), Duration.ZERO));
    }
  }

  private void discard(List<SimRecord> records, String condition, @Nullable String functionError,
      boolean withResponse) {
    trace.discarded(SimRecord.seqsOf(records));
    trace.checkpoint(shardId, index, SimRecord.seqsOf(records), false);
    ctx.onFailure().add(ctx, shardId, records, condition, functionError, withResponse, invokeCount);
  }

  /** The handler's return value as the JSON the runtime would send back, or null. */
  private static @Nullable String body(@Nullable Object out) {
    if (out == null) {
      return null;
    }
    if (out instanceof StreamsEventResponse r) {
      return KinesisEvents.toJson(r);
    }
    if (out instanceof TimeWindowEventResponse r) {
      return TimeWindowEvents.toJson(r);
    }
    return Json.write(out);
  }
}
