package dev.kinesisresilient.producer;

import dev.kinesisresilient.core.BackoffStrategy;
import dev.kinesisresilient.core.ErrorClassification;
import dev.kinesisresilient.core.FailureReason;
import dev.kinesisresilient.core.RecordResult;
import dev.kinesisresilient.core.aggregation.AggregateBuilder;
import dev.kinesisresilient.core.internal.CongestionWindow;
import dev.kinesisresilient.core.internal.DefaultErrorClassifier;
import dev.kinesisresilient.core.internal.EndpointCongestion;
import dev.kinesisresilient.core.internal.LatencyEstimator;
import dev.kinesisresilient.core.internal.RetryTokenBucket;
import dev.kinesisresilient.core.internal.WriterMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryRequest;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryResponse;
import software.amazon.awssdk.services.kinesis.model.ListShardsRequest;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.StreamDescriptionSummary;

/**
 * The producer's one sender loop (Kafka's {@code Sender}): takes new records from the accumulator,
 * routes them to per-shard lanes, sends ready records within each shard's rate limit and the
 * in-flight bound, reads responses, retries only failed entries after a backoff, expires records at
 * their delivery deadline and completes each record exactly once.
 *
 * <p>Everything except {@link #post}, {@link #requestClose} and the volatile views is confined to
 * the sender thread. Client callbacks never touch state: they post a task to the inbox, which the
 * next {@link #runOnce(Instant)} runs. Tests call {@code runOnce} step by step with a manual clock.
 */
