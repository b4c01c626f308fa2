package dev.kinesisresilient.producer.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The rule for an aggregate that the service stored on a shard other than the one predicted for it
 * (the shard map was out of date: a reshard), and the aggregates waiting for a shard map that knows
 * the shard they landed on.
 *
 * <p>Kinesis routes an aggregate by its carrying record's explicit hash key only (the first user
 * record's hash key). The producer packs into one aggregate the user records predicted for one shard;
 * when the shard split after the prediction, the aggregate lands on one child and some of its user
 * records belong to the other. A KCL consumer reads an aggregate with {@code
 * AggregatorUtil.deaggregate(records, startingHashKey, endingHashKey)}, the range of the shard it
 * reads, and at the first user record whose hash key lies outside that range it drops the whole
 * aggregate, the user records before it included. So a user record of a misplaced aggregate is
 * acknowledged only when every user record of the aggregate lies inside the range of the shard it
 * landed on ({@link #keptByRangeFilter}); otherwise none is, and all are sent again (re-packed for the
 * shard they belong to), each within its own delivery deadline. The misplaced copy stays in the
 * stream: a consumer that does not filter by hash range (Lambda, {@code KplAggregation.decode}) sees
 * those user records twice.
 *
 * <p>When the shard the aggregate landed on is not in the current shard map (it opened after the last
 * listing), its range is unknown: the aggregate waits here ({@link #park}) until a listing started
 * after the response is installed, and is decided then. Sender thread only.
 */
final class MisplacedAggregates {

  /** An aggregate acknowledged on a shard that the shard map did not know, waiting for a refresh. */
  static final class Parked {
    /** The aggregate's user records; the one at index k has sub-sequence number k. */
    final PendingRecord[] records;
    final String shardId;
    final String sequenceNumber;
    /** The first listing (by {@code Sender}'s count of listings started) whose map decides. */
    final long decidingListing;

    Parked(PendingRecord[] records, String shardId, String sequenceNumber, long decidingListing) {
      this.records = records;
      this.shardId = Objects.requireNonNull(shardId, "shardId");
      this.sequenceNumber = Objects.requireNonNull(sequenceNumber, "sequenceNumber");
      this.decidingListing = decidingListing;
    }
  }

  private final List<Parked> parked = new ArrayList<>();

  /**
   * Whether a KCL consumer of the shard with range {@code range} keeps the aggregate of {@code
   * records}: only when every user record's hash key lies inside it (records already complete
   * included: they are in the aggregate all the same).
   */
  static boolean keptByRangeFilter(PendingRecord[] records, HashKeyRange range) {
    for (PendingRecord r : records) {
      if (!range.contains(r.hashKey)) {
        return false;
      }
    }
    return true;
  }

  void park(Parked p) {
    parked.add(p);
  }

  boolean isEmpty() {
    return parked.isEmpty();
  }

  /**
   * Removes and returns the aggregates that can be decided now: those whose shard the map names, and,
   * once the listing that decides them is in, the rest (their shard is unknown even to a listing made
   * after they landed: they are sent again).
   *
   * @param map the shard map just installed, or null when there is none
   * @param listing the count of listings started, the installed one included
   */
  List<Parked> takeDecidable(@Nullable ShardMap map, long listing) {
    List<Parked> out = new ArrayList<>();
    Iterator<Parked> it = parked.iterator();
    while (it.hasNext()) {
      Parked p = it.next();
      if (listing >= p.decidingListing || (map != null && map.rangeOf(p.shardId) != null)) {
        it.remove();
        out.add(p);
      }
    }
    return out;
  }

  /** Removes every waiting aggregate and returns its records that are not complete (close). */
  List<PendingRecord> takeAll() {
    List<PendingRecord> out = new ArrayList<>();
    for (Parked p : parked) {
      for (PendingRecord r : p.records) {
        if (!r.isDone()) {
          out.add(r);
        }
      }
    }
    parked.clear();
    return out;
  }

  /**
   * The waiting records (not complete) whose deadline is not after {@code now}; an aggregate whose
   * records are all complete is dropped from the wait.
   */
  List<PendingRecord> expired(Instant now) {
    if (parked.isEmpty()) {
      return List.of();
    }
    List<PendingRecord> out = new ArrayList<>();
    Iterator<Parked> it = parked.iterator();
    while (it.hasNext()) {
      boolean pending = false;
      for (PendingRecord r : it.next().records) {
        if (r.isDone()) {
          continue;
        }
        if (!now.isBefore(r.deadline)) {
          out.add(r);
        } else {
          pending = true;
        }
      }
      if (!pending) {
        it.remove();
      }
    }
    return out;
  }

  /** The earliest deadline of a waiting record, or {@link Instant#MAX}. */
  Instant earliestDeadline() {
    Instant min = Instant.MAX;
    for (Parked p : parked) {
      for (PendingRecord r : p.records) {
        if (!r.isDone() && r.deadline.isBefore(min)) {
          min = r.deadline;
        }
      }
    }
    return min;
  }
}
