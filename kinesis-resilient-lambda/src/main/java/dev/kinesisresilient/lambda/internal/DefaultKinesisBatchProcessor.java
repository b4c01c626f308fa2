package dev.kinesisresilient.lambda.internal;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import dev.kinesisresilient.core.FailureReason;
import dev.kinesisresilient.core.internal.putrecords.RetryRule;
import dev.kinesisresilient.lambda.BatchFailedException;
import dev.kinesisresilient.lambda.BatchResult;
import dev.kinesisresilient.lambda.ExpiredRecordAction;
import dev.kinesisresilient.lambda.InvocationMetrics;
import dev.kinesisresilient.lambda.KinesisBatchProcessor;
import dev.kinesisresilient.lambda.QuarantineReason;
import dev.kinesisresilient.lambda.QuarantineSink;
import dev.kinesisresilient.lambda.QuarantinedRecord;
import dev.kinesisresilient.lambda.RecordOutcome;
import dev.kinesisresilient.lambda.StopReason;
import dev.kinesisresilient.lambda.StreamRecord;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The processor; see {@link KinesisBatchProcessor} for the contract. Thread-safe. */
public final class DefaultKinesisBatchProcessor implements KinesisBatchProcessor {

  private static final Logger log = LoggerFactory.getLogger(KinesisBatchProcessor.class);
  private static final String PREFIX = "[kinesis-lambda] ";
  private static final Pattern DIGITS = Pattern.compile("[0-9]{1,128}");

  private final ProcessorSettings settings;
  private final RetryRule retryRule;
  private final LambdaMeters meters;
  private final @Nullable ExecutorService ownExecutor;
  private final @Nullable Executor executor;
  private final AtomicBoolean announced = new AtomicBoolean();

  /**
   * A processor with the given settings.
   *
   * @param settings the settings, validated by the builder
   */
  public DefaultKinesisBatchProcessor(ProcessorSettings settings) {
    this.settings = settings;
    // The retry policy's deadline bounds each record's retries, from the start of its processing.
    this.retryRule = new RetryRule(settings.retryPolicy().maxAttempts(),
        settings.retryPolicy().backoff(settings.random()), FailureReason.DEADLINE_EXCEEDED);
    this.meters = new LambdaMeters(settings.metrics());
    if (settings.parallelism() > 1 && settings.executor() == null) {
      this.ownExecutor = Executors.newFixedThreadPool(settings.parallelism(), new DaemonThreads());
      this.executor = ownExecutor;
    } else {
      this.ownExecutor = null;
      this.executor = settings.executor();
    }
  }