final class Sender implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(Sender.class);

  /** How soon after one ListShards a mismatch may trigger another. */
  static final Duration MIN_REFRESH_INTERVAL = Duration.ofSeconds(1);
  /** How long after a failed ListShards it is tried again. */
  static final Duration FAILED_DISCOVERY_RETRY = Duration.ofSeconds(30);
  /** Records a rate-limited lane waits to have tokens for before sending (bigger, fewer requests). */
  static final int RATE_CHUNK = 100;
  /** How far above its start the stream-level limit may grow. */
  static final double STREAM_MAX_FACTOR = 64;
  /** Error code of a record that expired before it was ever sent. */
  static final String DELIVERY_TIMEOUT_CODE = "DeliveryTimeout";
  /** Error code of a record failed by close. */
  static final String CLOSED_CODE = "ProducerClosed";
  static final String THROTTLED = "ProvisionedThroughputExceededException";
  private static final Duration MIN_WAIT = Duration.ofMillis(1);
  private static final Duration FAILURE_LOG_INTERVAL = Duration.ofSeconds(1);
  private static final Pattern SHARD_IN_MESSAGE = Pattern.compile("(shardId-\\d+)");

  enum Routing { DISCOVERING, SHARDS, STREAM }

  private final ProducerSettings s;
  private final KinesisAsyncClient client;
  private final RecordAccumulator acc;
  private final ProducerMetrics metrics;
  private final ProducerCounters counters;
  private final BackoffStrategy backoff;
  private final String logPrefix;
  private final ConcurrentLinkedQueue<Consumer<Instant>> inbox = new ConcurrentLinkedQueue<>();
  private final Lane unrouted;
  /** The adaptive bound on requests in flight (sender thread only). */
  private final CongestionWindow window;
  /** The retry budget (sender thread only). */
  private final RetryTokenBucket budget;
  /** Until when slots of requests the client gave up on (the SDK's own timeout) stay taken. */
  private final List<Instant> heldSlots = new ArrayList<>();
  /** How long answers take now (sender thread only). */
  private final LatencyEstimator latency = new LatencyEstimator();
  /**
   * The most time left that can make a record too late to send: twice the attempt timeout (no answer
   * is waited for longer) and half of what a record has left when its linger ends, so that a record
   * sent on time always goes whatever the estimate (no starvation when answers were once very slow).
   */
  private final Duration maxSendMargin;
  /** The time left below which a record is not sent now (the latency estimate, capped). */
  private Duration sendMargin = Duration.ZERO;
  /** Records whose deadline is at or before this are not sent: they would expire in flight. */
  private Instant sendCutoff = Instant.MIN;
  /** Aggregation is configured and shards are predicted (volatile: read by the gauge). */
  private volatile boolean aggregating;
  private boolean aggregationAnnounced;

  private volatile @Nullable Thread thread;
  private volatile Instant closeDeadline = Instant.MAX;
  private volatile boolean terminated;
  private volatile int inFlightCount;

  // ---- sender thread only ----
  private Routing routing = Routing.DISCOVERING;
  private @Nullable ShardMap shardMap;
  private LinkedHashMap<String, Lane> lanes = new LinkedHashMap<>();
  /** The lanes of the shard map's shards, in its order (routing by index, no map lookup per record). */
  private Lane[] shardLanes = new Lane[0];
  private List<Lane> laneList = new ArrayList<>();
  private @Nullable Lane streamLane;
  private int rr;
  private final List<Attempt> inFlight = new ArrayList<>();
  private final List<FlushState> flushes = new ArrayList<>();
  private long outstanding;
  private long releasedBytes;
  private boolean waiters;
  private boolean discoveryStarted;
  private boolean discoveryInFlight;
  private Instant discoveryDeadline = Instant.MAX;
  private boolean refreshWanted;
  private Instant nextRefreshAllowed = Instant.MIN;
  private boolean autoDistribution;
  private int openShardCount;
  private final Map<FailureReason, Integer> failuresToLog = new EnumMap<>(FailureReason.class);
  /** Aggregates stored on a shard the shard map did not know, waiting for a refresh. */
  private final MisplacedAggregates misplaced = new MisplacedAggregates();
  /** ListShards listings started (a listing's pages count once). */
  private long listingsStarted;
  private Instant nextFailureLog = Instant.MIN;

  Sender(ProducerSettings s, KinesisAsyncClient client, RecordAccumulator acc, ProducerMetrics metrics,
      ProducerCounters counters, String logPrefix) {
    this.s = s;
    this.client = client;
    this.acc = acc;
    this.metrics = metrics;
    this.counters = counters;
    this.backoff = s.retryPolicy().backoff(s.random());
    this.logPrefix = logPrefix;
    this.unrouted = new Lane("unrouted", new AdaptiveRateLimiter(1, 1024, 1, Instant.EPOCH));
    this.window = new CongestionWindow(s.maxInFlightRequests(), s.adaptiveConcurrency(),
        EndpointCongestion.of(client));
    this.budget = new RetryTokenBucket(s.retryBudget());
    Duration twice = s.attemptTimeout().multipliedBy(2);
    Duration half = s.deliveryTimeout().minus(s.lingerTime()).dividedBy(2);
    this.maxSendMargin = twice.compareTo(half) < 0 ? twice : half;
  }

  // ================================================================== thread

  void bindThread(Thread t) {
    this.thread = t;
  }

  /** Whether the caller is the sender thread (a completion callback or the failure handler). */
  boolean onSenderThread() {
    return Thread.currentThread() == thread;
  }

  @Override
  public void run() {
    while (!terminated) {
      Instant next;
      try {
        next = runOnce(s.clock().instant());
      } catch (RuntimeException e) {
        LOG.error("{}sender loop failed; continuing", logPrefix, e);
        next = s.clock().instant().plus(Duration.ofMillis(10));
      }
      if (terminated) {
        break;
      }
      try {
        acc.awaitWork(next, s.clock());
      } catch (InterruptedException e) {
        LOG.warn("{}sender thread interrupted; closing now", logPrefix);
        requestClose(s.clock().instant());
        acc.close();
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
    inbox.add(task);
    if (Thread.currentThread() != thread) {
      acc.wakeSender();
    }
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
    processInbox(now);
    RecordAccumulator.Drained d = acc.drain();
    for (PendingRecord r : d.records()) {
      outstanding++;
      route(r).addFresh(r);
    }
    for (RecordAccumulator.Flush f : d.flushes()) {
      flushes.add(new FlushState(f.lastSeq(), countIncomplete(f.lastSeq()), f.future()));
    }
    waiters = d.waiters();
    boolean closed = d.closed();
    if (!discoveryStarted) {
      startDiscovery(now);
      processInbox(now);
    }
    if (routing == Routing.DISCOVERING && !now.isBefore(discoveryDeadline)) {
      switchToStream(now, "stream discovery did not finish within " + s.attemptTimeout().multipliedBy(2));
    }
    if (refreshWanted && !discoveryInFlight && !now.isBefore(nextRefreshAllowed)) {
      refreshWanted = false;
      nextRefreshAllowed = now.plus(MIN_REFRESH_INTERVAL);
      discoveryInFlight = true;
      listShards(null, new ArrayList<>());
      processInbox(now);
    }
    if (closed && !now.isBefore(closeDeadline)) {
      abortAll(now);
    } else {
      expire(now);
      attemptTimeouts(now);
      for (int round = 0; round < 16; round++) {
        drainLanes(now, closed);
        if (inbox.isEmpty()) {
          break;
        }
        processInbox(now);
      }
    }
    finishRound(now);
    if (closed && outstanding == 0) {
      // Attempts still in flight hold only completed records (they are kept while the service may be
      // working on them); nothing waits for them any more.
      for (Attempt a : new ArrayList<>(inFlight)) {
        finishAttempt(a);
        a.call.cancel(true);
      }
      terminated = true;
      return now;
    }
    return nextWakeup(now, closed);
  }

  private void processInbox(Instant now) {
    Consumer<Instant> task;
    while ((task = inbox.poll()) != null) {
      task.accept(now);
    }
  }

  // ================================================================== readiness (the one place)

  /**
   * The readiness rules, in one place (as Kafka's {@code batchReady}). A lane has records to send at
   * the returned time: its first retry when that retry's backoff ends; its new records when they fill
   * a request, when the oldest has lingered {@code lingerTime}, or at once when {@code urgent} (a flush
   * is under way, the producer is closing, callers are blocked on a full buffer, or new records of all
   * lanes together fill a request). With {@code preserveOrder}, a lane's retries go before its new
   * records, so a pending retry decides alone. Rate limits and the in-flight bound are checked
   * separately ({@link #sendable}).
   *
   * @return when the lane is ready, or null when it is empty
   */
  @Nullable Instant readyAt(Lane lane, Instant now, boolean urgent) {
    Instant t = null;
    PendingRecord retry = lane.peekRetry();
    if (retry != null) {
      if (!retryAllowed(retry)) {
        if (s.preserveOrder()) {
          return null; // waits for the retry budget; its deadline is watched by expire()
        }
      } else {
        t = retry.notBefore;
        if (s.preserveOrder()) {
          return t;
        }
      }
    }
    PendingRecord head = lane.peekFresh();
    if (head != null) {
      boolean full = lane.freshCount() >= s.limits().maxRecordsPerRequest()
          || lane.freshBytes() >= s.limits().maxRequestBytes();
      Instant f = urgent || full ? now : head.appendTime.plus(s.lingerTime());
      if (t == null || f.isBefore(t)) {
        t = f;
      }
    }
    return t;
  }

  private boolean urgent(boolean closed) {
    if (closed || !flushes.isEmpty() || waiters) {
      return true;
    }
    long records = 0;
    long bytes = 0;
    for (Lane l : laneList) {
      records += l.freshCount();
      bytes += l.freshBytes();
    }
    return records >= s.limits().maxRecordsPerRequest() || bytes >= s.limits().maxRequestBytes();
  }

  /** The next record a lane would send, dropping any that expired on the way. */
  private @Nullable PendingRecord candidate(Lane lane, Instant now) {
    PendingRecord retry = lane.peekRetry();
    if (retry != null && !retry.notBefore.isAfter(now) && retryAllowed(retry)) {
      return retry;
    }
    if (s.preserveOrder() && retry != null) {
      return null;
    }
    return lane.peekFresh();
  }

  private int chunkRecords(Lane lane) {
    if (aggregates(lane)) {
      return 1; // one aggregate
    }
    return s.preserveOrder() ? 1 : Math.max(1, Math.min(lane.size(), RATE_CHUNK));
  }

  private long chunkBytes(Lane lane, PendingRecord head, int chunk) {
    if (aggregates(lane)) {
      return Math.max(head.sizeBytes, Math.min(lane.bytes(), s.maxAggregateBytes()));
    }
    long avg = lane.size() == 0 ? head.sizeBytes : lane.bytes() / lane.size();
    return Math.max(head.sizeBytes, avg * chunk);
  }

  private boolean sendable(Lane lane, Instant now, boolean urgent) {
    if (s.preserveOrder() && lane.inFlight() > 0) {
      return false;
    }
    Instant ready = readyAt(lane, now, urgent);
    if (ready == null || ready.isAfter(now)) {
      return false;
    }
    PendingRecord head = candidate(lane, now);
    if (head == null) {
      return false;
    }
    int chunk = chunkRecords(lane);
    return lane.limiter.canTake(chunk, chunkBytes(lane, head, chunk), now);
  }

  // ================================================================== sending

  private void drainLanes(Instant now, boolean closed) {
    if (routing == Routing.DISCOVERING || laneList.isEmpty()) {
      return;
    }
    Duration margin = latency.estimate();
    sendMargin = margin.compareTo(maxSendMargin) < 0 ? margin : maxSendMargin;
    sendCutoff = now.plus(sendMargin);
    boolean urgent = urgent(closed);
    int n = laneList.size();
    while (window.hasRoom()) {
      Batch batch = new Batch();
      for (int k = 0; k < n && !batch.full; k++) {
        Lane lane = laneList.get((rr + k) % n);
        if (!sendable(lane, now, urgent)) {
          continue;
        }
        int before = batch.records.size();
        if (aggregates(lane)) {
          takeAggregated(lane, batch, now);
        } else if (s.preserveOrder()) {
          takeOrdered(lane, batch, now);
        } else {
          takeAny(lane, batch, now);
        }
        if (batch.records.size() > before) {
          batch.lanes.add(lane);
        }
      }
      rr = (rr + 1) % n;
      if (batch.records.isEmpty()) {
        return;
      }
      send(batch, now);
    }
  }

  /** Takes due retries, then new records, while the request has room and the shard's limiter allows. */
  private void takeAny(Lane lane, Batch batch, Instant now) {
    while (true) {
      PendingRecord r = candidate(lane, now);
      if (r == null) {
        return;
      }
      if (tooLate(r)) {
        lane.take(r);
        fail(r, FailureReason.EXPIRED, now);
        continue;
      }
      if (!admit(lane, batch, r, now)) {
        return;
      }
    }
  }

  /**
   * Moves a record from its lane into the request as a plain entry, if the request has room (else
   * marks it full) and the shard's limiter allows it.
   *
   * @return false, changing nothing but {@code batch.full}, when it could not be taken
   */
  private boolean admit(Lane lane, Batch batch, PendingRecord r, Instant now) {
    if (!batch.fits(r)) {
      batch.full = true;
      return false;
    }
    if (!lane.limiter.tryAcquire(r.sizeBytes, now)) {
      return false;
    }
    lane.take(r);
    spendRetryToken(r);
    batch.add(r);
    return true;
  }

  /**
   * Whether a record is too late to send: its deadline passes before an answer to a request sent now
   * can be expected (the smoothed latency of recent answers plus one deviation, capped by {@link
   * #maxSendMargin}). Sending it would spend
   * the service's capacity on a record that expires in flight (and may be stored although reported
   * failed); it fails {@code EXPIRED} instead, never sent (again).
   */
  private boolean tooLate(PendingRecord r) {
    return !sendCutoff.isBefore(r.deadline);
  }

  // ================================================================== retry budget

  /** Whether a retry may be sent now as far as the retry budget goes. */
  private boolean retryAllowed(PendingRecord r) {
    return !RetryTokenBucket.needsToken(r.lastMetricCode) || budget.hasToken();
  }

  /** Takes the retry budget's token for a record about to be re-sent (none for a first attempt). */
  private void spendRetryToken(PendingRecord r) {
    if (r.attempts > 0 && RetryTokenBucket.needsToken(r.lastMetricCode)) {
      budget.tryAcquire(1);
    }
  }

  /**
   * As {@link #takeAny}, keeping each partition key's order: every due retry goes before any new
   * record of the lane, and a request holds at most one record per key (later records of a key that
   * is already in the request are skipped, never taken ahead of it).
   */
  private void takeOrdered(Lane lane, Batch batch, Instant now) {
    PendingRecord r;
    while ((r = lane.peekRetry()) != null && !r.notBefore.isAfter(now)) {
      if (tooLate(r)) {
        lane.pollRetry();
        fail(r, FailureReason.EXPIRED, now);
        continue;
      }
      if (!retryAllowed(r)) {
        return;
      }
      if (!batch.fits(r)) {
        batch.full = true;
        return;
      }
      if (batch.keys.contains(r.record.partitionKey()) || !lane.limiter.tryAcquire(r.sizeBytes, now)) {
        return;
      }
      lane.pollRetry();
      spendRetryToken(r);
      batch.add(r);
    }
    if (lane.hasRetries()) {
      return;
    }
    Iterator<PendingRecord> it = lane.freshInOrder();
    int scanned = 0;
    int limit = 2 * s.limits().maxRecordsPerRequest();
    while (it.hasNext() && scanned++ < limit) {
      r = it.next();
      if (tooLate(r)) {
        it.remove();
        fail(r, FailureReason.EXPIRED, now);
        continue;
      }
      if (!batch.fits(r)) {
        batch.full = true;
        return;
      }
      if (batch.keys.contains(r.record.partitionKey())) {
        continue;
      }
      if (!lane.limiter.tryAcquire(r.sizeBytes, now)) {
        return;
      }
      it.remove();
      batch.add(r);
    }
  }

  /** A request being assembled. */
  private final class Batch {
    final List<PendingRecord> records = new ArrayList<>(s.limits().maxRecordsPerRequest());
    final List<Lane> lanes = new ArrayList<>();
    final Set<String> keys = new HashSet<>();
    long bytes;
    boolean full;
    /** The request entries, once the request holds an aggregate; null while every record is its own entry. */
    @Nullable List<PutRecordsRequestEntry> entries;
    /** Per entry, the end (exclusive) of its records in {@link #records}; with {@link #entries}. */
    int @Nullable [] ends;

    int entryCount() {
      return entries == null ? records.size() : entries.size();
    }

    boolean fits(PendingRecord r) {
      return entryCount() < s.limits().maxRecordsPerRequest() && bytes + r.sizeBytes <= s.limits().maxRequestBytes();
    }

    void add(PendingRecord r) {
      records.add(r);
      bytes += r.sizeBytes;
      if (s.preserveOrder()) {
        keys.add(r.record.partitionKey());
      }
      if (entries != null) {
        endEntry(r.entry);
      }
    }

    /** Appends {@code members} to {@link #records} as one entry, the aggregate {@code entry} of {@code recordBytes}. */
    void addAggregate(List<PendingRecord> members, PutRecordsRequestEntry entry, long recordBytes) {
      if (entries == null) {
        int n = records.size();
        entries = new ArrayList<>(s.limits().maxRecordsPerRequest());
        ends = new int[s.limits().maxRecordsPerRequest()];
        for (int i = 0; i < n; i++) {
          entries.add(records.get(i).entry);
          ends[i] = i + 1;
        }
      }
      records.addAll(members);
      bytes += recordBytes;
      endEntry(entry);
    }

    private void endEntry(PutRecordsRequestEntry entry) {
      List<PutRecordsRequestEntry> e = Objects.requireNonNull(entries);
      Objects.requireNonNull(ends)[e.size()] = records.size();
      e.add(entry);
    }
  }

  // ================================================================== aggregation

  /** Whether a lane packs its records into aggregates: aggregation is on and the lane is a predicted shard. */
  private boolean aggregates(Lane lane) {
    return aggregating && lane.isShard();
  }

  /** Turns aggregation on or off with the routing (on only while shards are predicted); logs changes. */
  private void updateAggregation(String why) {
    boolean on = s.aggregation() && routing == Routing.SHARDS;
    if (!s.aggregation() || on == aggregating && aggregationAnnounced) {
      return;
    }
    aggregationAnnounced = true;
    aggregating = on;
    if (on) {
      LOG.info("{}aggregation on: packing records per shard into KPL aggregates of up to {} bytes", logPrefix,
          s.maxAggregateBytes());
    } else {
      LOG.warn("{}aggregation turned off, records are sent one by one: {}", logPrefix, why);
    }
  }

  /**
   * Packs a shard lane's due retries and new records, in that order, into aggregates of up to {@code
   * maxAggregateBytes} (and the request's remaining room and the shard's byte tokens), each one entry
   * counted as one record against the shard's records/s and its full size against bytes/s. The carrying
   * record has the first user record's partition key and its hash key as explicit hash key, so it lands
   * on this lane's shard. A lone record, or one too big to share an aggregate, goes as it is. Expired
   * records are failed on the way and never sent.
   */
  private void takeAggregated(Lane lane, Batch batch, Instant now) {
    List<PendingRecord> members = new ArrayList<>();
    List<Boolean> fromRetries = new ArrayList<>();
    while (true) {
      if (batch.entryCount() >= s.limits().maxRecordsPerRequest()) {
        batch.full = true;
        return;
      }
      long room = s.limits().maxRequestBytes() - batch.bytes;
      if (room <= 0) {
        batch.full = true;
        return;
      }
      if (!lane.limiter.canTake(1, 1, now)) {
        return;
      }
      long cap = Math.min(Math.min(s.maxAggregateBytes(), room), lane.limiter.availableBytes(now));
      AggregateBuilder builder = cap > 0 ? new AggregateBuilder(cap) : null;
      members.clear();
      fromRetries.clear();
      long userBytes = 0;
      while (true) {
        PendingRecord r = candidate(lane, now);
        if (r == null) {
          break;
        }
        if (tooLate(r)) {
          lane.take(r);
          fail(r, FailureReason.EXPIRED, now);
          continue;
        }
        if (builder == null || !builder.tryAdd(r.record)) {
          break;
        }
        fromRetries.add(lane.peekRetry() == r);
        lane.take(r);
        spendRetryToken(r);
        members.add(r);
        userBytes += r.sizeBytes;
      }
      if (members.isEmpty()) {
        // Nothing left, or the next record does not fit an aggregate here: send it as it is if it can go.
        PendingRecord r = candidate(lane, now);
        if (r == null) {
          return;
        }
        if (!admit(lane, batch, r, now)) {
          return;
        }
        metrics.aggregateSent(1, r.sizeBytes, r.sizeBytes);
        continue;
      }
      if (members.size() == 1) {
        PendingRecord r = members.get(0);
        if (!lane.limiter.tryAcquire(r.sizeBytes, now)) {
          putBack(lane, members, fromRetries);
          return;
        }
        batch.add(r);
        metrics.aggregateSent(1, r.sizeBytes, r.sizeBytes);
        continue;
      }
      long recordBytes = Objects.requireNonNull(builder).recordSizeBytes();
      if (!lane.limiter.tryAcquire(recordBytes, now)) {
        putBack(lane, members, fromRetries);
        return;
      }
      PendingRecord first = members.get(0);
      PutRecordsRequestEntry entry = PutRecordsRequestEntry.builder()
          .partitionKey(first.record.partitionKey())
          .explicitHashKey(first.hashKey.toString())
          .data(SdkBytes.fromByteArrayUnsafe(builder.build()))
          .build();
      batch.addAggregate(members, entry, recordBytes);
      metrics.aggregateSent(members.size(), userBytes, recordBytes);
    }
  }

  /** Returns records taken for an aggregate that could not go after all, where they were. */
  private void putBack(Lane lane, List<PendingRecord> members, List<Boolean> fromRetries) {
    for (int i = members.size() - 1; i >= 0; i--) {
      PendingRecord r = members.get(i);
      if (r.attempts > 0 && RetryTokenBucket.needsToken(r.lastMetricCode)) {
        budget.giveBack(1);
      }
      if (fromRetries.get(i)) {
        lane.addRetry(r);
      } else {
        lane.putBackFresh(r);
      }
    }
  }

  private void send(Batch b, Instant now) {
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
    PutRecordsRequest.Builder rb = PutRecordsRequest.builder().records(entries);
    if (s.streamArn() != null) {
      rb.streamARN(s.streamArn());
    } else {
      rb.streamName(s.streamName());
    }
    Attempt a = new Attempt(batch.toArray(new PendingRecord[0]), involved, now, now.plus(s.attemptTimeout()),
        earliest, bytes, b.entries == null ? null : b.ends, entries.size());
    for (Lane l : involved) {
      l.requestSent();
    }
    window.acquire();
    a.epoch = window.epoch();
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
    call.whenComplete((response, error) -> post(t -> onResponse(a, response, error, t)));
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

  // ================================================================== responses

  private void onResponse(Attempt a, @Nullable PutRecordsResponse response, @Nullable Throwable error, Instant now) {
    if (a.done) {
      LOG.debug("{}late completion of a finished attempt ignored", logPrefix);
      return;
    }
    finishAttempt(a);
    Duration elapsed = Duration.between(a.start, now);
    if (error != null || response == null) {
      onRequestFailure(a, error != null ? error : new IllegalStateException("null response"), elapsed, now);
      return;
    }
    if (!a.overdue) {
      window.onSuccess();
    }
    latency.sample(elapsed);
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
      int from = entryStart(a, j);
      int to = entryEnd(a, j);
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
            onMisplaced(a.records, from, to, e.shardId(), e.sequenceNumber(), now);
            continue;
          }
        }
        for (int k = from; k < to; k++) {
          PendingRecord r = a.records[k];
          if (r.isDone()) {
            LOG.debug("{}acknowledgement of an expired record ignored", logPrefix);
            continue;
          }
          complete(r, new RecordResult.Acknowledged(r.record, e.sequenceNumber(), e.shardId(), r.attempts,
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
      ErrorClassification c = s.classifier().classifyEntry(code);
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
      requestRefresh("a record landed on a shard other than predicted");
    }
  }

  // ================================================================== misplaced aggregates

  /**
   * An aggregate the service stored on {@code shardId}, not on the shard predicted for it: its user
   * records are acknowledged only if a KCL consumer of that shard keeps the aggregate, else sent again
   * (see {@link MisplacedAggregates}). When the shard map does not know the shard yet, the aggregate
   * waits for a listing started after this response.
   */
  private void onMisplaced(PendingRecord[] records, int from, int to, String shardId, String sequenceNumber,
      Instant now) {
    MisplacedAggregates.Parked p = new MisplacedAggregates.Parked(Arrays.copyOfRange(records, from, to), shardId,
        sequenceNumber, listingsStarted + 1);
    ShardMap map = shardMap;
    HashKeyRange range = map == null ? null : map.rangeOf(shardId);
    if (range != null) {
      settle(p, range, now);
      return;
    }
    String why = "stored in an aggregate on shard " + shardId + ", which the shard map does not know yet; "
        + "waiting for a shard map refresh to tell whether a KCL consumer keeps it";
    for (PendingRecord r : p.records) {
      r.lastMessage = why;
    }
    misplaced.park(p);
    requestRefresh("an aggregate landed on a shard the shard map does not know");
  }

  /** Decides a misplaced aggregate by the range of the shard it landed on (null: unknown, send again). */
  private void settle(MisplacedAggregates.Parked p, @Nullable HashKeyRange range, Instant now) {
    PendingRecord[] rs = p.records;
    if (range != null && MisplacedAggregates.keptByRangeFilter(rs, range)) {
      for (int k = 0; k < rs.length; k++) {
        PendingRecord r = rs[k];
        if (!r.isDone()) {
          complete(r, new RecordResult.Acknowledged(r.record, p.sequenceNumber, p.shardId, r.attempts, k, true),
              null, now);
        }
      }
      return;
    }
    String why = "stored in an aggregate on shard " + p.shardId + " with user records outside that shard's hash "
        + "key range, which a KCL consumer skips; sent again";
    int resent = 0;
    for (PendingRecord r : rs) {
      if (r.isDone()) {
        continue;
      }
      r.lastMessage = why;
      if (!now.isBefore(r.deadline)) {
        fail(r, FailureReason.EXPIRED, now);
        continue;
      }
      r.notBefore = now;
      route(r).addRetry(r);
      resent++;
    }
    metrics.aggregateResent(p.shardId, resent);
    if (LOG.isDebugEnabled()) {
      LOG.debug("{}aggregate of {} user records landed on shard {} across its hash key range; {} sent again",
          logPrefix, rs.length, p.shardId, resent);
    }
  }

  /**
   * Decides the waiting misplaced aggregates that a new shard map lets us decide. A failed listing
   * decides nothing: they wait for the next one (tried again after {@link #FAILED_DISCOVERY_RETRY}) or
   * expire at their delivery deadline, never acknowledged unseen.
   */
  private void settleParked(Instant now) {
    if (misplaced.isEmpty()) {
      return;
    }
    ShardMap map = shardMap;
    for (MisplacedAggregates.Parked p : misplaced.takeDecidable(map, listingsStarted)) {
      settle(p, map == null ? null : map.rangeOf(p.shardId), now);
    }
    if (!misplaced.isEmpty()) {
      requestRefresh("an aggregate waits for a shard map that knows its shard");
    }
  }

  private static @Nullable String shardIn(String message) {
    Matcher m = SHARD_IN_MESSAGE.matcher(message);
    return m.find() ? m.group(1) : null;
  }

  private void onRequestFailure(Attempt a, Throwable error, Duration elapsed, Instant now) {
    Throwable cause = DefaultErrorClassifier.unwrap(error);
    ErrorClassification c = s.classifier().classifyFailure(cause);
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

  private void retryOrFail(PendingRecord r, boolean retriable, String code, String metricCode, String message,
      @Nullable Throwable cause, Instant now) {
    r.lastCode = code;
    r.lastMetricCode = metricCode;
    r.lastMessage = message;
    r.lastCause = cause;
    if (!retriable) {
      fail(r, FailureReason.NOT_RETRIABLE, now);
      return;
    }
    if (r.attempts >= s.retryPolicy().maxAttempts()) {
      fail(r, FailureReason.RETRIES_EXHAUSTED, now);
      return;
    }
    Duration delay = backoff.computeDelay(r.attempts, r.previousDelay);
    Instant at = now.plus(delay);
    if (!at.isBefore(r.deadline)) {
      fail(r, FailureReason.EXPIRED, now);
      return;
    }
    r.previousDelay = delay;
    r.notBefore = at;
    counters.retried.incrementAndGet();
    metrics.writer().retried(metricCode, message);
    Lane lane = r.lane;
    if (lane == null || lane.isRetired()) {
      lane = route(r);
    }
    lane.addRetry(r);
  }

  // ================================================================== completion

  private void fail(PendingRecord r, FailureReason reason, Instant now) {
    String code;
    String message;
    Throwable cause = r.lastCause;
    switch (reason) {
      case EXPIRED:
        code = r.lastCode != null ? r.lastCode : DELIVERY_TIMEOUT_CODE;
        if (now.isBefore(r.deadline)) {
          message = "not sent" + (r.attempts == 0 ? "" : " again") + ": the " + Duration.between(now, r.deadline)
              + " left of its deliveryTimeout (" + s.deliveryTimeout() + ") are less than answers take now (about "
              + sendMargin + ")" + (r.attempts == 0 ? ""
                  : "; " + r.attempts + " attempt(s); last error: " + r.lastMessage);
          break;
        }
        message = "deliveryTimeout (" + s.deliveryTimeout() + ") passed "
            + (r.attempts == 0 ? "before the record was sent"
                : "after " + r.attempts + " attempt(s); last error: " + r.lastMessage);
        break;
      case CLOSED:
        code = CLOSED_CODE;
        message = "producer closed and its close timeout passed before the record was acknowledged"
            + (r.attempts == 0 ? " (never sent)" : " (" + r.attempts + " attempt(s); it may have been stored)");
        cause = new ProducerClosedException(message);
        break;
      default:
        code = r.lastCode != null ? r.lastCode : ErrorClassification.OTHER;
        message = r.lastMessage != null ? r.lastMessage : "";
        break;
    }
    String metricCode = reason == FailureReason.CLOSED ? CLOSED_CODE
        : r.lastMetricCode != null ? r.lastMetricCode : code;
    complete(r, new RecordResult.Failed(r.record, reason, code, message, r.attempts, cause), metricCode, now);
  }

  private void complete(PendingRecord r, RecordResult result, @Nullable String metricCode, Instant now) {
    if (!r.markDone()) {
      LOG.debug("{}record already complete; second result ignored", logPrefix);
      return;
    }
    outstanding--;
    releasedBytes += r.charge;
    for (FlushState f : flushes) {
      if (r.seq <= f.lastSeq) {
        f.remaining--;
      }
    }
    if (result instanceof RecordResult.Acknowledged ack) {
      counters.acknowledged.incrementAndGet();
      budget.onAcknowledged(1);
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
      Consumer<? super RecordResult.Failed> handler = s.failureHandler();
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
    java.util.concurrent.Executor ex = s.callbackExecutor();
    if (ex == null) {
      r.future.complete(result);
      return;
    }
    try {
      ex.execute(() -> r.future.complete(result));
    } catch (RejectedExecutionException e) {
      r.future.complete(result);
    }
  }

  private void finishRound(Instant now) {
    if (releasedBytes > 0) {
      acc.release(releasedBytes);
      releasedBytes = 0;
    }
    if (!flushes.isEmpty()) {
      Iterator<FlushState> it = flushes.iterator();
      while (it.hasNext()) {
        FlushState f = it.next();
        if (f.remaining <= 0) {
          it.remove();
          f.future.complete(null);
        }
      }
    }
    if (!failuresToLog.isEmpty() && !now.isBefore(nextFailureLog)) {
      LOG.warn("{}records failed since the last report: {}", logPrefix, failuresToLog);
      failuresToLog.clear();
      nextFailureLog = now.plus(FAILURE_LOG_INTERVAL);
    }
  }

  private long countIncomplete(long lastSeq) {
    long n = misplaced.countIncomplete(lastSeq);
    List<Lane> all = new ArrayList<>(laneList);
    all.add(unrouted);
    for (Lane l : all) {
      n += l.countUpTo(lastSeq);
    }
    for (Attempt a : inFlight) {
      for (PendingRecord r : a.records) {
        if (!r.isDone() && r.seq <= lastSeq) {
          n++;
        }
      }
    }
    return n;
  }

  // ================================================================== expiry, timeouts, close

  private void expire(Instant now) {
    for (PendingRecord r : misplaced.expired(now)) {
      fail(r, FailureReason.EXPIRED, now);
    }
    List<Lane> all = new ArrayList<>(laneList);
    all.add(unrouted);
    for (Lane lane : all) {
      PendingRecord h;
      while ((h = lane.pollExpiredFresh(now)) != null) {
        fail(h, FailureReason.EXPIRED, now);
      }
      List<PendingRecord> expired = lane.expireRetries(now);
      for (PendingRecord r : expired) {
        if (!retryAllowed(r)) {
          r.lastMessage = r.lastMessage + " (then its retry waited for the retry budget, which stayed empty: "
              + "re-sends are limited to a share of acknowledged records)";
        }
      }
      for (PendingRecord r : expired) {
        fail(r, FailureReason.EXPIRED, now);
      }
    }
    for (Attempt a : new ArrayList<>(inFlight)) {
      if (now.isBefore(a.earliestDeadline)) {
        continue;
      }
      Instant min = Instant.MAX;
      for (PendingRecord r : a.records) {
        if (r.isDone()) {
          continue;
        }
        if (!now.isBefore(r.deadline)) {
          fail(r, FailureReason.EXPIRED, now);
        } else if (r.deadline.isBefore(min)) {
          min = r.deadline;
        }
      }
      // Even when every record of the attempt has expired, it keeps its slot until it is answered or
      // given up on (attemptTimeouts): the service may still be working on it.
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
    if (!heldSlots.isEmpty()) {
      Iterator<Instant> it = heldSlots.iterator();
      while (it.hasNext()) {
        if (!now.isBefore(it.next())) {
          it.remove();
          window.release();
        }
      }
    }
    for (Attempt a : new ArrayList<>(inFlight)) {
      if (now.isBefore(a.timeoutAt)) {
        continue;
      }
      if (!a.overdue) {
        a.overdue = true;
        window.onCongestion(a.epoch);
        a.timeoutAt = a.timeoutAt.plus(s.attemptTimeout());
        if (LOG.isDebugEnabled()) {
          LOG.debug("{}request of {} entries overdue after {}; waiting as long again for its answer", logPrefix,
              a.entries, s.attemptTimeout());
        }
        continue;
      }
      finishAttempt(a);
      a.call.cancel(true);
      onRequestFailure(a, new TimeoutException("PutRecords attempt did not complete within "
          + s.attemptTimeout().multipliedBy(2) + " (overdue after " + s.attemptTimeout()
          + "; the service may have stored it)"), Duration.between(a.start, now), now);
    }
  }

  private void abortAll(Instant now) {
    for (PendingRecord r : misplaced.takeAll()) {
      fail(r, FailureReason.CLOSED, now);
    }
    for (Attempt a : new ArrayList<>(inFlight)) {
      finishAttempt(a);
      a.call.cancel(true);
      for (PendingRecord r : a.records) {
        if (!r.isDone()) {
          fail(r, FailureReason.CLOSED, now);
        }
      }
    }
    List<Lane> all = new ArrayList<>(laneList);
    all.add(unrouted);
    for (Lane lane : all) {
      for (PendingRecord r : lane.drain()) {
        fail(r, FailureReason.CLOSED, now);
      }
    }
  }

  // ================================================================== next wake-up

  private Instant nextWakeup(Instant now, boolean closed) {
    Instant next = Instant.MAX;
    boolean urgent = urgent(closed);
    boolean slotFree = window.hasRoom();
    if (routing != Routing.DISCOVERING) {
      for (Lane lane : laneList) {
        if (lane.isEmpty()) {
          continue;
        }
        Instant ready = readyAt(lane, now, urgent);
        if (ready != null) {
          if (ready.isAfter(now)) {
            next = min(next, ready);
          } else if (slotFree && !(s.preserveOrder() && lane.inFlight() > 0)) {
            PendingRecord head = candidate(lane, now);
            if (head != null) {
              int chunk = chunkRecords(lane);
              next = min(next, lane.limiter.availableAt(chunk, chunkBytes(lane, head, chunk), now));
            }
          }
        }
        PendingRecord h = lane.peekFresh();
        if (h != null) {
          next = min(next, h.deadline);
        }
        next = min(next, lane.minRetryDeadline());
      }
    } else {
      next = min(next, discoveryDeadline);
    }
    PendingRecord u = unrouted.peekFresh();
    if (u != null) {
      next = min(next, u.deadline);
    }
    for (Attempt a : inFlight) {
      next = min(next, min(a.timeoutAt, a.earliestDeadline));
    }
    for (Instant held : heldSlots) {
      next = min(next, held);
    }
    if (refreshWanted && !discoveryInFlight) {
      next = min(next, nextRefreshAllowed);
    }
    next = min(next, misplaced.earliestDeadline());
    if (closed) {
      next = min(next, closeDeadline);
    }
    if (!failuresToLog.isEmpty()) {
      next = min(next, nextFailureLog);
    }
    Instant floor = now.plus(MIN_WAIT);
    return next.isBefore(floor) ? floor : next;
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  // ================================================================== routing and discovery

  private Lane route(PendingRecord r) {
    switch (routing) {
      case DISCOVERING:
        return unrouted;
      case SHARDS:
        int i = Objects.requireNonNull(shardMap).indexFor(r.hashKey);
        return i >= 0 ? shardLanes[i] : streamLane();
      case STREAM:
      default:
        return streamLane();
    }
  }

  private Lane streamLane() {
    Lane l = streamLane;
    if (l == null) {
      int shards = Math.max(1, openShardCount);
      l = new Lane(Lane.STREAM, new AdaptiveRateLimiter((double) s.shardRecordsPerSecond() * shards,
          (double) s.shardBytesPerSecond() * shards, STREAM_MAX_FACTOR, s.clock().instant()));
      streamLane = l;
      lanes.put(l.id, l);
      laneList.add(l);
      metrics.laneAdded(l);
    }
    return l;
  }

  private void startDiscovery(Instant now) {
    discoveryStarted = true;
    discoveryInFlight = true;
    discoveryDeadline = now.plus(s.attemptTimeout().multipliedBy(2));
    DescribeStreamSummaryRequest.Builder b = DescribeStreamSummaryRequest.builder();
    if (s.streamArn() != null) {
      b.streamARN(s.streamArn());
    } else {
      b.streamName(s.streamName());
    }
    CompletableFuture<DescribeStreamSummaryResponse> f;
    try {
      f = client.describeStreamSummary(b.build());
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.whenComplete((response, error) -> post(t -> onSummary(response, error)));
  }

  private void onSummary(@Nullable DescribeStreamSummaryResponse response, @Nullable Throwable error) {
    StreamDescriptionSummary d = response == null ? null : response.streamDescriptionSummary();
    if (error == null && d != null) {
      openShardCount = d.openShardCount() == null ? 0 : d.openShardCount();
      String mode = d.streamModeDetails() == null ? "unknown" : d.streamModeDetails().streamModeAsString();
      String strategy = d.recordDistributionStrategyAsString();
      LOG.info("{}stream mode {}, {} open shards, record distribution {}", logPrefix, mode, openShardCount,
          strategy == null ? "not reported" : strategy);
      if ("AUTO".equalsIgnoreCase(strategy)) {
        autoDistribution = true;
        discoveryInFlight = false;
        switchToStream(s.clock().instant(), "AUTO record distribution: the service ignores partition and hash "
            + "keys, so shards cannot be predicted");
        return;
      }
    } else {
      Throwable cause = error == null ? new IllegalStateException("empty response")
          : DefaultErrorClassifier.unwrap(error);
      LOG.info("{}DescribeStreamSummary failed ({}); record distribution unknown, routing by hash key",
          logPrefix, errorCode(cause));
    }
    listShards(null, new ArrayList<>());
  }

  private static String errorCode(Throwable cause) {
    if (cause instanceof AwsServiceException aws && aws.awsErrorDetails() != null
        && aws.awsErrorDetails().errorCode() != null) {
      return aws.awsErrorDetails().errorCode();
    }
    return cause.getClass().getSimpleName();
  }

  private void listShards(@Nullable String token, List<Shard> soFar) {
    ListShardsRequest.Builder b = ListShardsRequest.builder();
    if (token == null) {
      listingsStarted++;
    }
    if (token != null) {
      b.nextToken(token);
    } else if (s.streamArn() != null) {
      b.streamARN(s.streamArn());
    } else {
      b.streamName(s.streamName());
    }
    CompletableFuture<ListShardsResponse> f;
    try {
      f = client.listShards(b.build());
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.whenComplete((response, error) -> post(t -> onShards(response, error, soFar, t)));
  }

  private void onShards(@Nullable ListShardsResponse response, @Nullable Throwable error, List<Shard> soFar,
      Instant now) {
    if (error != null || response == null) {
      discoveryInFlight = false;
      Throwable cause = error == null ? new IllegalStateException("empty response") : DefaultErrorClassifier.unwrap(error);
      LOG.warn("{}ListShards failed ({}); without a shard map one stream-level adaptive limit applies; "
          + "trying again in {}", logPrefix, errorCode(cause), FAILED_DISCOVERY_RETRY);
      if (routing != Routing.SHARDS) {
        switchToStream(now, "no shard map");
      }
      refreshWanted = true;
      nextRefreshAllowed = now.plus(FAILED_DISCOVERY_RETRY);
      return;
    }
    soFar.addAll(response.shards());
    if (response.nextToken() != null) {
      listShards(response.nextToken(), soFar);
      return;
    }
    discoveryInFlight = false;
    install(ShardMap.of(soFar), now);
  }

  private void requestRefresh(String why) {
    if (autoDistribution || refreshWanted) {
      return;
    }
    LOG.debug("{}shard map refresh requested: {}", logPrefix, why);
    refreshWanted = true;
  }

  private void install(ShardMap map, Instant now) {
    if (map.size() == 0) {
      LOG.warn("{}ListShards returned no open shard; keeping the current routing", logPrefix);
      return;
    }
    boolean first = shardMap == null;
    shardMap = map;
    routing = Routing.SHARDS;
    LinkedHashMap<String, Lane> next = new LinkedHashMap<>();
    for (String id : map.shardIds()) {
      Lane l = lanes.get(id);
      if (l == null) {
        l = new Lane(id, new AdaptiveRateLimiter(s.shardRecordsPerSecond(), s.shardBytesPerSecond(), 1.0, now));
        metrics.laneAdded(l);
      }
      next.put(id, l);
    }
    List<PendingRecord> moved = new ArrayList<>();
    for (Lane old : laneList) {
      if (!next.containsKey(old.id) || old == streamLane) {
        old.retire();
        moved.addAll(old.drain());
        metrics.laneRetired(old);
      }
    }
    streamLane = null;
    moved.addAll(unrouted.drain());
    lanes = next;
    laneList = new ArrayList<>(next.values());
    shardLanes = laneList.toArray(new Lane[0]);
    rr = 0;
    updateAggregation("");
    moved.sort((x, y) -> Long.compare(x.seq, y.seq));
    for (PendingRecord r : moved) {
      requeue(r);
    }
    settleParked(now);
    if (first) {
      LOG.info("{}shard map: {} open shards; per-shard limits {} records/s, {} bytes/s", logPrefix, map.size(),
          s.shardRecordsPerSecond(), s.shardBytesPerSecond());
    } else {
      LOG.info("{}shard map refreshed: {} open shards", logPrefix, map.size());
    }
  }

  private void switchToStream(Instant now, String why) {
    if (routing == Routing.STREAM) {
      return;
    }
    LOG.info("{}sending without shard prediction, under one stream-level adaptive limit: {}", logPrefix, why);
    routing = Routing.STREAM;
    List<PendingRecord> moved = new ArrayList<>();
    for (Lane old : laneList) {
      old.retire();
      moved.addAll(old.drain());
      metrics.laneRetired(old);
    }
    moved.addAll(unrouted.drain());
    lanes = new LinkedHashMap<>();
    laneList = new ArrayList<>();
    shardLanes = new Lane[0];
    streamLane = null;
    shardMap = null;
    rr = 0;
    updateAggregation(why);
    streamLane();
    moved.sort((x, y) -> Long.compare(x.seq, y.seq));
    for (PendingRecord r : moved) {
      requeue(r);
    }
  }

  private void requeue(PendingRecord r) {
    Lane l = route(r);
    if (r.attempts > 0) {
      l.addRetry(r);
    } else {
      l.addFresh(r);
    }
  }

  // ================================================================== views for tests

  Routing routing() {
    return routing;
  }

  /** The congestion window's current bound on requests in flight. */
  int inFlightLimit() {
    return window.limit();
  }

  /** Whether records are being packed into aggregates now (any thread). */
  boolean aggregating() {
    return aggregating;
  }

  @Nullable Lane lane(String id) {
    return lanes.get(id);
  }

  List<Lane> lanes() {
    return List.copyOf(laneList);
  }

  @Nullable ShardMap shardMap() {
    return shardMap;
  }

  // ================================================================== types

  /** One PutRecords call. */
  static final class Attempt {
    final PendingRecord[] records;
    final List<Lane> lanes;
    final Instant start;
    /** When it is overdue; once overdue, when it is given up on. */
    Instant timeoutAt;
    final long bytes;
    /** The congestion window's epoch when it was sent. */
    long epoch;
    /** Its attempt timeout passed; waiting for a late answer. */
    boolean overdue;
    /** Per entry, the end (exclusive) of its records; null when every record is its own entry. */
    final int @Nullable [] ends;
    final int entries;
    Instant earliestDeadline;
    CompletableFuture<PutRecordsResponse> call = new CompletableFuture<>();
    boolean done;

    Attempt(PendingRecord[] records, List<Lane> lanes, Instant start, Instant timeoutAt, Instant earliestDeadline,
        long bytes, int @Nullable [] ends, int entries) {
      this.ends = ends;
      this.entries = entries;
      this.records = records;
      this.lanes = lanes;
      this.start = start;
      this.timeoutAt = timeoutAt;
      this.earliestDeadline = earliestDeadline;
      this.bytes = bytes;
    }
  }

  /** The first record of entry {@code j}. */
  private static int entryStart(Attempt a, int j) {
    return a.ends == null ? j : j == 0 ? 0 : a.ends[j - 1];
  }

  /** The end (exclusive) of entry {@code j}'s records. */
  private static int entryEnd(Attempt a, int j) {
    return a.ends == null ? j + 1 : a.ends[j];
  }

  /** A flush waiting for {@code remaining} records. */
  static final class FlushState {
    final long lastSeq;
    long remaining;
    final CompletableFuture<Void> future;

    FlushState(long lastSeq, long remaining, CompletableFuture<Void> future) {
      this.lastSeq = lastSeq;
      this.remaining = remaining;
      this.future = future;
    }
  }
}
