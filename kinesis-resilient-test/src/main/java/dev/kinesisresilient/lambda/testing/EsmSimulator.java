package dev.kinesisresilient.lambda.testing;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.KinesisTimeWindowEvent;
import com.amazonaws.services.lambda.runtime.events.TimeWindowEventResponse;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import dev.kinesisresilient.core.BackoffStrategy;
import dev.kinesisresilient.core.StreamNames;
import dev.kinesisresilient.core.testing.ManualClock;
import dev.kinesisresilient.lambda.Sleeper;
import dev.kinesisresilient.lambda.internal.Json;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.GetShardIteratorRequest;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/**
 * A local Kinesis event source mapping: reads a stream through any {@link KinesisAsyncClient} (the
 * core's {@code FakeKinesisAsyncClient}, kinesis-mock, LocalStack or AWS) and invokes a Lambda
 * handler with the mapping's semantics, recording a {@link SimulatorTrace} for assertions.
 *
 * <p>Reproduced (see docs/lambda.md and the project's ESM contract): batches of consecutive records of
 * one shard (BatchSize, batching window, the 6 MB payload cap); ParallelizationFactor as lanes per
 * shard ({@code hash(partitionKey) mod PF}, each with its own checkpoint and retry state: an
 * assumption, AWS does not document its scheme), so a key stays in order; MaximumRecordAgeInSeconds
 * checked before every attempt; function errors (a throw, or running past the function timeout on
 * the simulator's clock) with BisectBatchOnFunctionError (a split uses no attempt, as AWS documents;
 * see {@link BisectRetryCounting}) or the retry counter; MaximumRetryAttempts N meaning N+1 invocations; partial batch responses only
 * when ReportBatchItemFailures is on, with the response validation rules (an identifier must be a
 * sequence number of the batch; the lowest one is where the batch resumes; a partial failure counts
 * as an attempt); on-failure destination records in the documented JSON; FilterCriteria on JSON data
 * (a basic subset, see {@link FilterPattern}); throttled invocations that use no attempt.
 *
 * <p>Assumptions where AWS documents nothing, each a builder option: the delay between retries
 * (default none), what a partial failure retries without bisect ({@link PartialRetry}), and whether
 * the retry counter survives progress (it does: it is reset only by a full success or a discard),
 * whether a well-formed sequence number that is not in the batch fails it (it does, {@link
 * Builder#requireReportedIdInBatch}), and the {@code approximateInvokeCount} of a RecordAgeExceeded
 * record (deliveries so far plus one: AWS's recording for never-delivered records says 1).
 * Not modelled: resharding (child shards are not followed), enhanced fan-out, real concurrency (lanes
 * are invoked in turn on the caller's thread).
 *
 * <p>Tumbling windows ({@code TumblingWindowInSeconds} > 0): the handler gets a {@code
 * KinesisTimeWindowEvent} (use {@link #windowedBuilder}) with the window, the state the previous
 * invocation of the window returned, and the flags; a response without {@code state} fails the
 * invocation; a final invocation ends each window, retried until it succeeds; a state over 1 MB ends the
 * window early. The rules and the assumptions made where AWS documents nothing are in the package's
 * {@code TumblingWindows} model and docs/lambda.md; ParallelizationFactor > 1 with windows is rejected.
 *
 * <p>KPL aggregates are delivered unopened, as Lambda does: one record with the aggregate's sequence
 * number, partition key and bytes; lanes and filters see only those. AWS filters aggregated records
 * only for an enhanced fan-out consumer and does not support it with the standard iterator the
 * simulator models (https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis-filtering.html,
 * "Filtering Kinesis aggregated records"); here a {@code data} pattern never matches an aggregate,
 * whose bytes are not JSON. Opening them is the handler's job, which {@code KinesisBatchProcessor}
 * does by default.
 *
 * <p>Time: everything is measured on the injected clock. With a {@link ManualClock}, waits (batching
 * window, retry delay) advance it, so a test never sleeps; a handler can advance it to play a slow
 * record. Not thread-safe: drive it from one thread.
 *
 * <pre>{@code
 * EsmSimulator esm = EsmSimulator.builder(kinesis, "orders", handler)
 *     .mapping(EventSourceMappingConfig.recommended().batchSize(100).build())
 *     .clock(clock).functionTimeout(Duration.ofSeconds(30)).build();
 * esm.runUntilIdle();
 * assertThat(esm.trace().redelivered()).isEmpty();
 * }</pre>
 *
 * @since 0.1.0
 */
