package dev.kinesisresilient.producer.internal;

import dev.kinesisresilient.core.BatchLimits;
import dev.kinesisresilient.core.FailureReason;
import dev.kinesisresilient.core.aggregation.AggregateBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;

/**
 * How a request is assembled: the readiness rules (in one place, as Kafka's {@code batchReady}), then,
 * visiting the lanes round-robin, the records each ready lane may send now within its shard's rate
 * limit, plain, in partition-key order or packed into KPL aggregates, into one PutRecords request
 * ({@link Batch}). Records found too late to send are failed on the way, never sent. Sender thread only.
 */
final class RequestAssembler {
  /**
   * The most records a rate-limited lane waits to have tokens for before it sends: waiting for a
   * bigger share of the shard's rate makes fewer, bigger requests than sending each record as soon as
   * its own token is there.
   */
  static final int MAX_RECORDS_TO_WAIT_FOR = 100;
  /**
   * A ready lane short of its tokens goes along in a request that another lane's tokens start once it has
   * this share of what it waits for: one request, one wake-up for several rate-limited lanes instead of
   * one each at staggered times (after one such request their buckets refill in step).
   */
  static final int RIDE_ALONG_SHARE = 4;
  /**
   * Up to how many lanes holding records {@link #nextWakeup} walks them all even when no slot is free
   * (exact readiness and deadlines); above it, with no slot free, it returns the deadline bound alone.
   */
  static final int EXACT_WAKEUP_LANES = 32;

  private final ProducerSettings settings;
  private final BatchLimits limits;
  private final ShardRouter router;
  private final RecordCompleter completer;
  private final RetryTokens retryTokens;
  private final SendMargin sendMargin;
  private final ProducerMetrics metrics;
  /** Where in the lanes holding records the next request starts (round-robin). */
  private int nextLaneIndex;
  /** Counts the requests assembled; a lane taken from is stamped with it ({@link Lane#batchStamp}). */
  private long batchCount;
  /** Set by {@link #sendable} when a ready lane was held back by its rate limit alone. */
  private boolean tokenShort;

