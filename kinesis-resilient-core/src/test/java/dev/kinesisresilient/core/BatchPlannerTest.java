package dev.kinesisresilient.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

final class BatchPlannerTest {

  private static final Function<KinesisRecord, KinesisRecord> ID = Function.identity();

  @Test
  void plan_501SmallRecords_twoRequestsOf500And1() {
    List<KinesisRecord> records = new ArrayList<>();
    for (int i = 0; i < 501; i++) {
      records.add(KinesisRecord.of("k" + i, new byte[10]));
    }
    BatchPlanner.Plan<KinesisRecord> plan = BatchPlanner.plan(records, ID, BatchLimits.defaults());
    assertThat(plan.requests()).extracting(List::size).containsExactly(500, 1);
    assertThat(plan.rejected()).isEmpty();
  }

  @Test
  void plan_recordsCrossing5MiB_splitsByBytesCountingKeys() {
    // Five records of exactly 1 MiB (data + 1-byte key) fill 5 MiB; the sixth starts a new request.
    List<KinesisRecord> records = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      records.add(KinesisRecord.of(Integer.toString(i), new byte[(int) BatchLimits.MIB - 1]));
    }
    BatchPlanner.Plan<KinesisRecord> plan = BatchPlanner.plan(records, ID, BatchLimits.defaults());
    assertThat(plan.requests()).extracting(List::size).containsExactly(5, 1);
  }

  @Test
  void plan_oversizeRecord_rejectedAloneOthersKeptInOrder() {
    KinesisRecord a = KinesisRecord.of("a", new byte[1]);
    KinesisRecord big = KinesisRecord.of("b", new byte[(int) BatchLimits.MIB]);
    KinesisRecord c = KinesisRecord.of("c", new byte[1]);
    BatchPlanner.Plan<KinesisRecord> plan = BatchPlanner.plan(List.of(a, big, c), ID, BatchLimits.defaults());
    assertThat(plan.requests()).containsExactly(List.of(a, c));
    assertThat(plan.rejected()).hasSize(1);
    assertThat(plan.rejected().get(0).item()).isSameAs(big);
    assertThat(plan.rejected().get(0).error()).isInstanceOf(RecordTooLargeException.class)
        .hasMessageContaining("1048577 bytes");
  }

  @Test
  void plan_empty_noRequests() {
    assertThat(BatchPlanner.plan(List.<KinesisRecord>of(), ID, BatchLimits.defaults()).requests()).isEmpty();
  }

  @Property(tries = 300)
  void plan_anyInput_everyRecordOnceWithinLimitsInOrder(
      @ForAll("records") List<KinesisRecord> records, @ForAll("limits") BatchLimits limits) {
    BatchPlanner.Plan<KinesisRecord> plan = BatchPlanner.plan(records, ID, limits);

    Map<KinesisRecord, Integer> seen = new IdentityHashMap<>();
    List<KinesisRecord> sentInOrder = new ArrayList<>();
    for (List<KinesisRecord> request : plan.requests()) {
      assertThat(request).isNotEmpty();
      assertThat(request.size()).isLessThanOrEqualTo(limits.maxRecordsPerRequest());
      assertThat(request.stream().mapToLong(KinesisRecord::sizeBytes).sum())
          .isLessThanOrEqualTo(limits.maxRequestBytes());
      for (KinesisRecord r : request) {
        assertThat(r.sizeBytes()).isLessThanOrEqualTo(limits.maxRecordBytes());
        seen.merge(r, 1, Integer::sum);
        sentInOrder.add(r);
      }
    }
    for (BatchPlanner.Rejected<KinesisRecord> rej : plan.rejected()) {
      assertThat(rej.item().sizeBytes()).isGreaterThan(limits.maxRecordBytes());
      seen.merge(rej.item(), 1, Integer::sum);
    }
    // every input record appears exactly once, in a request or rejected
    assertThat(seen).hasSize(records.size());
    assertThat(seen.values()).allMatch(n -> n == 1);
    // order kept: the sent records are the inputs minus the rejected ones, in input order
    List<KinesisRecord> expected = new ArrayList<>();
    for (KinesisRecord r : records) {
      if (r.sizeBytes() <= limits.maxRecordBytes()) {
        expected.add(r);
      }
    }
    assertThat(sentInOrder).containsExactlyElementsOf(expected);
    // greedy: a request was closed only because the next record did not fit
    for (int k = 0; k + 1 < plan.requests().size(); k++) {
      List<KinesisRecord> req = plan.requests().get(k);
      KinesisRecord next = plan.requests().get(k + 1).get(0);
      long bytes = req.stream().mapToLong(KinesisRecord::sizeBytes).sum();
      assertThat(req.size() == limits.maxRecordsPerRequest() || bytes + next.sizeBytes() > limits.maxRequestBytes())
          .isTrue();
    }
  }

  @Provide
  Arbitrary<List<KinesisRecord>> records() {
    Arbitrary<String> keys = Arbitraries.strings().withCharRange('a', 'z').withChars('é', '€').ofMinLength(1).ofMaxLength(20);
    Arbitrary<Integer> sizes = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(8, Arbitraries.integers().between(0, 200)),
        net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(200, 5000)));
    return Combinators.combine(keys, sizes).as((k, s) -> KinesisRecord.of(k, new byte[s])).list().ofMaxSize(1500);
  }

  @Provide
  Arbitrary<BatchLimits> limits() {
    Arbitrary<Integer> count = Arbitraries.integers().between(1, 500);
    Arbitrary<Long> recordBytes = Arbitraries.longs().between(20, 6000);
    Arbitrary<Long> extra = Arbitraries.longs().between(0, 50_000);
    return Combinators.combine(count, recordBytes, extra).as((c, rb, ex) -> new BatchLimits(c, rb + ex, rb));
  }

  @Property(tries = 50)
  void plan_countOnly_requestsAreFullExceptLast(@ForAll @IntRange(min = 0, max = 2000) int n) {
    List<KinesisRecord> records = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      records.add(KinesisRecord.of("k", new byte[1]));
    }
    List<List<KinesisRecord>> requests = BatchPlanner.plan(records, ID, BatchLimits.defaults()).requests();
    assertThat(requests).hasSize((n + 499) / 500);
    for (int k = 0; k + 1 < requests.size(); k++) {
      assertThat(requests.get(k)).hasSize(500);
    }
  }
}
