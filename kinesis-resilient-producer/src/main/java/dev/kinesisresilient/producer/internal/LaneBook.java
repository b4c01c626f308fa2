package dev.kinesisresilient.producer.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The books a set of lanes keeps together, so that a pass of the sender loop costs in proportion to
 * the lanes that hold records, not to all lanes (at 1,000 shards most are empty at any moment): the
 * lanes that hold records ({@link #active}), the new records of all lanes together (whether they fill a
 * request: {@link RequestAssembler#urgent}), and a lower bound of every waiting record's delivery
 * deadline (no expiry scan before it comes). Each {@link Lane} reports its changes here. Sender thread
 * only.
 */
final class LaneBook {
  /** The lanes that may hold records: every lane that holds one is listed (once); empty ones until pruned. */
  private final ArrayList<Lane> active = new ArrayList<>();
  /** Lanes holding records now (each lane tells when it starts and stops). */
  private int holding;
  private long freshCount;
  private long freshBytes;
  /** No record waiting in a lane of this book has a delivery deadline before this. */
  private Instant deadlineBound = Instant.MAX;

  /** A record was added to {@code lane}: list the lane and lower the deadline bound. */
  void added(Lane lane, PendingRecord r) {
    if (!lane.listed) {
      lane.listed = true;
      active.add(lane);
    }
    if (r.deadline.isBefore(deadlineBound)) {
      deadlineBound = r.deadline;
    }
  }

  void holding(boolean holds) {
    holding += holds ? 1 : -1;
  }

  /** How many lanes hold records now. */
  int holding() {
    return holding;
  }

  void freshChanged(long records, long bytes) {
    freshCount += records;
    freshBytes += bytes;
  }

  /**
   * The lanes that hold records, in the order they came to hold them, and perhaps some that became
   * empty since: those are dropped once they are as many as the lanes holding records (so walking the
   * list costs in proportion to the lanes holding records, amortized O(1) per lane emptied). The list is
   * live: a lane that receives records while it is walked is appended; walk it by index up to the size
   * read first, and expect empty lanes.
   */
  List<Lane> active() {
    if (active.size() > 2 * holding + 8) {
      prune();
    }
    return active;
  }

  private void prune() {
    int w = 0;
    for (int i = 0; i < active.size(); i++) {
      Lane l = active.get(i);
      if (l.isEmpty()) {
        l.listed = false;
      } else {
        active.set(w++, l);
      }
    }
    if (w < active.size()) {
      active.subList(w, active.size()).clear();
    }
  }

  /** New records waiting in all lanes of this book. */
  long freshCount() {
    return freshCount;
  }

  /** Bytes of the new records waiting in all lanes of this book. */
  long freshBytes() {
    return freshBytes;
  }

  /** A lower bound of the delivery deadline of every waiting record, or {@link Instant#MAX}. */
  Instant deadlineBound() {
    return deadlineBound;
  }

  /** Sets the bound again after an expiry scan found the earliest deadline exactly. */
  void deadlineBound(Instant bound) {
    deadlineBound = bound;
  }
}