  @Override
  public BatchResult process(@Nullable KinesisEvent event, Context context) {
    Objects.requireNonNull(context, "context");
    announceOnce();
    Instant start = settings.clock().instant();
    List<StreamRecord> records = convert(event);
    if (records.isEmpty()) {
      return new BatchResult(new StreamsEventResponse(new ArrayList<>()), null, StopReason.COMPLETED, List.of());
    }
    StreamRecord first = records.get(0);
    LambdaMeters.ShardMeters sm = meters.forShard(first.streamName(), first.shardId());
    Invocation inv = new Invocation(context, settings.safetyMargin(), sm);
    BigInteger[] seqs = new BigInteger[records.size()];
    for (int i = 0; i < seqs.length; i++) {
      seqs[i] = new BigInteger(records.get(i).sequenceNumber());
    }

    // The units of work: user records, each knowing the Kinesis record (parent) that carried it.
    List<StreamRecord> units;
    int[] parent;
    int[] perRecord = null;
    if (settings.deaggregate()) {
      units = new ArrayList<>(records.size());
      List<Integer> parents = new ArrayList<>(records.size());
      perRecord = new int[records.size()];
      for (int i = 0; i < records.size(); i++) {
        List<StreamRecord> subs = Deaggregator.open(records.get(i));
        perRecord[i] = subs.size();
        for (StreamRecord sub : subs) {
          units.add(sub);
          parents.add(i);
        }
      }
      parent = parents.stream().mapToInt(Integer::intValue).toArray();
    } else {
      units = records;
      parent = new int[records.size()];
      for (int i = 0; i < parent.length; i++) {
        parent[i] = i;
      }
    }
    BigInteger[] unitSeqs = new BigInteger[units.size()];
    for (int u = 0; u < unitSeqs.length; u++) {
      unitSeqs[u] = seqs[parent[u]];
    }

    RecordOutcome[] outcomes = new RecordOutcome[units.size()];
    boolean[] gaveUp = new boolean[units.size()];
    int retries;
    if (settings.parallelism() > 1 && executor != null) {
      retries = runParallel(units, unitSeqs, inv, outcomes, gaveUp, executor);
    } else {
      LaneResult r = runSequential(units, inv);
      r.outcomes().forEach((i, o) -> outcomes[i] = o);
      r.gaveUp().forEach(i -> gaveUp[i] = true);
      retries = r.retries();
    }

    // Where Lambda must resume: the lowest sequence number of a Kinesis record with a failed or
    // unprocessed user record (for a sub-record, the aggregate's: the only identifier Lambda accepts).
    int reportedIndex = -1;
    boolean anyFailed = false;
    boolean firstGivenUp = false;
    for (int u = 0; u < outcomes.length; u++) {
      firstGivenUp |= gaveUp[u] && parent[u] == 0;
      if (outcomes[u] == null) {
        outcomes[u] = RecordOutcome.NOT_PROCESSED;
      }
      if (outcomes[u] == RecordOutcome.FAILED || outcomes[u] == RecordOutcome.NOT_PROCESSED) {
        anyFailed |= outcomes[u] == RecordOutcome.FAILED;
        int i = parent[u];
        if (reportedIndex < 0 || seqs[i].compareTo(seqs[reportedIndex]) < 0) {
          reportedIndex = i;
        }
      }
    }
    StopReason stop = reportedIndex < 0 ? StopReason.COMPLETED
        : anyFailed ? StopReason.RECORD_FAILED : StopReason.DEADLINE;
    String reported = reportedIndex < 0 ? null : records.get(reportedIndex).sequenceNumber();

    Instant end = settings.clock().instant();
    Duration iteratorAge = nonNegative(Duration.between(
        records.get(records.size() - 1).approximateArrivalTimestamp(), start));
    publish(first, records.size(), units.size(), perRecord, outcomes, retries, iteratorAge,
        nonNegative(Duration.between(start, end)), stop);

    List<StreamsEventResponse.BatchItemFailure> failures = new ArrayList<>();
    if (reported != null) {
      if (stop == StopReason.DEADLINE) {
        log.info(PREFIX + "stream={}, shard={}: stopping early, {} left of the invocation's time is within the "
            + "safety margin {}; reporting sequence number {} so Lambda resumes there",
            first.streamName(), first.shardId(), Duration.ofMillis(context.getRemainingTimeInMillis()),
            settings.safetyMargin(), reported);
      }
      if (!settings.partialBatchResponse()) {
        throw new BatchFailedException(reported, "record " + reported + " of shard " + first.shardId()
            + " was not handled (" + stop + "); failing the whole batch because partialBatchResponse is off");
      }
      if (firstGivenUp && reportedIndex == 0 && records.size() > 1) {
        // Reporting the first record would commit nothing and retry the same records with it first
        // again: with BisectBatchOnFunctionError the mapping splits a partial response at the reported
        // record only, so it would never isolate it, and when retries run out the healthy records behind
        // it would be discarded with it. A failed invocation is bisected whatever ReportBatchItemFailures
        // says, so fail this one: the halves come back, the failing record ends up in a batch of its own
        // (then reported, as a batch of one), and only it reaches the on-failure destination. Run in
        // sequence, nothing after it was started, so nothing is processed twice. Only for a record given
        // up on for good: one that failed for lack of time is reported as before.
        log.warn(PREFIX + "stream={}, shard={}: record {}, the first of this batch of {}, failed; failing the "
            + "invocation so that a mapping with BisectBatchOnFunctionError splits the batch and isolates it",
            first.streamName(), first.shardId(), reported, records.size());
        throw new BatchFailedException(reported, "record " + reported + ", the first of this batch of "
            + records.size() + " records of shard " + first.shardId() + ", failed; failing the invocation so the "
            + "event source mapping bisects the batch (BisectBatchOnFunctionError) and isolates the record");
      }
      failures.add(new StreamsEventResponse.BatchItemFailure(reported));
    }
    return new BatchResult(new StreamsEventResponse(failures), reported, stop, List.of(outcomes));
  }

