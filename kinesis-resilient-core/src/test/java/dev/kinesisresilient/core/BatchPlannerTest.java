package dev.kinesisresilient.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Examples and seeded properties of {@link BatchPlanner}. A property runs once per seed of {@link Seeds};
 * re-run one seed with {@code -Dseed=N} (docs/testing.md).
 */
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

  // ---- seeded properties (Seeds: -Dseed=N re-runs one seed) ----

  /** Cases of {@link #plan_anyInput_everyRecordOnceWithinLimitsInOrder}. */
  static final int ANY_INPUT_CASES = 300;

  /** Cases of {@link #plan_countOnly_requestsAreFullExceptLast}. */
  static final int COUNT_ONLY_CASES = 100;

  /** The largest generated input list. */
  static final int MAX_RECORDS = 1500;

  static LongStream anyInputSeeds() {
    return Seeds.of(ANY_INPUT_CASES);
  }

  static LongStream countOnlySeeds() {
    return Seeds.of(COUNT_ONLY_CASES);
  }

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("anyInputSeeds")
  void plan_anyInput_everyRecordOnceWithinLimitsInOrder(long seed, TestInfo info) {
    PlanCase c = PlanCase.generate(seed);
    Seeds.check(seed, info, c::toString, () -> checkEveryRecordOnceWithinLimitsInOrder(c.records(), c.limits()));
  }

  private static void checkEveryRecordOnceWithinLimitsInOrder(List<KinesisRecord> records, BatchLimits limits) {
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

  @ParameterizedTest(name = "seed={0}")
  @MethodSource("countOnlySeeds")
  void plan_countOnly_requestsAreFullExceptLast(long seed, TestInfo info) {
    int n = countOnlySize(seed);
    Seeds.check(seed, info, () -> "n=" + n, () -> {
      List<KinesisRecord> records = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        records.add(KinesisRecord.of("k", new byte[1]));
      }
      List<List<KinesisRecord>> requests = BatchPlanner.plan(records, ID, BatchLimits.defaults()).requests();
      assertThat(requests).hasSize((n + 499) / 500);
      for (int k = 0; k + 1 < requests.size(); k++) {
        assertThat(requests.get(k)).hasSize(500);
      }
    });
  }

  /** The generators reach the edges: if this fails, a generator change lost part of the input space. */
  @Test
  void generators_defaultSeeds_coverTheEdges() {
    boolean empty = false;
    boolean single = false;
    boolean max = false;
    boolean countOne = false;
    boolean countMax = false;
    boolean noExtraBytes = false;
    boolean recordAtLimit = false;
    boolean recordOneOver = false;
    boolean requestExactlyFull = false;
    boolean closedByCount = false;
    boolean closedByBytes = false;
    boolean multiByteKey = false;
    boolean maxLengthKey = false;
    boolean emptyData = false;
    for (long seed = 0; seed < ANY_INPUT_CASES; seed++) {
      PlanCase c = PlanCase.generate(seed);
      BatchLimits l = c.limits();
      empty |= c.records().isEmpty();
      single |= c.records().size() == 1;
      max |= c.records().size() == MAX_RECORDS;
      countOne |= l.maxRecordsPerRequest() == 1;
      countMax |= l.maxRecordsPerRequest() == BatchLimits.MAX_RECORDS_PER_REQUEST;
      noExtraBytes |= l.maxRequestBytes() == l.maxRecordBytes();
      for (KinesisRecord r : c.records()) {
        recordAtLimit |= r.sizeBytes() == l.maxRecordBytes();
        recordOneOver |= r.sizeBytes() == l.maxRecordBytes() + 1;
        multiByteKey |= r.partitionKey().length() < r.sizeBytes() - r.dataBytes();
        maxLengthKey |= r.partitionKey().length() == 20;
        emptyData |= r.dataBytes() == 0;
      }
      List<List<KinesisRecord>> requests = BatchPlanner.plan(c.records(), ID, l).requests();
      for (int k = 0; k < requests.size(); k++) {
        long bytes = requests.get(k).stream().mapToLong(KinesisRecord::sizeBytes).sum();
        requestExactlyFull |= bytes == l.maxRequestBytes();
        if (k + 1 < requests.size()) {
          closedByCount |= requests.get(k).size() == l.maxRecordsPerRequest();
          closedByBytes |= bytes + requests.get(k + 1).get(0).sizeBytes() > l.maxRequestBytes();
        }
      }
    }
    assertThat(List.of(empty, single, max, countOne, countMax, noExtraBytes, recordAtLimit, recordOneOver,
        requestExactlyFull, closedByCount, closedByBytes, multiByteKey, maxLengthKey, emptyData))
        .containsOnly(true);

    List<Integer> sizes = new ArrayList<>();
    for (long seed = 0; seed < COUNT_ONLY_CASES; seed++) {
      sizes.add(countOnlySize(seed));
    }
    assertThat(sizes).contains(0, 1, 499, 500, 501, 1000, 1001, 2000);
  }

  /** n in 0..2000, a request boundary (0, 1, 499-501, 999-1001, 1999, 2000) one time in four. */
  private static int countOnlySize(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    if (random.nextInt(4) == 0) {
      int[] edges = {0, 1, 499, 500, 501, 999, 1000, 1001, 1999, 2000};
      return edges[random.nextInt(edges.length)];
    }
    return random.nextInt(0, 2001);
  }

  /**
   * One input of the any-input property: up to {@link #MAX_RECORDS} records with keys of 1-20 characters
   * from a-z, 'é' (2 UTF-8 bytes) and '€' (3 bytes), data mostly 0-200 bytes, sometimes 200-5000, and
   * sometimes exactly at, one under or one over the record limit; limits of 1-500 records, 20-6000 bytes
   * per record and that plus 0-50,000 per request. One case in ten holds only records of exactly the
   * record limit with a request limit that is a multiple of it, so requests fill to the byte.
   */
  record PlanCase(List<KinesisRecord> records, BatchLimits limits) {

    static PlanCase generate(long seed) {
      SplittableRandom random = new SplittableRandom(seed);
      int count = Seeds.edgy(random, 1, BatchLimits.MAX_RECORDS_PER_REQUEST);
      int recordBytes = Seeds.edgy(random, 20, 6000);
      boolean exactFill = random.nextInt(10) == 0;
      int extra = exactFill
          ? recordBytes * random.nextInt(0, Math.min(9, 50_000 / recordBytes) + 1)
          : Seeds.edgy(random, 0, 50_000);
      BatchLimits limits = new BatchLimits(count, recordBytes + extra, recordBytes);
      int n = switch (random.nextInt(10)) {
        case 0 -> new int[] {0, 1, MAX_RECORDS}[random.nextInt(3)];
        case 1, 2, 3, 4 -> random.nextInt(0, 51);
        default -> random.nextInt(0, MAX_RECORDS + 1);
      };
      List<KinesisRecord> records = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        String key = key(random);
        int keyBytes = key.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        int size;
        if (exactFill) {
          size = recordBytes - keyBytes;
        } else if (random.nextInt(10) == 0) {
          size = recordBytes - keyBytes + random.nextInt(-1, 2);  // at the limit, one under or one over
        } else if (random.nextInt(5) == 0) {
          size = Seeds.edgy(random, 200, 5000);
        } else {
          size = Seeds.edgy(random, 0, 200);
        }
        records.add(KinesisRecord.of(key, new byte[Math.max(0, size)]));
      }
      return new PlanCase(List.copyOf(records), limits);
    }

    private static String key(SplittableRandom random) {
      int length = Seeds.edgy(random, 1, 20);
      int mode = random.nextInt(8);  // 0: multi-byte characters only, 1: one repeated letter, else any mix
      StringBuilder key = new StringBuilder(length);
      for (int i = 0; i < length; i++) {
        if (mode == 0) {
          key.append(random.nextBoolean() ? 'é' : '€');
        } else if (mode == 1) {
          key.append('a');
        } else {
          int c = random.nextInt(28);
          key.append(c < 26 ? (char) ('a' + c) : c == 26 ? 'é' : '€');
        }
      }
      return key.toString();
    }

    @Override
    public String toString() {
      long min = records.stream().mapToLong(KinesisRecord::sizeBytes).min().orElse(0);
      long maxSize = records.stream().mapToLong(KinesisRecord::sizeBytes).max().orElse(0);
      return records.size() + " records of " + min + ".." + maxSize + " bytes (key included), " + limits;
    }
  }
}