public final class EsmSimulator {

  /** Lambda's synchronous invocation payload limit, 6 MB. */
  public static final long MAX_PAYLOAD_BYTES = 6L * 1024 * 1024;

  /**
   * What is retried after a partial batch failure when bisect is off (AWS does not document it).
   *
   * @since 0.1.0
   */
  public enum PartialRetry {
    /** Re-read from the reported record: the next batch starts there and fills up to BatchSize. */
    REPOLL,
    /** Retry exactly the records from the reported one to the end of the failed batch. */
    EXACT_REMAINDER
  }

  /**
   * Whether a function error that makes the mapping split the batch (BisectBatchOnFunctionError)
   * uses a retry attempt. AWS documents that it does not: splitting a batch does not count towards
   * the retry quota (https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html,
   * and the error-handling section of https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html).
   * The other mode lets a test check that a design also holds if it did.
   *
   * @since 0.1.0
   */
  public enum BisectRetryCounting {
    /** As documented: a failed invocation that is split uses no attempt; the halves inherit the count. */
    SPLIT_USES_NO_ATTEMPT,
    /**
     * Every failed invocation uses an attempt, also one that is then split; the halves inherit the
     * count, and a batch whose attempts are exhausted is discarded instead of split.
     */
    SPLIT_USES_ATTEMPT
  }

  private static final DateTimeFormatter ISO_MILLIS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final long SNS_MAX_BYTES = 256 * 1024;

  private final KinesisAsyncClient client;
  private final String streamName;
  private final RequestHandler<KinesisEvent, ?> handler;
  private final EventSourceMappingConfig mapping;
  private final Clock clock;
  private final Sleeper sleeper;
  private final Duration functionTimeout;
  private final String functionName;
  private final @Nullable BackoffStrategy retryBackoff;
  private final PartialRetry partialRetry;
  private final BisectRetryCounting bisectRetryCounting;
  private final boolean requireReportedIdInBatch;
  private final boolean unparsableResponseIsSuccess;
  private final int maxInvocations;
  private final @Nullable TumblingWindows windows;

  private final SimulatorTrace trace = new SimulatorTrace();
  private final List<String> onFailureRecords = new ArrayList<>();
  private final List<ShardReader> shards = new ArrayList<>();
  private @Nullable String streamArn;
  private String region = KinesisEvents.DEFAULT_REGION;
  private String account = KinesisEvents.DEFAULT_ACCOUNT_ID;
  private int invocationCount;
  private int requestCounter;
  private int throttles;
  private boolean loseNextCheckpoint;

  private EsmSimulator(Builder b) {
    this.client = b.client;
    this.streamName = b.streamName;
    this.handler = b.handler;
    this.mapping = b.mapping;
    this.clock = b.clock;
    this.sleeper = b.sleeper != null ? b.sleeper
        : b.clock instanceof ManualClock mc ? d -> mc.advance(d) : Sleeper.system();
    this.functionTimeout = b.functionTimeout;
    this.functionName = b.functionName;
    this.retryBackoff = b.retryBackoff;
    this.partialRetry = b.partialRetry;
    this.bisectRetryCounting = b.bisectRetryCounting;
    this.requireReportedIdInBatch = b.requireReportedIdInBatch;
    this.unparsableResponseIsSuccess = b.unparsableResponseIsSuccess;
    this.maxInvocations = b.maxInvocations;
    if (mapping.tumblingWindowInSeconds() != 0 && mapping.parallelizationFactor() > 1) {
      throw new UnsupportedOperationException("the simulator does not model tumbling windows with "
          + "ParallelizationFactor > 1");
    }
    this.windows = mapping.tumblingWindowInSeconds() == 0 ? null
        : new TumblingWindows(mapping.tumblingWindowInSeconds(), b.maxWindowStateBytes);
  }