  RequestAssembler(ProducerSettings settings, ShardRouter router, RecordCompleter completer, RetryTokens retryTokens,
      SendMargin sendMargin, ProducerMetrics metrics) {
    this.settings = settings;
    this.limits = settings.limits();
    this.router = router;
    this.completer = completer;
    this.retryTokens = retryTokens;
    this.sendMargin = sendMargin;
    this.metrics = metrics;
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
      if (!retryTokens.allows(retry)) {
        if (settings.preserveOrder()) {
          return null; // waits for the retry budget; its deadline is watched by expiry
        }
      } else {
        t = retry.notBefore;
        if (settings.preserveOrder()) {
          return t;
        }
      }
    }
    PendingRecord head = lane.peekFresh();
    if (head != null) {
      boolean full = lane.freshCount() >= limits.maxRecordsPerRequest()
          || lane.freshBytes() >= limits.maxRequestBytes();
      Instant f = urgent || full ? now : head.appendTime.plus(settings.lingerTime());
      if (t == null || f.isBefore(t)) {
        t = f;
      }
    }
    return t;
  }

  /**
   * Whether every lane's new records go at once: {@code forced} (closing, a flush, callers waiting
   * for buffer space) or the new records of all lanes together fill a request.
   */
  boolean urgent(boolean forced) {
    if (forced) {
      return true;
    }
    LaneBook book = router.book();
    return book.freshCount() >= limits.maxRecordsPerRequest() || book.freshBytes() >= limits.maxRequestBytes();
  }

  /** The next record a lane would send, dropping any that expired on the way. */
  private @Nullable PendingRecord candidate(Lane lane, Instant now) {
    PendingRecord retry = lane.peekRetry();
    if (retry != null && !retry.notBefore.isAfter(now) && retryTokens.allows(retry)) {
      return retry;
    }
    if (settings.preserveOrder() && retry != null) {
      return null;
    }
    return lane.peekFresh();
  }

  /** How many records' tokens a ready lane waits for before it sends (one aggregate counts as one). */
  private int recordsToWaitFor(Lane lane) {
    if (router.aggregates(lane)) {
      return 1; // one aggregate
    }
    return settings.preserveOrder() ? 1 : Math.max(1, Math.min(lane.size(), MAX_RECORDS_TO_WAIT_FOR));
  }

  /** How many bytes' tokens a ready lane waits for along with {@link #recordsToWaitFor}'s records. */
  private long bytesToWaitFor(Lane lane, PendingRecord head, int records) {
    if (router.aggregates(lane)) {
      return Math.max(head.sizeBytes, Math.min(lane.bytes(), settings.maxAggregateBytes()));
    }
    long avg = lane.size() == 0 ? head.sizeBytes : lane.bytes() / lane.size();
    return Math.max(head.sizeBytes, avg * records);
  }

  /** Whether a lane is ready and has the tokens for {@code 1/share} of what it waits for. */
  private boolean sendable(Lane lane, Instant now, boolean urgent, int share) {
    if (settings.preserveOrder() && lane.inFlight() > 0) {
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
    int records = recordsToWaitFor(lane);
    long bytes = bytesToWaitFor(lane, head, records);
    if (share > 1) {
      records = Math.max(1, records / share);
      bytes = Math.max(head.sizeBytes, bytes / share);
    }
    if (lane.limiter.canTake(records, bytes, now)) {
      return true;
    }
    tokenShort = true;
    return false;
  }

  /**
   * When a lane next has something to send or to expire (its readiness, its rate limit's tokens when
   * it is ready and a slot is free, its earliest deadline), over the lanes that hold records. Sets the
   * book's deadline bound again from what the lanes hold now (records sent since the last expiry scan
   * no longer hold it back).
   */
  Instant nextWakeup(Instant now, boolean urgent, boolean slotFree) {
    LaneBook book = router.book();
    List<Lane> active = book.active();
    if (!slotFree && active.size() > EXACT_WAKEUP_LANES) {
      // No request can go before an answer (which wakes the loop) frees a slot: only expiry needs a
      // timer, and the book's lower bound serves (a wake-up there at most finds it early once).
      return book.deadlineBound();
    }
    Instant next = Instant.MAX;
    Instant deadline = Instant.MAX;
    for (int i = 0, n = active.size(); i < n; i++) {
      Lane lane = active.get(i);
      if (lane.isEmpty()) {
        continue;
      }
      deadline = ShardRouter.min(deadline, lane.earliestDeadline());
      Instant ready = readyAt(lane, now, urgent);
      if (ready != null) {
        if (ready.isAfter(now)) {
          next = ShardRouter.min(next, ready);
        } else if (slotFree && !(settings.preserveOrder() && lane.inFlight() > 0)) {
          PendingRecord head = candidate(lane, now);
          if (head != null) {
            int records = recordsToWaitFor(lane);
            next = ShardRouter.min(next, lane.limiter.availableAt(records, bytesToWaitFor(lane, head, records), now));
          }
        }
      }
    }
    book.deadlineBound(deadline);
    return ShardRouter.min(next, deadline);
  }

  // ================================================================== assembly

  /**
   * Assembles the next request: visits the lanes that hold records once each, starting one lane further
   * on than the last request did, and takes from each lane that is ready what it may send now, until
   * the request is full. Empty lanes are not visited: a pass costs in proportion to the lanes with
   * records, not to the shards. Call {@link SendMargin#update} first.
   *
   * @return the request, empty when no lane had anything to send
   */
  Batch next(Instant now, boolean urgent) {
    List<Lane> active = router.book().active();
    int n = active.size();
    Batch batch = new Batch(limits, settings.preserveOrder());
    if (n == 0) {
      return batch;
    }
    if (nextLaneIndex >= n) {
      nextLaneIndex = 0;
    }
    long stamp = ++batchCount;
    tokenShort = false;
    for (int k = 0; k < n && !batch.full; k++) {
      Lane lane = active.get((nextLaneIndex + k) % n);
      if (sendable(lane, now, urgent, 1)) {
        take(lane, batch, now, stamp);
      }
    }
    if (tokenShort && !batch.records.isEmpty()) {
      // Lanes held back by their rate limit alone ride along with a share of their chunk.
      for (int k = 0; k < n && !batch.full; k++) {
        Lane lane = active.get((nextLaneIndex + k) % n);
        if (lane.batchStamp != stamp && sendable(lane, now, urgent, RIDE_ALONG_SHARE)) {
          take(lane, batch, now, stamp);
        }
      }
    }
    // One lane further on per request (not past the last lane taken from): when requests fill up
    // before every lane is visited, each lane in turn is visited first, so no shard starves the others.
    nextLaneIndex = (nextLaneIndex + 1) % n;
    return batch;
  }

  private void take(Lane lane, Batch batch, Instant now, long stamp) {
    int before = batch.records.size();
    if (router.aggregates(lane)) {
      takeAggregated(lane, batch, now);
    } else if (settings.preserveOrder()) {
      takeOrdered(lane, batch, now);
    } else {
      takePlain(lane, batch, now);
    }
    if (batch.records.size() > before && lane.batchStamp != stamp) {
      lane.batchStamp = stamp;
      batch.lanes.add(lane);
    }
  }

  /** Takes due retries, then new records, while the request has room and the shard's limiter allows. */
  private void takePlain(Lane lane, Batch batch, Instant now) {
    while (true) {
      PendingRecord r = candidate(lane, now);
      if (r == null) {
        return;
      }
      if (sendMargin.tooLate(r)) {
        lane.take(r);
        completer.fail(r, FailureReason.DEADLINE_EXCEEDED, now);
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
    retryTokens.spend(r);
    batch.add(r);
    return true;
  }

  /**
   * As {@link #takePlain}, keeping each partition key's order: every due retry goes before any new
   * record of the lane, and a request holds at most one record per key (later records of a key that
   * is already in the request are skipped, never taken ahead of it).
   */
  private void takeOrdered(Lane lane, Batch batch, Instant now) {
    PendingRecord r;
    while ((r = lane.peekRetry()) != null && !r.notBefore.isAfter(now)) {
      if (sendMargin.tooLate(r)) {
        lane.pollRetry();
        completer.fail(r, FailureReason.DEADLINE_EXCEEDED, now);
        continue;
      }
      if (!retryTokens.allows(r)) {
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
      retryTokens.spend(r);
      batch.add(r);
    }
    if (lane.hasRetries()) {
      return;
    }
    Iterator<PendingRecord> it = lane.freshInOrder();
    int scanned = 0;
    int limit = 2 * limits.maxRecordsPerRequest();
    while (it.hasNext() && scanned++ < limit) {
      r = it.next();
      if (sendMargin.tooLate(r)) {
        it.remove();
        completer.fail(r, FailureReason.DEADLINE_EXCEEDED, now);
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
      if (batch.entryCount() >= limits.maxRecordsPerRequest()) {
        batch.full = true;
        return;
      }
      long room = limits.maxRequestBytes() - batch.bytes;
      if (room <= 0) {
        batch.full = true;
        return;
      }
      if (!lane.limiter.canTake(1, 1, now)) {
        return;
      }
      long cap = Math.min(Math.min(settings.maxAggregateBytes(), room), lane.limiter.availableBytes(now));
      AggregateBuilder builder = cap > 0 ? new AggregateBuilder(cap) : null;
      members.clear();
      fromRetries.clear();
      long userBytes = 0;
      while (true) {
        PendingRecord r = candidate(lane, now);
        if (r == null) {
          break;
        }
        if (sendMargin.tooLate(r)) {
          lane.take(r);
          completer.fail(r, FailureReason.DEADLINE_EXCEEDED, now);
          continue;
        }
        if (builder == null || !builder.tryAdd(r.record)) {
          break;
        }
        fromRetries.add(lane.peekRetry() == r);
        lane.take(r);
        retryTokens.spend(r);
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
      retryTokens.giveBack(r);
      if (fromRetries.get(i)) {
        lane.addRetry(r);
      } else {
        lane.putBackFresh(r);
      }
    }
  }

  /** A request being assembled. */
  static final class Batch {
    private final BatchLimits limits;
    private final boolean preserveOrder;
    final List<PendingRecord> records;
    final List<Lane> lanes = new ArrayList<>();
    final Set<String> keys = new HashSet<>();
    long bytes;
    boolean full;
    /** The request entries, once the request holds an aggregate; null while every record is its own entry. */
    @Nullable List<PutRecordsRequestEntry> entries;
    /** Per entry, the end (exclusive) of its records in {@link #records}; with {@link #entries}. */
    int @Nullable [] ends;

    Batch(BatchLimits limits, boolean preserveOrder) {
      this.limits = limits;
      this.preserveOrder = preserveOrder;
      this.records = new ArrayList<>(limits.maxRecordsPerRequest());
    }

    int entryCount() {
      return entries == null ? records.size() : entries.size();
    }

    boolean fits(PendingRecord r) {
      return entryCount() < limits.maxRecordsPerRequest() && bytes + r.sizeBytes <= limits.maxRequestBytes();
    }

    void add(PendingRecord r) {
      records.add(r);
      bytes += r.sizeBytes;
      if (preserveOrder) {
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
        entries = new ArrayList<>(limits.maxRecordsPerRequest());
        ends = new int[limits.maxRecordsPerRequest()];
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
}
