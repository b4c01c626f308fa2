package dev.kinesisresilient.producer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kinesisresilient.core.KinesisRecord;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Lane keeps its own books: counts, bytes and the earliest retry deadline follow every change. */
final class LaneTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private static PendingRecord record(long seq, int dataBytes, Instant deadline) {
    KinesisRecord r = KinesisRecord.of("k" + seq, "x".repeat(dataBytes).getBytes(StandardCharsets.UTF_8));
    return new PendingRecord(r, PendingRecord.entryOf(r), dataBytes, seq, BigInteger.ONE, T0, deadline);
  }

  private static Lane lane() {
    return new Lane("shardId-000000000000", new AdaptiveRateLimiter(1000, 1 << 20, 1, T0));
  }

  @Test
  void freshInOrder_remove_keepsBytes() {
    Lane lane = lane();
    lane.addFresh(record(1, 10, T0.plusSeconds(9)));
    lane.addFresh(record(2, 20, T0.plusSeconds(9)));
    lane.addFresh(record(3, 30, T0.plusSeconds(9)));
    Iterator<PendingRecord> it = lane.freshInOrder();
    it.next();
    it.next();
    it.remove();
    assertThat(lane.freshCount()).isEqualTo(2);
    assertThat(lane.freshBytes()).isEqualTo(40);
    assertThat(lane.bytes()).isEqualTo(40);
  }

  @Test
  void takeThenPutBackFresh_restoresHeadAndBytes() {
    Lane lane = lane();
    PendingRecord a = record(1, 10, T0.plusSeconds(9));
    lane.addFresh(a);
    lane.addFresh(record(2, 20, T0.plusSeconds(9)));
    lane.take(a);
    assertThat(lane.freshBytes()).isEqualTo(20);
    lane.putBackFresh(a);
    assertThat(lane.peekFresh()).isSameAs(a);
    assertThat(lane.freshBytes()).isEqualTo(30);
  }

  @Test
  void expireRetries_removesOnlyDueOnes_andTracksEarliestDeadline() {
    Lane lane = lane();
    PendingRecord early = record(1, 10, T0.plusSeconds(1));
    PendingRecord late = record(2, 20, T0.plusSeconds(5));
    lane.addRetry(late);
    lane.addRetry(early);
    assertThat(lane.minRetryDeadline()).isEqualTo(T0.plusSeconds(1));
    assertThat(lane.expireRetries(T0)).isEmpty();
    List<PendingRecord> expired = lane.expireRetries(T0.plusSeconds(1));
    assertThat(expired).containsExactly(early);
    assertThat(lane.minRetryDeadline()).isEqualTo(T0.plusSeconds(5));
    assertThat(lane.bytes()).isEqualTo(20);
    assertThat(lane.size()).isEqualTo(1);
  }

  @Test
  void drain_takesRetriesThenFresh_andEmptiesTheBooks() {
    Lane lane = lane();
    PendingRecord fresh = record(1, 10, T0.plusSeconds(9));
    PendingRecord retry = record(2, 20, T0.plusSeconds(9));
    lane.addFresh(fresh);
    lane.addRetry(retry);
    assertThat(lane.drain()).containsExactly(retry, fresh);
    assertThat(lane.isEmpty()).isTrue();
    assertThat(lane.bytes()).isZero();
    assertThat(lane.minRetryDeadline()).isEqualTo(Instant.MAX);
  }

  @Test
  void pollExpiredFresh_onlyAtOrAfterTheHeadsDeadline() {
    Lane lane = lane();
    PendingRecord a = record(1, 10, T0.plusSeconds(1));
    lane.addFresh(a);
    assertThat(lane.pollExpiredFresh(T0)).isNull();
    assertThat(lane.pollExpiredFresh(T0.plusSeconds(1))).isSameAs(a);
    assertThat(lane.freshBytes()).isZero();
  }

  @Test
  void book_listsEachLaneHoldingRecordsOnce_countsThem_andDropsEmptyOnes() {
    LaneBook book = new LaneBook();
    Lane a = new Lane("shardId-000000000000", new AdaptiveRateLimiter(1000, 1 << 20, 1, T0), book);
    Lane b = new Lane("shardId-000000000001", new AdaptiveRateLimiter(1000, 1 << 20, 1, T0), book);
    new Lane("shardId-000000000002", new AdaptiveRateLimiter(1000, 1 << 20, 1, T0), book);
    assertThat(book.active()).isEmpty();
    PendingRecord r1 = record(1, 10, T0.plusSeconds(9));
    b.addFresh(r1);
    b.addFresh(record(2, 20, T0.plusSeconds(9)));
    a.addRetry(record(3, 30, T0.plusSeconds(9)));
    assertThat(book.active()).containsExactly(b, a);
    assertThat(book.holding()).isEqualTo(2);
    assertThat(book.freshCount()).isEqualTo(2);
    assertThat(book.freshBytes()).isEqualTo(30);

    b.take(r1);
    b.pollFresh();
    assertThat(book.freshCount()).isZero();
    assertThat(book.freshBytes()).isZero();
    assertThat(book.holding()).as("b is empty now").isEqualTo(1);
    b.putBackFresh(r1);
    assertThat(book.holding()).isEqualTo(2);
    assertThat(book.active()).as("listed once").containsExactly(b, a);
    assertThat(book.freshCount()).isEqualTo(1);
    Iterator<PendingRecord> it = b.freshInOrder();
    it.next();
    it.remove();
    assertThat(book.holding()).isEqualTo(1);
    a.drain();
    assertThat(book.freshCount()).isZero();
    assertThat(book.holding()).isZero();

    // Many lanes that held records and are empty again are dropped from the list.
    List<Lane> many = new java.util.ArrayList<>();
    for (int i = 0; i < 40; i++) {
      Lane l = new Lane("shardId-1" + i, new AdaptiveRateLimiter(1000, 1 << 20, 1, T0), book);
      PendingRecord r = record(100 + i, 10, T0.plusSeconds(9));
      l.addFresh(r);
      many.add(l);
    }
    many.get(7).addRetry(record(200, 10, T0.plusSeconds(9)));
    assertThat(book.holding()).isEqualTo(40);
    for (Lane l : many) {
      l.pollFresh();
    }
    assertThat(book.holding()).isEqualTo(1);
    assertThat(book.active()).containsExactly(many.get(7));
  }

  @Test
  void book_deadlineBound_isLoweredByEveryAdd_andEarliestDeadlineIsExact() {
    LaneBook book = new LaneBook();
    Lane a = new Lane("shardId-000000000000", new AdaptiveRateLimiter(1000, 1 << 20, 1, T0), book);
    Lane b = new Lane("shardId-000000000001", new AdaptiveRateLimiter(1000, 1 << 20, 1, T0), book);
    assertThat(book.deadlineBound()).isEqualTo(Instant.MAX);
    a.addFresh(record(1, 10, T0.plusSeconds(9)));
    assertThat(book.deadlineBound()).isEqualTo(T0.plusSeconds(9));
    b.addRetry(record(2, 10, T0.plusSeconds(4)));
    assertThat(book.deadlineBound()).isEqualTo(T0.plusSeconds(4));
    book.deadlineBound(T0.plusSeconds(4));
    PendingRecord early = record(3, 10, T0.plusSeconds(2));
    a.putBackFresh(early);
    assertThat(book.deadlineBound()).as("a record put back lowers it too").isEqualTo(T0.plusSeconds(2));
    assertThat(a.earliestDeadline()).isEqualTo(T0.plusSeconds(2));
    assertThat(b.earliestDeadline()).isEqualTo(T0.plusSeconds(4));
    a.take(early);
    assertThat(a.earliestDeadline()).isEqualTo(T0.plusSeconds(9));
  }
}