  /**
   * A builder for a simulator of one mapping from a stream to a handler.
   *
   * @param client the Kinesis client to read with; owned by the caller
   * @param streamName the stream; 1..128 characters of {@code [a-zA-Z0-9_.-]} ({@link StreamNames})
   * @param handler the function's handler; it may return a {@link StreamsEventResponse}, a {@code
   *     Map}/{@code List} (serialized as JSON, for raw responses), a {@code String} (serialized as a
   *     JSON string, as the Java runtime does) or null
   * @return a new builder
   * @throws IllegalArgumentException when {@code streamName} breaks that rule
   */
  public static Builder builder(KinesisAsyncClient client, String streamName, RequestHandler<KinesisEvent, ?> handler) {
    return new Builder(client, streamName, handler);
  }

  /**
   * A builder for a simulator of a mapping with a tumbling window ({@code TumblingWindowInSeconds} >
   * 0 in the {@link Builder#mapping mapping}) to a handler of {@code KinesisTimeWindowEvent}s.
   *
   * @param client the Kinesis client to read with; owned by the caller
   * @param streamName the stream
   * @param handler the function's handler; it may return a {@link TimeWindowEventResponse}, a {@code
   *     Map} (serialized as JSON) or null (a failed invocation: no state)
   * @return a new builder
   */
  public static Builder windowedBuilder(KinesisAsyncClient client, String streamName,
      RequestHandler<KinesisTimeWindowEvent, ?> handler) {
    Objects.requireNonNull(handler, "handler");
    RequestHandler<KinesisEvent, ?> adapted = (event, context) -> {
      if (!(event instanceof KinesisTimeWindowEvent w)) {
        throw new IllegalStateException("windowedBuilder needs a mapping with TumblingWindowInSeconds > 0");
      }
      return handler.handleRequest(w, context);
    };
    return new Builder(client, streamName, adapted);
  }

  /**
   * Reads and invokes until every shard is idle: no record is left to deliver or retry. Waits for
   * batching windows and retry delays with the sleeper (on a manual clock: by advancing it).
   *
   * @return the number of invocation attempts made (throttled ones included)
   * @throws IllegalStateException when more than {@code maxInvocations} attempts were needed (a shard
   *     stuck behind a record that always fails, with infinite retries)
   */
  public int runUntilIdle() {
    int start = invocationCount;
    while (true) {
      if (step()) {
        continue;
      }
      Instant now = clock.instant();
      Instant due = null;
      for (ShardReader sr : shards) {
        for (Lane lane : sr.lanes) {
          Instant d = lane.dueAt();
          if (d != null && (due == null || d.isBefore(due))) {
            due = d;
          }
        }
      }
      if (due == null) {
        return invocationCount - start;
      }
      Duration wait = Duration.between(now, due);
      try {
        sleeper.sleep(wait.isNegative() ? Duration.ZERO : wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while simulating", e);
      }
      if (!clock.instant().isAfter(now) && !wait.isNegative() && !wait.isZero()) {
        throw new IllegalStateException("the clock did not move while waiting " + wait);
      }
    }
  }

  /**
   * One round: reads new records from every shard, then gives every lane that is ready one
   * invocation attempt.
   *
   * @return whether anything was invoked
   * @throws IllegalStateException when {@code maxInvocations} is exceeded
   */
  public boolean step() {
    ensureStarted();
    for (ShardReader sr : shards) {
      sr.fetch();
    }
    boolean did = false;
    for (ShardReader sr : shards) {
      for (Lane lane : sr.lanes) {
        if (lane.tryInvoke()) {
          did = true;
          if (invocationCount > maxInvocations) {
            throw new IllegalStateException("more than " + maxInvocations + " invocations: a shard seems stuck ("
                + trace + ")");
          }
        }
      }
    }
    return did;
  }

  /**
   * The trace so far.
   *
   * @return the live trace (read it from the driving thread)
   */
  public SimulatorTrace trace() {
    return trace;
  }

  /**
   * The records sent to the on-failure destination, as JSON documents, in order.
   *
   * @return a copy; empty when the destination type is NONE
   */
  public List<String> onFailureRecords() {
    return List.copyOf(onFailureRecords);
  }

  /**
   * Makes the next {@code n} invocation attempts throttled: the function does not run and no retry
   * attempt is used.
   *
   * @param n how many, at least 1
   */
  public void throttleNextInvocations(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("n must be at least 1, was " + n);
    }
    throttles += n;
  }

  /**
   * Makes the next successful batch be delivered again, as when a checkpoint is lost: the
   * at-least-once case handlers must tolerate.
   */
  public void loseNextCheckpoint() {
    loseNextCheckpoint = true;
  }

