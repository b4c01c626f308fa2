package dev.kinesisresilient.producer.internal;

import dev.kinesisresilient.core.FailureReason;
import dev.kinesisresilient.core.RecordResult;
import dev.kinesisresilient.core.internal.DefaultErrorClassifier;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryRequest;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryResponse;
import software.amazon.awssdk.services.kinesis.model.ListShardsRequest;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.StreamDescriptionSummary;

/**
 * How a record finds its lane: owns the lanes, the shard map and the routing mode; discovers the
 * stream (DescribeStreamSummary, then ListShards page by page), installs a new shard map and moves the
 * waiting records onto its lanes, falls back to one stream-level lane when shards cannot be predicted,
 * refreshes the map when a response shows it is out of date, and decides aggregates that landed on a
 * shard other than predicted ({@link MisplacedAggregates}). Expires and aborts the records waiting in
 * its lanes. Sender thread only, except {@link #aggregating()}.
 */
final class ShardRouter {
  private static final Logger LOG = LoggerFactory.getLogger(ShardRouter.class);

  /** How soon after one ListShards a mismatch may trigger another. */
  static final Duration MIN_REFRESH_INTERVAL = Duration.ofSeconds(1);
  /** How long after a failed ListShards it is tried again. */
  static final Duration FAILED_DISCOVERY_RETRY = Duration.ofSeconds(30);
  /** How far above its start the stream-level limit may grow. */
  static final double STREAM_MAX_FACTOR = 64;

  /** Where new records go: nowhere yet, to predicted shards, or to the one stream-level lane. */
  enum Routing { DISCOVERING, SHARDS, STREAM }

  private final ProducerSettings settings;
  private final KinesisAsyncClient client;
  private final Inbox inbox;
  private final ProducerMetrics metrics;
  private final RecordCompleter completer;
  private final RetryTokens retryTokens;
  private final String logPrefix;

  /**
   * Where records wait while the stream is discovered. It never sends (nothing is sent while
   * discovering; install or the stream fallback moves its records to real lanes), so its limiter is
   * never asked: the numbers are the smallest a limiter takes (1 record/s, 1 KiB/s, never growing).
   */
  private final Lane unrouted = new Lane("unrouted", new AdaptiveRateLimiter(1, 1024, 1, Instant.EPOCH));
  /** The books of the lanes records are sent from (not {@link #unrouted}'s: it keeps its own). */
  private final LaneBook book = new LaneBook();
  private Routing routing = Routing.DISCOVERING;
  private @Nullable ShardMap shardMap;
  private LinkedHashMap<String, Lane> lanes = new LinkedHashMap<>();
  /** The lanes of the shard map's shards, in its order (routing by index, no map lookup per record). */
  private Lane[] shardLanes = new Lane[0];
  /** The lanes records are sent from; a new list (new identity) whenever the lanes are replaced. */
  private List<Lane> laneList = new ArrayList<>();
  private @Nullable Lane streamLane;
  /** Aggregation is configured and shards are predicted (volatile: read by the gauge). */
  private volatile boolean aggregating;
  private boolean aggregationAnnounced;
  private boolean discoveryStarted;
  private boolean discoveryInFlight;
  private Instant discoveryDeadline = Instant.MAX;
  private boolean refreshWanted;
  private Instant nextRefreshAllowed = Instant.MIN;
  private boolean autoDistribution;
  private int openShardCount;
  /** ListShards listings started (a listing's pages count once). */
  private long listingsStarted;
  /** Aggregates stored on a shard the shard map did not know, waiting for a refresh. */
  private final MisplacedAggregates misplaced = new MisplacedAggregates();

  ShardRouter(ProducerSettings settings, KinesisAsyncClient client, Inbox inbox, ProducerMetrics metrics,
      RecordCompleter completer, RetryTokens retryTokens, String logPrefix) {
    this.settings = settings;
    this.client = client;
    this.inbox = inbox;
    this.metrics = metrics;
    this.completer = completer;
    this.retryTokens = retryTokens;
    this.logPrefix = logPrefix;
  }

  // ================================================================== routing

  /** Queues a new record on its lane. */
  void accept(PendingRecord r) {
    route(r).addFresh(r);
  }