  private LaneResult runSequential(List<StreamRecord> records, Invocation inv) {
    Map<Integer, RecordOutcome> out = new HashMap<>();
    Set<Integer> gaveUp = new HashSet<>();
    int retries = 0;
    for (int i = 0; i < records.size(); i++) {
      if (!positive(inv.timeLeft())) {
        break; // the rest stay NOT_PROCESSED
      }
      RecordRun run = runRecord(records.get(i), inv);
      out.put(i, run.outcome());
      retries += run.retries();
      if (run.outcome() == RecordOutcome.FAILED) {
        if (run.gaveUp()) {
          gaveUp.add(i);
        }
        break;
      }
    }
    return new LaneResult(out, gaveUp, retries);
  }

  private int runParallel(List<StreamRecord> records, BigInteger[] seqs, Invocation inv,
      RecordOutcome[] outcomes, boolean[] gaveUp, Executor exec) {
    Map<String, List<Integer>> groups = new LinkedHashMap<>();
    for (int i = 0; i < records.size(); i++) {
      groups.computeIfAbsent(records.get(i).partitionKey(), k -> new ArrayList<>()).add(i);
    }
    ConcurrentLinkedQueue<List<Integer>> work = new ConcurrentLinkedQueue<>(groups.values());
    AtomicReference<@Nullable BigInteger> lowestFailure = new AtomicReference<>();
    int lanes = Math.min(settings.parallelism(), groups.size());
    List<CompletableFuture<LaneResult>> futures = new ArrayList<>(lanes);
    for (int l = 0; l < lanes; l++) {
      futures.add(CompletableFuture.supplyAsync(
          () -> runLane(work, records, seqs, inv, lowestFailure), exec));
    }
    CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).handle((v, t) -> null).join();
    int retries = 0;
    for (CompletableFuture<LaneResult> f : futures) {
      LaneResult r;
      try {
        r = f.join();
      } catch (CompletionException e) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        if (cause instanceof Error err) {
          throw err;
        }
        if (cause instanceof RuntimeException re) {
          throw re;
        }
        throw e;
      }
      r.outcomes().forEach((i, o) -> outcomes[i] = o);
      r.gaveUp().forEach(i -> gaveUp[i] = true);
      retries += r.retries();
    }
    return retries;
  }

  private LaneResult runLane(ConcurrentLinkedQueue<List<Integer>> work, List<StreamRecord> records,
      BigInteger[] seqs, Invocation inv, AtomicReference<@Nullable BigInteger> lowestFailure) {
    Map<Integer, RecordOutcome> out = new HashMap<>();
    Set<Integer> gaveUp = new HashSet<>();
    int retries = 0;
    List<Integer> group;
    while ((group = work.poll()) != null) {
      boolean stopped = false;
      for (int i : group) {
        if (stopped) {
          out.put(i, RecordOutcome.NOT_PROCESSED);
          continue;
        }
        BigInteger low = lowestFailure.get();
        if ((low != null && seqs[i].compareTo(low) >= 0) || !positive(inv.timeLeft())) {
          // Lambda redelivers from the lowest failure anyway (the whole aggregate when a sub-record
          // failed): starting this record only duplicates it.
          stopped = true;
          out.put(i, RecordOutcome.NOT_PROCESSED);
          continue;
        }
        RecordRun run = runRecord(records.get(i), inv);
        out.put(i, run.outcome());
        retries += run.retries();
        if (run.outcome() == RecordOutcome.FAILED) {
          if (run.gaveUp()) {
            gaveUp.add(i);
          }
          stopped = true;
          BigInteger failed = seqs[i];
          lowestFailure.accumulateAndGet(failed, (a, b) -> a == null || b.compareTo(a) < 0 ? b : a);
        }
      }
    }
    return new LaneResult(out, gaveUp, retries);
  }

  private RecordRun runRecord(StreamRecord record, Invocation inv) {
    Instant recordStart = settings.clock().instant();
    if (settings.filter() != null) {
      try {
        if (!settings.filter().test(record)) {
          return new RecordRun(RecordOutcome.FILTERED, 0);
        }
      } catch (RuntimeException e) {
        log.warn(PREFIX + "stream={}, shard={}, sequenceNumber={}: the filter threw; reporting the record failed",
            record.streamName(), record.shardId(), ref(record), e);
        return new RecordRun(RecordOutcome.FAILED, 0, true);
      }
    }
    Duration maxAge = settings.maxRecordAge();
    if (maxAge != null && Duration.between(record.approximateArrivalTimestamp(), recordStart).compareTo(maxAge) > 0) {
      if (settings.expiredRecordAction() == ExpiredRecordAction.SKIP) {
        log.debug(PREFIX + "stream={}, shard={}, sequenceNumber={}: older than {}, skipped",
            record.streamName(), record.shardId(), ref(record), maxAge);
        return new RecordRun(RecordOutcome.EXPIRED_SKIPPED, 0);
      }
      RecordOutcome o = quarantineOrFail(record, QuarantineReason.RECORD_TOO_OLD, 0, null, inv);
      return RecordRun.settled(o == RecordOutcome.QUARANTINED ? RecordOutcome.EXPIRED_QUARANTINED : o, 0);
    }
    int attempt = 1;
    int retries = 0;
    Duration previousDelay = Duration.ZERO;
    Instant recordDeadline = recordStart.plus(settings.retryPolicy().deadline());
    while (true) {
      StreamRecord view = attempt == 1 ? record : record.withAttempt(attempt);
      Instant t0 = settings.clock().instant();
      try {
        settings.handler().handle(view);
        inv.handlerAttempt(t0, settings.clock().instant());
        return new RecordRun(RecordOutcome.SUCCEEDED, retries);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        inv.handlerAttempt(t0, settings.clock().instant());
        log.warn(PREFIX + "stream={}, shard={}, sequenceNumber={}: handler interrupted; reporting the record failed",
            record.streamName(), record.shardId(), ref(record), e);
        return new RecordRun(RecordOutcome.FAILED, retries);
      } catch (Exception e) {
        inv.handlerAttempt(t0, settings.clock().instant());
        RetryRule.Decision decision =
            retryRule.next(attempt, previousDelay, !isPermanent(e), settings.clock().instant(), recordDeadline);
        if (decision instanceof RetryRule.GiveUp giveUp) {
          return RecordRun.settled(quarantineOrFail(view, quarantineReason(giveUp), attempt, e, inv), retries);
        }
        Duration delay = ((RetryRule.Retry) decision).delay();
        previousDelay = delay;
        if (delay.compareTo(inv.timeLeft()) >= 0) {
          log.warn(PREFIX + "stream={}, shard={}, sequenceNumber={}: attempt {} failed and a retry after {} would "
              + "pass the invocation's deadline; reporting the record failed for redelivery",
              record.streamName(), record.shardId(), ref(record), attempt, delay, e);
          return new RecordRun(RecordOutcome.FAILED, retries);
        }
        log.debug(PREFIX + "stream={}, shard={}, sequenceNumber={}: attempt {} failed ({}); retrying in {}",
            record.streamName(), record.shardId(), ref(record), attempt, e.getClass().getName(), delay);
        try {
          settings.sleeper().sleep(delay);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          log.warn(PREFIX + "stream={}, shard={}, sequenceNumber={}: interrupted while waiting to retry; "
              + "reporting the record failed", record.streamName(), record.shardId(), ref(record), ie);
          return new RecordRun(RecordOutcome.FAILED, retries);
        }
        attempt++;
        retries++;
      }
    }
  }

  /** A record given up on is quarantined as permanent when its error was, else as out of retries. */
  static QuarantineReason quarantineReason(RetryRule.GiveUp giveUp) {
    return giveUp.reason() == FailureReason.NOT_RETRIABLE ? QuarantineReason.PERMANENT_FAILURE
        : QuarantineReason.RETRIES_EXHAUSTED;
  }

  private boolean isPermanent(Exception e) {
    try {
      return settings.permanentFailure().test(e);
    } catch (RuntimeException thrown) {
      log.warn(PREFIX + "the permanentFailure predicate threw; treating the failure as not permanent", thrown);
      return false;
    }
  }

  private RecordOutcome quarantineOrFail(StreamRecord record, QuarantineReason reason, int attempts,
      @Nullable Exception error, Invocation inv) {
    QuarantineSink sink = settings.quarantineSink();
    if (sink == null) {
      log.warn(PREFIX + "stream={}, shard={}, sequenceNumber={}: {} after {} attempt(s) and no quarantine sink; "
          + "reporting the record failed", record.streamName(), record.shardId(), ref(record),
          reason, attempts, error);
      return RecordOutcome.FAILED;
    }
    Duration timeLeft = inv.timeLeft();
    if (!positive(timeLeft)) {
      log.warn(PREFIX + "stream={}, shard={}, sequenceNumber={}: {} but no time left to quarantine it; "
          + "reporting the record failed", record.streamName(), record.shardId(), ref(record), reason,
          error);
      return RecordOutcome.FAILED;
    }
    QuarantinedRecord q = new QuarantinedRecord(record, reason, attempts, error, settings.clock().instant());
    try {
      sink.quarantine(q, timeLeft);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      log.warn(PREFIX + "stream={}, shard={}, sequenceNumber={}: interrupted while quarantining; reporting the "
          + "record failed", record.streamName(), record.shardId(), ref(record), e);
      return RecordOutcome.FAILED;
    } catch (Exception | LinkageError e) {
      log.warn(PREFIX + "stream={}, shard={}, sequenceNumber={}: the quarantine sink failed ({}); reporting the "
          + "record failed so it is delivered again", record.streamName(), record.shardId(),
          ref(record), reason, e);
      return RecordOutcome.FAILED;
    }
    log.warn(PREFIX + "stream={}, shard={}, sequenceNumber={}: quarantined ({}, {} attempt(s)); the shard moves on",
        record.streamName(), record.shardId(), ref(record), reason, attempts, error);
    return RecordOutcome.QUARANTINED;
  }

  private void publish(StreamRecord first, int size, int userRecords, int @Nullable [] perRecord,
      RecordOutcome[] outcomes, int retries, Duration iteratorAge, Duration duration, StopReason stop) {
    LambdaMeters.ShardMeters sm = meters.forShard(first.streamName(), first.shardId());
    if (sm == null && settings.emf() == null) {
      return;
    }
    if (sm != null && perRecord != null) {
      sm.userRecordsPerRecord(perRecord);
    }
    Map<RecordOutcome, Integer> counts = new EnumMap<>(RecordOutcome.class);
    for (RecordOutcome o : outcomes) {
      counts.merge(o, 1, Integer::sum);
    }
    InvocationMetrics m = new InvocationMetrics(first.streamName(), first.shardId(), size, userRecords, counts,
        retries, iteratorAge, duration, stop);
    if (sm != null) {
      sm.invocation(m);
    }
    if (settings.emf() != null) {
      try {
        settings.emf().write(m);
      } catch (RuntimeException e) {
        log.warn(PREFIX + "writing EMF metrics failed; processing is unaffected", e);
      }
    }
  }

  private void announceOnce() {
    if (announced.compareAndSet(false, true)) {
      if (settings.partialBatchResponse()) {
        log.info(PREFIX + "processor in use: {}. Partial batch responses only take effect when the event source "
            + "mapping has FunctionResponseTypes=[ReportBatchItemFailures]; without it Lambda ignores the "
            + "response and does NOT retry a reported record. If the mapping lacks it, build the processor with "
            + "partialBatchResponse(false). See docs/lambda.md for the recommended mapping settings.", settings);
      } else {
        log.info(PREFIX + "processor in use: {}. partialBatchResponse is off: a record that is not handled fails "
            + "the whole invocation, so Lambda retries the whole batch.", settings);
      }
    }
  }

  static List<StreamRecord> convert(@Nullable KinesisEvent event) {
    if (event == null || event.getRecords() == null || event.getRecords().isEmpty()) {
      return List.of();
    }
    List<StreamRecord> out = new ArrayList<>(event.getRecords().size());
    int i = 0;
    for (KinesisEvent.KinesisEventRecord er : event.getRecords()) {
      if (er == null || er.getKinesis() == null) {
        throw new IllegalArgumentException("malformed Kinesis event: record " + i + " has no kinesis section");
      }
      KinesisEvent.Record k = er.getKinesis();
      String seq = k.getSequenceNumber();
      if (seq == null || !DIGITS.matcher(seq).matches()) {
        throw new IllegalArgumentException("malformed Kinesis event: record " + i
            + " has no valid sequence number (decimal digits), was " + seq);
      }
      if (k.getPartitionKey() == null) {
        throw new IllegalArgumentException("malformed Kinesis event: record " + i + " has no partition key");
      }
      if (k.getApproximateArrivalTimestamp() == null) {
        throw new IllegalArgumentException("malformed Kinesis event: record " + i + " has no arrival timestamp");
      }
      String eventId = er.getEventID();
      int colon = eventId == null ? -1 : eventId.indexOf(':');
      String shardId = colon > 0 ? eventId.substring(0, colon) : "unknown";
      String arn = er.getEventSourceARN() == null ? "unknown" : er.getEventSourceARN();
      ByteBuffer data = k.getData() == null ? ByteBuffer.allocate(0) : k.getData().duplicate();
      out.add(new StreamRecord(arn, shardId, seq, k.getPartitionKey(),
          k.getApproximateArrivalTimestamp().toInstant(), data, 1));
      i++;
    }
    return out;
  }

  /** The record's sequence number for logs, with the sub-sequence number of a sub-record. */
  private static String ref(StreamRecord r) {
    return r.aggregated() ? r.sequenceNumber() + " (sub-record " + r.subSequenceNumber() + ")" : r.sequenceNumber();
  }

  private static boolean positive(Duration d) {
    return !d.isNegative() && !d.isZero();
  }

  private static Duration nonNegative(Duration d) {
    return d.isNegative() ? Duration.ZERO : d;
  }

  @Override
  public void close() {
    if (ownExecutor != null) {
      ownExecutor.shutdown();
    }
  }

  @Override
  public String toString() {
    return "KinesisBatchProcessor[" + settings + "]";
  }

  private record LaneResult(Map<Integer, RecordOutcome> outcomes, Set<Integer> gaveUp, int retries) {}

  /**
   * What became of one record. {@code gaveUp}: it FAILED for good (the processor gave up on it, by
   * retries, a permanent failure, its age or a throwing filter, and could not quarantine it), as
   * opposed to failing for lack of time or an interrupt.
   */
  private record RecordRun(RecordOutcome outcome, int retries, boolean gaveUp) {
    RecordRun(RecordOutcome outcome, int retries) {
      this(outcome, retries, false);
    }

    /** The record was given up on: quarantined, or FAILED for good. */
    static RecordRun settled(RecordOutcome outcome, int retries) {
      return new RecordRun(outcome, retries, outcome == RecordOutcome.FAILED);
    }
  }

  /** Per-invocation view of the deadline and meters; shared read-only by lanes. */
  private final class Invocation {
    private final Context context;
    private final Duration margin;
    private final LambdaMeters.@Nullable ShardMeters meters;

    Invocation(Context context, Duration margin, LambdaMeters.@Nullable ShardMeters meters) {
      this.context = context;
      this.margin = margin;
      this.meters = meters;
    }

    Duration timeLeft() {
      return Duration.ofMillis(context.getRemainingTimeInMillis()).minus(margin);
    }

    void handlerAttempt(Instant from, Instant to) {
      if (meters != null) {
        meters.handlerAttempt(nonNegative(Duration.between(from, to)));
      }
    }
  }

  private static final class DaemonThreads implements ThreadFactory {
    private final AtomicInteger n = new AtomicInteger();

    @Override
    public Thread newThread(Runnable r) {
      Thread t = new Thread(r, "kinesis-resilient-lambda-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    }
  }
}