  /**
   * The stream's ARN, once the simulator has started.
   *
   * @return the ARN, or null before the first step
   */
  public @Nullable String streamArn() {
    return streamArn;
  }

  private void ensureStarted() {
    if (streamArn != null) {
      return;
    }
    String arn = client.describeStreamSummary(b -> b.streamName(streamName)).join()
        .streamDescriptionSummary().streamARN();
    String[] parts = arn.split(":");
    if (parts.length > 4) {
      region = parts[3];
      account = parts[4];
    }
    List<Shard> all = new ArrayList<>();
    String token = null;
    do {
      String t = token;
      ListShardsResponse r = client.listShards(b -> {
        if (t == null) {
          b.streamName(streamName);
        } else {
          b.nextToken(t);
        }
      }).join();
      all.addAll(r.shards());
      token = r.nextToken();
    } while (token != null);
    for (Shard s : all) {
      GetShardIteratorRequest.Builder req = GetShardIteratorRequest.builder().streamName(streamName)
          .shardId(s.shardId());
      switch (mapping.startingPosition()) {
        case LATEST -> req.shardIteratorType(ShardIteratorType.LATEST);
        case TRIM_HORIZON -> req.shardIteratorType(ShardIteratorType.TRIM_HORIZON);
        case AT_TIMESTAMP -> req.shardIteratorType(ShardIteratorType.AT_TIMESTAMP)
            .timestamp(mapping.startingPositionTimestamp());
        default -> throw new IllegalStateException();
      }
      String iterator = client.getShardIterator(req.build()).join().shardIterator();
      shards.add(new ShardReader(s.shardId(), iterator));
    }
    streamArn = arn;
  }

  private record SimRecord(String shardId, String sequenceNumber, BigInteger seq, String partitionKey,
      byte[] data, Instant arrival, long jsonBytes) {}

  private final class ShardReader {
    final String shardId;
    @Nullable String iterator;
    final List<Lane> lanes = new ArrayList<>();

    ShardReader(String shardId, String iterator) {
      this.shardId = shardId;
      this.iterator = iterator;
      for (int i = 0; i < mapping.parallelizationFactor(); i++) {
        lanes.add(new Lane(this, i));
      }
    }

    void fetch() {
      for (int calls = 0; calls < 1000 && iterator != null; calls++) {
        String it = iterator;
        GetRecordsResponse r = client.getRecords(b -> b.shardIterator(it).limit(10_000)).join();
        iterator = r.nextShardIterator();
        for (Record rec : r.records()) {
          accept(rec);
        }
        if (r.records().isEmpty() || (r.millisBehindLatest() != null && r.millisBehindLatest() == 0)) {
          break;
        }
      }
    }

    private void accept(Record rec) {
      byte[] data = rec.data().asByteArray();
      if (!mapping.filters().isEmpty() && mapping.filters().stream().noneMatch(f -> f.matches(data))) {
        trace.filtered(rec.sequenceNumber());
        return;
      }
      Instant arrival = rec.approximateArrivalTimestamp().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
      long json = Json.write(KinesisEvents.recordMap(KinesisEvents.record(streamArnOrEmpty(), region, shardId,
          rec.sequenceNumber(), rec.partitionKey(), data, arrival))).length() + 1;
      SimRecord sr = new SimRecord(shardId, rec.sequenceNumber(), new BigInteger(rec.sequenceNumber()),
          rec.partitionKey(), data, arrival, json);
      int lane = mapping.parallelizationFactor() == 1 ? 0
          : Math.floorMod(rec.partitionKey().hashCode(), mapping.parallelizationFactor());
      lanes.get(lane).add(sr);
    }
  }

  private String streamArnOrEmpty() {
    return streamArn == null ? "" : streamArn;
  }

  private final class Lane {
    final ShardReader shard;
    final int index;
    final Deque<SimRecord> pending = new ArrayDeque<>();
    final Deque<List<SimRecord>> halves = new ArrayDeque<>();
    @Nullable List<SimRecord> current;
    int attempts;
    int invokeCount;
    Instant notBefore = Instant.MIN;
    @Nullable Instant windowStart;
    final TumblingWindows.Track window = new TumblingWindows.Track();