  /** The lane a record goes to now. */
  Lane route(PendingRecord r) {
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
      l = new Lane(Lane.STREAM, new AdaptiveRateLimiter((double) settings.shardRecordsPerSecond() * shards,
          (double) settings.shardBytesPerSecond() * shards, STREAM_MAX_FACTOR, settings.clock().instant()), book);
      streamLane = l;
      lanes.put(l.id, l);
      laneList.add(l);
      metrics.laneAdded(l);
    }
    return l;
  }

  /** Whether records can be sent: routing is decided and there is a lane. */
  boolean routed() {
    return routing != Routing.DISCOVERING && !laneList.isEmpty();
  }

  /**
   * The lanes records are sent from, in round-robin order; the same list until the lanes are
   * replaced (a new shard map, the stream fallback), then a new one. Read only.
   */
  List<Lane> laneList() {
    return laneList;
  }

  /**
   * The books of the lanes records are sent from: the lanes holding records, their new records together,
   * the earliest deadline. Retired lanes are drained, so only the current lanes hold records.
   */
  LaneBook book() {
    return book;
  }

  /** Whether a lane packs its records into aggregates: aggregation is on and the lane is a predicted shard. */
  boolean aggregates(Lane lane) {
    return aggregating && lane.isShard();
  }

  /** Turns aggregation on or off with the routing (on only while shards are predicted); logs changes. */
  private void updateAggregation(String why) {
    boolean on = settings.aggregation() && routing == Routing.SHARDS;
    if (!settings.aggregation() || on == aggregating && aggregationAnnounced) {
      return;
    }
    aggregationAnnounced = true;
    aggregating = on;
    if (on) {
      LOG.info("{}aggregation on: packing records per shard into KPL aggregates of up to {} bytes", logPrefix,
          settings.maxAggregateBytes());
    } else {
      LOG.warn("{}aggregation turned off, records are sent one by one: {}", logPrefix, why);
    }
  }

  // ================================================================== discovery

  /**
   * Starts discovery on the first call: DescribeStreamSummary, then ListShards.
   *
   * @return whether it started now (its answers may already be in the inbox)
   */
  boolean startDiscoveryOnce(Instant now) {
    if (discoveryStarted) {
      return false;
    }
    discoveryStarted = true;
    discoveryInFlight = true;
    discoveryDeadline = now.plus(settings.attemptTimeout().multipliedBy(2));
    DescribeStreamSummaryRequest.Builder b = settings.streamRef().applyTo(DescribeStreamSummaryRequest.builder());
    CompletableFuture<DescribeStreamSummaryResponse> f;
    try {
      f = client.describeStreamSummary(b.build());
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.whenComplete((response, error) -> inbox.post(t -> onSummary(response, error)));
    return true;
  }

  /** Falls back to stream-level routing when discovery has not finished by its deadline. */
  void checkDiscoveryDeadline(Instant now) {
    if (routing == Routing.DISCOVERING && !now.isBefore(discoveryDeadline)) {
      switchToStream(now, "stream discovery did not finish within " + settings.attemptTimeout().multipliedBy(2));
    }
  }

  /**
   * Starts a ListShards listing when a refresh was asked for, none is running and the last one is
   * at least {@link #MIN_REFRESH_INTERVAL} ago.
   *
   * @return whether a listing started now
   */
  boolean refreshIfDue(Instant now) {
    if (!refreshWanted || discoveryInFlight || now.isBefore(nextRefreshAllowed)) {
      return false;
    }
    refreshWanted = false;
    nextRefreshAllowed = now.plus(MIN_REFRESH_INTERVAL);
    discoveryInFlight = true;
    listShards(null, new ArrayList<>());
    return true;
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
        switchToStream(settings.clock().instant(), "AUTO record distribution: the service ignores partition and "
            + "hash keys, so shards cannot be predicted");
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
    String code = DefaultErrorClassifier.awsErrorCode(cause);
    return code != null ? code : cause.getClass().getSimpleName();
  }

  private void listShards(@Nullable String token, List<Shard> soFar) {
    ListShardsRequest.Builder b = ListShardsRequest.builder();
    if (token == null) {
      listingsStarted++;
    }
    if (token != null) {
      b.nextToken(token);
    } else {
      settings.streamRef().applyTo(b);
    }
    CompletableFuture<ListShardsResponse> f;
    try {
      f = client.listShards(b.build());
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.whenComplete((response, error) -> inbox.post(t -> onShards(response, error, soFar, t)));
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

  /** Asks for a new listing (at most one per {@link #MIN_REFRESH_INTERVAL}); not with AUTO distribution. */
  void requestRefresh(String why) {
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
        l = new Lane(id, new AdaptiveRateLimiter(settings.shardRecordsPerSecond(), settings.shardBytesPerSecond(),
            1.0, now), book);
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
    updateAggregation("");
    moved.sort((x, y) -> Long.compare(x.seq, y.seq));
    for (PendingRecord r : moved) {
      requeue(r);
    }
    settleParked(now);
    if (first) {
      LOG.info("{}shard map: {} open shards; per-shard limits {} records/s, {} bytes/s", logPrefix, map.size(),
          settings.shardRecordsPerSecond(), settings.shardBytesPerSecond());
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
    updateAggregation(why);
    streamLane();
    moved.sort((x, y) -> Long.compare(x.seq, y.seq));
    for (PendingRecord r : moved) {
      requeue(r);
    }
  }

  /** Puts a record taken off a replaced lane on its new lane: a retry if it was ever sent, else new. */
  private void requeue(PendingRecord r) {
    Lane l = route(r);
    if (r.attempts > 0) {
      l.addRetry(r);
    } else {
      l.addFresh(r);
    }
  }

  // ================================================================== misplaced aggregates

  /**
   * An aggregate the service stored on {@code shardId}, not on the shard predicted for it: its user
   * records are acknowledged only if a KCL consumer of that shard keeps the aggregate, else sent again
   * (see {@link MisplacedAggregates}). When the shard map does not know the shard yet, the aggregate
   * waits for a listing started after this response.
   */
  void onMisplaced(PendingRecord[] records, int from, int to, String shardId, String sequenceNumber, Instant now) {
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
      r.trail().message(why);
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
          completer.complete(r, new RecordResult.Acknowledged(r.record, p.sequenceNumber, p.shardId, r.attempts, k,
              true), null, now);
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
      r.trail().message(why);
      if (!now.isBefore(r.deadline)) {
        completer.fail(r, FailureReason.DEADLINE_EXCEEDED, now);
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

  // ================================================================== expiry, close, flush, wake-up

  /**
   * Fails {@code DEADLINE_EXCEEDED} the waiting records (parked aggregates, lanes) whose deadline has come. Walks
   * the lanes that hold records only once the earliest deadline among them may have come (the book's
   * lower bound), and then sets the bound to the exact earliest deadline left.
   */
  void expire(Instant now) {
    for (PendingRecord r : misplaced.expired(now)) {
      completer.fail(r, FailureReason.DEADLINE_EXCEEDED, now);
    }
    expireLane(unrouted, now);
    if (now.isBefore(book.deadlineBound())) {
      return;
    }
    List<Lane> active = book.active();
    Instant min = Instant.MAX;
    for (int i = 0, n = active.size(); i < n; i++) {
      Lane lane = active.get(i);
      expireLane(lane, now);
      min = min(min, lane.earliestDeadline());
    }
    // Failing a record runs the failure handler, which cannot add to a lane (sends go to the accumulator).
    book.deadlineBound(min);
  }

  private void expireLane(Lane lane, Instant now) {
    PendingRecord h;
    while ((h = lane.pollExpiredFresh(now)) != null) {
      completer.fail(h, FailureReason.DEADLINE_EXCEEDED, now);
    }
    List<PendingRecord> expired = lane.expireRetries(now);
    for (PendingRecord r : expired) {
      if (!retryTokens.allows(r)) {
        r.trail().message(r.trail().message() + " (then its retry waited for the retry budget, which stayed "
            + "empty: re-sends are limited to a share of acknowledged records)");
      }
    }
    for (PendingRecord r : expired) {
      completer.fail(r, FailureReason.DEADLINE_EXCEEDED, now);
    }
  }

  /** Fails {@code CLOSED} the records of the parked aggregates (close timeout passed). */
  void abortParked(Instant now) {
    for (PendingRecord r : misplaced.takeAll()) {
      completer.fail(r, FailureReason.CLOSED, now);
    }
  }

  /** Fails {@code CLOSED} every record waiting in a lane (close timeout passed). */
  void abortQueued(Instant now) {
    List<Lane> all = new ArrayList<>(laneList);
    all.add(unrouted);
    for (Lane lane : all) {
      for (PendingRecord r : lane.drain()) {
        completer.fail(r, FailureReason.CLOSED, now);
      }
    }
  }

  /** The earliest time routing needs the loop: discovery's deadline, an expiry, a refresh. */
  Instant nextWakeup() {
    Instant next = misplaced.earliestDeadline();
    if (routing == Routing.DISCOVERING) {
      next = min(next, discoveryDeadline);
    }
    PendingRecord u = unrouted.peekFresh();
    if (u != null) {
      next = min(next, u.deadline);
    }
    if (refreshWanted && !discoveryInFlight) {
      next = min(next, nextRefreshAllowed);
    }
    return next;
  }


  static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  // ================================================================== views

  Routing routing() {
    return routing;
  }

  /** Whether records are being packed into aggregates now (any thread). */
  boolean aggregating() {
    return aggregating;
  }

  @Nullable Lane lane(String id) {
    return lanes.get(id);
  }

  @Nullable ShardMap shardMap() {
    return shardMap;
  }
}