    Lane(ShardReader shard, int index) {
      this.shard = shard;
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
      invocationCount++;
      List<String> seqs = batch.stream().map(SimRecord::sequenceNumber).toList();
      if (throttles > 0) {
        throttles--;
        trace.invocation(new SimulatorTrace.Invocation(invocationCount, shard.shardId, index, seqs, attempts,
            SimulatorTrace.Outcome.THROTTLED, null));
        return true;
      }
      KinesisEvent event = event(batch);
      if (windows != null) {
        windows.opening(window, batch.get(0).arrival());
        event = windows.event(window, event, shard.shardId, streamArnOrEmpty(), false);
      }
      String requestId = new UUID(0x5eed_0000_0000_0000L, ++requestCounter).toString();
      FakeLambdaContext ctx = FakeLambdaContext.builder().clock(clock).timeout(functionTimeout)
          .requestId(requestId).functionName(functionName).region(region).build();
      Object out = null;
      boolean threw = false;
      try {
        out = handler.handleRequest(event, ctx);
      } catch (RuntimeException | Error e) {
        threw = true;
      }
      invokeCount++;
      boolean timedOut = clock.instant().isAfter(ctx.deadline());
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
      ResponseRules.Verdict v = ResponseRules.validate(body(out), ids, requireReportedIdInBatch,
          unparsableResponseIsSuccess);
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
      invocationCount++;
      if (throttles > 0) {
        throttles--;
        trace.invocation(new SimulatorTrace.Invocation(invocationCount, shard.shardId, index, List.of(), 0,
            SimulatorTrace.Outcome.THROTTLED, null));
        return true;
      }
      KinesisEvent empty = new KinesisEvent();
      empty.setRecords(new ArrayList<>());
      KinesisTimeWindowEvent event = w.event(window, empty, shard.shardId, streamArnOrEmpty(), true);
      String requestId = new UUID(0x5eed_0000_0000_0000L, ++requestCounter).toString();
      FakeLambdaContext ctx = FakeLambdaContext.builder().clock(clock).timeout(functionTimeout)
          .requestId(requestId).functionName(functionName).region(region).build();
      Object out = null;
      boolean threw = false;
      try {
        out = handler.handleRequest(event, ctx);
      } catch (RuntimeException | Error e) {
        threw = true;
      }
      boolean timedOut = clock.instant().isAfter(ctx.deadline());
      SimulatorTrace.Outcome outcome = threw ? SimulatorTrace.Outcome.FUNCTION_ERROR
          : timedOut ? SimulatorTrace.Outcome.TIMEOUT
          : TumblingWindows.stateOf(body(out)) == null ? SimulatorTrace.Outcome.INVALID_RESPONSE
          : SimulatorTrace.Outcome.SUCCESS;
      trace.invocation(new SimulatorTrace.Invocation(invocationCount, shard.shardId, index, List.of(), 0, outcome,
          null));
      if (outcome == SimulatorTrace.Outcome.SUCCESS) {
        w.finalSucceeded(window);
      } else if (retryBackoff != null) {
        notBefore = clock.instant().plus(retryBackoff.computeDelay(1, Duration.ZERO));
      }
      return true;
    }

    private void record(List<String> seqs, SimulatorTrace.Outcome outcome, @Nullable String reported) {
      trace.invocation(new SimulatorTrace.Invocation(invocationCount, shard.shardId, index, seqs, attempts,
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
        if (bytes > MAX_PAYLOAD_BYTES) {
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
        if (!batch.isEmpty() && bytes + next.jsonBytes() > MAX_PAYLOAD_BYTES) {
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
      if (loseNextCheckpoint) {
        loseNextCheckpoint = false;
        for (int i = batch.size() - 1; i >= 0; i--) {
          pending.addFirst(batch.get(i));
        }
        return;
      }
      trace.checkpoint(shard.shardId, index, seqsOf(batch), true);
      attempts = 0;
      invokeCount = 0;
    }

    private void functionError(@Nullable String functionError) {
      List<SimRecord> batch = Objects.requireNonNull(current);
      if (mapping.bisectBatchOnFunctionError() && batch.size() > 1
          && (bisectRetryCounting == BisectRetryCounting.SPLIT_USES_NO_ATTEMPT || attemptsLeft())) {
        if (bisectRetryCounting == BisectRetryCounting.SPLIT_USES_ATTEMPT) {
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
      trace.checkpoint(shard.shardId, index, seqsOf(done), true);
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
      if (mapping.bisectBatchOnFunctionError() || partialRetry == PartialRetry.EXACT_REMAINDER) {
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
      trace.discarded(seqsOf(records));
      trace.checkpoint(shard.shardId, index, seqsOf(records), false);
      if (mapping.onFailureDestination() == EventSourceMappingConfig.DestinationType.NONE) {
        return;
      }
      Map<String, @Nullable Object> requestContext = new LinkedHashMap<>();
      requestContext.put("requestId", UUID.randomUUID().toString());
      requestContext.put("functionArn", "arn:aws:lambda:" + region + ":" + account + ":function:" + functionName);
      requestContext.put("condition", condition);
      // RecordAgeExceeded: AWS's recorded record for records that were never delivered says 1 (LocalStack's
      // kinesis ESM tests, snapshots recorded against AWS), not 0. The assumption here: it counts the attempt
      // at which the records were discarded, so after k deliveries it says k + 1.
      requestContext.put("approximateInvokeCount", withResponse ? invokeCount : invokeCount + 1);
      Map<String, @Nullable Object> doc = new LinkedHashMap<>();
      doc.put("requestContext", requestContext);
      if (withResponse) {
        Map<String, @Nullable Object> responseContext = new LinkedHashMap<>();
        responseContext.put("statusCode", 200);
        responseContext.put("executedVersion", "$LATEST");
        responseContext.put("functionError", functionError);
        doc.put("responseContext", responseContext);
      }
      doc.put("version", "1.0");
      doc.put("timestamp", ISO_MILLIS.format(clock.instant()));
      Map<String, @Nullable Object> info = new LinkedHashMap<>();
      info.put("shardId", shard.shardId);
      info.put("startSequenceNumber", records.get(0).sequenceNumber());
      info.put("endSequenceNumber", records.get(records.size() - 1).sequenceNumber());
      info.put("approximateArrivalOfFirstRecord", ISO_MILLIS.format(records.get(0).arrival()));
      info.put("approximateArrivalOfLastRecord", ISO_MILLIS.format(records.get(records.size() - 1).arrival()));
      info.put("batchSize", records.size());
      info.put("streamArn", streamArnOrEmpty());
      doc.put("KinesisBatchInfo", info);
      if (mapping.onFailureDestination() == EventSourceMappingConfig.DestinationType.S3) {
        doc.put("payload", KinesisEvents.toMap(event(records)));
      }
      String json = Json.write(doc);
      if (mapping.onFailureDestination() == EventSourceMappingConfig.DestinationType.SNS
          && json.getBytes(StandardCharsets.UTF_8).length > SNS_MAX_BYTES) {
        return;
      }
      onFailureRecords.add(json);
    }
  }

  private KinesisEvent event(List<SimRecord> batch) {
    List<KinesisEvent.KinesisEventRecord> recs = new ArrayList<>(batch.size());
    for (SimRecord r : batch) {
      recs.add(KinesisEvents.record(streamArnOrEmpty(), region, r.shardId(), r.sequenceNumber(), r.partitionKey(),
          r.data(), r.arrival()));
    }
    KinesisEvent e = new KinesisEvent();
    e.setRecords(recs);
    return e;
  }

  private static List<String> seqsOf(List<SimRecord> records) {
    return records.stream().map(SimRecord::sequenceNumber).toList();
  }

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

  /**
   * Builds an {@link EsmSimulator}. Not thread-safe.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private final KinesisAsyncClient client;
    private final String streamName;
    private final RequestHandler<KinesisEvent, ?> handler;
    private EventSourceMappingConfig mapping = EventSourceMappingConfig.defaults();
    private Clock clock = Clock.systemUTC();
    private @Nullable Sleeper sleeper;
    private Duration functionTimeout = Duration.ofSeconds(3);
    private String functionName = "test-function";
    private @Nullable BackoffStrategy retryBackoff;
    private PartialRetry partialRetry = PartialRetry.REPOLL;
    private BisectRetryCounting bisectRetryCounting = BisectRetryCounting.SPLIT_USES_NO_ATTEMPT;
    private boolean requireReportedIdInBatch = true;
    private boolean unparsableResponseIsSuccess;
    private int maxInvocations = 100_000;
    private long maxWindowStateBytes = TumblingWindows.DEFAULT_MAX_STATE_BYTES;

    private Builder(KinesisAsyncClient client, String streamName, RequestHandler<KinesisEvent, ?> handler) {
      this.client = Objects.requireNonNull(client, "client");
      this.streamName = StreamNames.requireValidName(streamName, "streamName");
      this.handler = Objects.requireNonNull(handler, "handler");
    }

    /**
     * The mapping's settings.
     *
     * @param mapping default {@link EventSourceMappingConfig#defaults()}
     * @return this builder
     */
    public Builder mapping(EventSourceMappingConfig mapping) {
      this.mapping = Objects.requireNonNull(mapping, "mapping");
      return this;
    }

    /**
     * The clock for timeouts, ages, windows and delays; a {@link ManualClock} makes the simulation
     * deterministic and sleep-free.
     *
     * @param clock default {@link Clock#systemUTC()}
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * How waits are made.
     *
     * @param sleeper default: advance the clock when it is a {@link ManualClock}, else sleep
     * @return this builder
     */
    public Builder sleeper(Sleeper sleeper) {
      this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
      return this;
    }

    /**
     * The function's timeout: an invocation that runs longer (on the clock) is a function error.
     *
     * @param timeout default 3 s (Lambda's default); range 1 s..15 min
     * @return this builder
     */
    public Builder functionTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.compareTo(Duration.ofSeconds(1)) < 0 || timeout.compareTo(Duration.ofMinutes(15)) > 0) {
        throw new IllegalArgumentException("functionTimeout must be in 1 s..15 min, was " + timeout);
      }
      this.functionTimeout = timeout;
      return this;
    }

    /**
     * The function's name, in contexts and on-failure records.
     *
     * @param name default {@code test-function}
     * @return this builder
     */
    public Builder functionName(String name) {
      this.functionName = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * The delay before a failed batch is retried (undocumented by AWS).
     *
     * @param backoff default none: retry at once
     * @return this builder
     */
    public Builder retryBackoff(BackoffStrategy backoff) {
      this.retryBackoff = Objects.requireNonNull(backoff, "backoff");
      return this;
    }

    /**
     * What a partial failure retries when bisect is off.
     *
     * @param mode default {@link PartialRetry#REPOLL}
     * @return this builder
     */
    public Builder partialFailureRetry(PartialRetry mode) {
      this.partialRetry = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /**
     * Whether a function error that splits the batch (BisectBatchOnFunctionError) uses a retry attempt.
     *
     * @param counting default {@link BisectRetryCounting#SPLIT_USES_NO_ATTEMPT}, as AWS documents
     * @return this builder
     */
    public Builder bisectRetryCounting(BisectRetryCounting counting) {
      this.bisectRetryCounting = Objects.requireNonNull(counting, "counting");
      return this;
    }

    /**
     * Whether a reported identifier must be a sequence number of the batch (else any decimal number
     * is accepted and records from it on are retried).
     *
     * @param require default true
     * @return this builder
     */
    public Builder requireReportedIdInBatch(boolean require) {
      this.requireReportedIdInBatch = require;
      return this;
    }

    /**
     * How a response that is not JSON, or neither an object nor an empty list, is read (AWS does not
     * document it).
     *
     * @param success default false: the whole batch fails
     * @return this builder
     */
    public Builder unparsableResponseIsSuccess(boolean success) {
      this.unparsableResponseIsSuccess = success;
      return this;
    }

    /**
     * A guard against a simulation that never ends.
     *
     * @param max default 100,000; at least 1
     * @return this builder
     */
    public Builder maxInvocations(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxInvocations must be at least 1, was " + max);
      }
      this.maxInvocations = max;
      return this;
    }

    /**
     * The tumbling-window state size over which the window ends early (AWS: "1 MB" per shard).
     *
     * @param bytes default 1,000,000 (the JSON of the state in UTF-8); at least 2
     * @return this builder
     */
    public Builder maxWindowStateBytes(long bytes) {
      if (bytes < 2) {
        throw new IllegalArgumentException("maxWindowStateBytes must be at least 2, was " + bytes);
      }
      this.maxWindowStateBytes = bytes;
      return this;
    }

    /**
     * Builds the simulator; nothing is read until the first {@link EsmSimulator#step()}.
     *
     * @return the simulator
     * @throws UnsupportedOperationException when the mapping has a tumbling window and a
     *     ParallelizationFactor above 1
     */
    public EsmSimulator build() {
      return new EsmSimulator(this);
    }
  }
}
