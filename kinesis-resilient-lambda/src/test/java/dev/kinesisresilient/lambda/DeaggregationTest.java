package dev.kinesisresilient.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import dev.kinesisresilient.core.KinesisRecord;
import dev.kinesisresilient.core.RetryPolicy;
import dev.kinesisresilient.core.aggregation.KplAggregation;
import dev.kinesisresilient.core.testing.ManualClock;
import dev.kinesisresilient.lambda.testing.FakeLambdaContext;
import dev.kinesisresilient.lambda.testing.KinesisEvents;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Transparent deaggregation of KPL aggregates by the processor. */
final class DeaggregationTest {

  private static final RetryPolicy ONE_ATTEMPT = RetryPolicy.builder().maxAttempts(1).build();

  private final ManualClock clock = ManualClock.create();
  private final List<QuarantinedRecord> quarantined = new CopyOnWriteArrayList<>();
  private final QuarantineSink sink = (r, left) -> quarantined.add(r);

  private KinesisEvents.Builder events() {
    return KinesisEvents.builder().clock(clock);
  }

  private static List<KinesisRecord> users(String... keyAndData) {
    List<KinesisRecord> out = new ArrayList<>();
    for (int i = 0; i < keyAndData.length; i += 2) {
      out.add(KinesisRecord.of(keyAndData[i], keyAndData[i + 1].getBytes(StandardCharsets.UTF_8)));
    }
    return out;
  }

  private KinesisBatchProcessor.Builder builder(RecordHandler h) {
    return KinesisBatchProcessor.builder(h).clock(clock).sleeper(clock::advance);
  }

  private FakeLambdaContext context(Duration timeout) {
    return FakeLambdaContext.builder().clock(clock).timeout(timeout).build();
  }

  private static String seq(KinesisEvent e, int i) {
    return e.getRecords().get(i).getKinesis().getSequenceNumber();
  }

  private static List<String> reported(StreamsEventResponse r) {
    return r.getBatchItemFailures().stream().map(StreamsEventResponse.BatchItemFailure::getItemIdentifier).toList();
  }

  @Test
  void aggregateWithMixedKeys_handlerSeesEachSubRecordWithOwnKeyAndTheAggregatesMetadata() {
    KinesisEvent e = events().record("plain-1", "p0")
        .aggregate(users("k1", "a0", "k2", "a1", "k1", "a2"))
        .record("plain-2", "p2").build();
    List<StreamRecord> seen = new ArrayList<>();
    BatchResult result = builder(seen::add).build().process(e, context(Duration.ofSeconds(30)));

    assertThat(reported(result.response())).isEmpty();
    assertThat(result.outcomes()).hasSize(5).containsOnly(RecordOutcome.SUCCEEDED);
    assertThat(seen).extracting(StreamRecord::dataAsString).containsExactly("p0", "a0", "a1", "a2", "p2");
    assertThat(seen).extracting(StreamRecord::partitionKey)
        .containsExactly("plain-1", "k1", "k2", "k1", "plain-2");
    KinesisEvent.Record outer = e.getRecords().get(1).getKinesis();
    for (int sub = 0; sub < 3; sub++) {
      StreamRecord r = seen.get(1 + sub);
      assertThat(r.sequenceNumber()).isEqualTo(outer.getSequenceNumber());
      assertThat(r.subSequenceNumber()).isEqualTo(sub);
      assertThat(r.aggregated()).isTrue();
      assertThat(r.idempotencyKey()).isEqualTo(outer.getSequenceNumber() + ":" + sub);
      assertThat(r.shardId()).isEqualTo(KinesisEvents.DEFAULT_SHARD_ID);
      assertThat(r.approximateArrivalTimestamp()).isEqualTo(outer.getApproximateArrivalTimestamp().toInstant());
      assertThat(r.attempt()).isEqualTo(1);
      assertThat(r.eventId()).isEqualTo(KinesisEvents.DEFAULT_SHARD_ID + ":" + outer.getSequenceNumber());
      assertThat(r.toString()).contains("subSequenceNumber=" + sub).doesNotContain("k1").doesNotContain("a" + sub);
    }
    assertThat(seen.get(0).aggregated()).isFalse();
    assertThat(seen.get(0).subSequenceNumber()).isZero();
    assertThat(seen.get(0).idempotencyKey()).isEqualTo(seq(e, 0) + ":0");
  }

  @Test
  void thirdSubRecordFails_reportsTheAggregatesSequenceNumber_earlierRecordsSucceedLaterNotStarted() {
    KinesisEvent e = events().record("x", "p0").record("y", "p1")
        .aggregate(users("a", "s0", "b", "s1", "c", "s2", "a", "s3", "b", "s4"))
        .record("z", "p3").build();
    List<String> seen = new ArrayList<>();
    BatchResult result = builder(r -> {
      seen.add(r.dataAsString());
      if (r.dataAsString().equals("s2")) {
        throw new IllegalStateException("third sub-record");
      }
    }).build().process(e, context(Duration.ofSeconds(30)));

    assertThat(reported(result.response())).containsExactly(seq(e, 2));
    assertThat(result.reportedSequenceNumber()).isEqualTo(seq(e, 2));
    assertThat(result.stopReason()).isEqualTo(StopReason.RECORD_FAILED);
    assertThat(result.outcomes()).containsExactly(RecordOutcome.SUCCEEDED, RecordOutcome.SUCCEEDED,
        RecordOutcome.SUCCEEDED, RecordOutcome.SUCCEEDED, RecordOutcome.FAILED,
        RecordOutcome.NOT_PROCESSED, RecordOutcome.NOT_PROCESSED, RecordOutcome.NOT_PROCESSED);
    // three in-process attempts of s2 (default retry policy), nothing after it
    assertThat(seen).containsExactly("p0", "p1", "s0", "s1", "s2", "s2", "s2");
  }

  @Test
  void failureWithPartialBatchResponseOff_throwsWithTheAggregatesSequenceNumber() {
    KinesisEvent e = events().record("x", "p0").aggregate(users("a", "ok", "b", "bad")).build();
    KinesisBatchProcessor p = builder(r -> {
      if (r.dataAsString().equals("bad")) {
        throw new IllegalStateException("bad");
      }
    }).retryPolicy(ONE_ATTEMPT).partialBatchResponse(false).build();
    assertThatThrownBy(() -> p.process(e, context(Duration.ofSeconds(30))))
        .isInstanceOf(BatchFailedException.class)
        .satisfies(t -> assertThat(((BatchFailedException) t).sequenceNumber()).isEqualTo(seq(e, 1)));
  }

  @Test
  void deadlineReachedMidAggregate_reportsTheAggregatesSequenceNumber() {
    KinesisEvent e = events().record("x", "p0")
        .aggregate(users("a", "s0", "b", "slow", "a", "s2", "c", "s3"))
        .record("y", "p2").build();
    List<String> seen = new ArrayList<>();
    BatchResult result = builder(r -> {
      seen.add(r.dataAsString());
      if (r.dataAsString().equals("slow")) {
        clock.advance(Duration.ofMillis(8_500));
      }
    }).safetyMargin(Duration.ofSeconds(2)).build().process(e, context(Duration.ofSeconds(10)));

    assertThat(result.stopReason()).isEqualTo(StopReason.DEADLINE);
    assertThat(reported(result.response())).containsExactly(seq(e, 1));
    assertThat(seen).containsExactly("p0", "s0", "slow");
    assertThat(result.outcomes()).containsExactly(RecordOutcome.SUCCEEDED, RecordOutcome.SUCCEEDED,
        RecordOutcome.SUCCEEDED, RecordOutcome.NOT_PROCESSED, RecordOutcome.NOT_PROCESSED,
        RecordOutcome.NOT_PROCESSED);
  }

  @Test
  void poisonSubRecordQuarantined_restOfTheAggregateAndTheShardMoveOn() {
    KinesisEvent e = events().aggregate(users("a", "ok0", "b", "pill", "c", "ok2")).record("d", "p1").build();
    List<String> handled = new ArrayList<>();
    BatchResult result = builder(r -> {
      if (r.dataAsString().equals("pill")) {
        throw new IllegalArgumentException("poison");
      }
      handled.add(r.dataAsString());
    }).quarantineSink(sink).build().process(e, context(Duration.ofSeconds(30)));

    assertThat(reported(result.response())).isEmpty();
    assertThat(result.stopReason()).isEqualTo(StopReason.COMPLETED);
    assertThat(result.outcomes()).containsExactly(RecordOutcome.SUCCEEDED, RecordOutcome.QUARANTINED,
        RecordOutcome.SUCCEEDED, RecordOutcome.SUCCEEDED);
    assertThat(handled).containsExactly("ok0", "ok2", "p1");
    assertThat(quarantined).singleElement().satisfies(q -> {
      assertThat(q.reason()).isEqualTo(QuarantineReason.RETRIES_EXHAUSTED);
      assertThat(q.attempts()).isEqualTo(3);
      assertThat(q.record().sequenceNumber()).isEqualTo(seq(e, 0));
      assertThat(q.record().subSequenceNumber()).isEqualTo(1);
      assertThat(q.record().aggregated()).isTrue();
      assertThat(q.record().partitionKey()).isEqualTo("b");
      assertThat(q.record().dataAsString()).isEqualTo("pill");
      assertThat(q.record().attempt()).isEqualTo(3);
    });
  }

  @Test
  void overAgeAggregate_eachSubRecordQuarantinedForAge() {
    KinesisEvent e = events().aggregate(users("a", "x", "b", "y")).build();
    clock.advance(Duration.ofHours(2));
    BatchResult result = builder(r -> { throw new AssertionError("too old to handle"); })
        .maxRecordAge(Duration.ofHours(1)).quarantineSink(sink).build().process(e, context(Duration.ofSeconds(30)));
    assertThat(result.outcomes()).containsExactly(RecordOutcome.EXPIRED_QUARANTINED, RecordOutcome.EXPIRED_QUARANTINED);
    assertThat(quarantined).extracting(q -> q.record().subSequenceNumber()).containsExactly(0L, 1L);
  }

  @Test
  void filterAppliesPerSubRecord() {
    KinesisEvent e = events().aggregate(users("a", "keep-1", "b", "drop", "c", "keep-2")).build();
    List<String> handled = new ArrayList<>();
    BatchResult result = builder(r -> handled.add(r.dataAsString())).filter(r -> r.dataAsString().startsWith("keep"))
        .build().process(e, context(Duration.ofSeconds(30)));
    assertThat(result.outcomes()).containsExactly(RecordOutcome.SUCCEEDED, RecordOutcome.FILTERED,
        RecordOutcome.SUCCEEDED);
    assertThat(handled).containsExactly("keep-1", "keep-2");
  }

  @Test
  void nonAggregatedAndMalformedAggregates_passThroughUnchanged() {
    byte[] valid = KplAggregation.encode(users("a", "x", "b", "y"));
    byte[] badDigest = valid.clone();
    badDigest[badDigest.length - 1] ^= 1;
    byte[] truncated = Arrays.copyOf(valid, valid.length - 5);
    byte[] magicOnly = KplAggregation.magic();
    byte[] garbageMessage = withDigest(new byte[] {(byte) 0xFF, (byte) 0xFF, 0x01});
    List<byte[]> payloads = List.of("{\"plain\":1}".getBytes(StandardCharsets.UTF_8), badDigest, truncated,
        magicOnly, garbageMessage, new byte[0]);
    KinesisEvents.Builder b = events();
    for (int i = 0; i < payloads.size(); i++) {
      b.record("key-" + i, payloads.get(i));
    }
    KinesisEvent e = b.build();
    List<StreamRecord> seen = new ArrayList<>();
    BatchResult result = builder(seen::add).build().process(e, context(Duration.ofSeconds(30)));

    assertThat(result.outcomes()).hasSize(payloads.size()).containsOnly(RecordOutcome.SUCCEEDED);
    assertThat(seen).hasSize(payloads.size());
    for (int i = 0; i < payloads.size(); i++) {
      StreamRecord r = seen.get(i);
      assertThat(r.dataBytes()).as("payload %d", i).isEqualTo(payloads.get(i));
      assertThat(r.partitionKey()).isEqualTo("key-" + i);
      assertThat(r.sequenceNumber()).isEqualTo(seq(e, i));
      assertThat(r.subSequenceNumber()).isZero();
      assertThat(r.aggregated()).isFalse();
    }
  }

  @Test
  void aggregateWithoutRecords_handsNothingAndDoesNotBlockTheBatch() {
    KinesisEvent e = events().record("a", "p0").record("empty", withDigest(new byte[0])).record("b", "p2").build();
    List<String> seen = new ArrayList<>();
    BatchResult result = builder(r -> seen.add(r.dataAsString())).build().process(e, context(Duration.ofSeconds(30)));
    assertThat(seen).containsExactly("p0", "p2");
    assertThat(result.outcomes()).containsExactly(RecordOutcome.SUCCEEDED, RecordOutcome.SUCCEEDED);
    assertThat(result.stopReason()).isEqualTo(StopReason.COMPLETED);
  }

  @Test
  void deaggregateOff_handlerSeesTheAggregateAsLambdaDeliversIt() {
    byte[] aggregate = KplAggregation.encode(users("a", "x", "b", "y"));
    KinesisEvent e = events().record("a", aggregate).build();
    List<StreamRecord> seen = new ArrayList<>();
    builder(seen::add).deaggregate(false).build().process(e, context(Duration.ofSeconds(30)));
    assertThat(seen).singleElement().satisfies(r -> {
      assertThat(r.dataBytes()).isEqualTo(aggregate);
      assertThat(r.aggregated()).isFalse();
    });
    assertThatThrownBy(() -> KinesisBatchProcessor.builder(r -> { }).deaggregate(false).deaggregate(true))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void orderedParallelism_subRecordsRunByTheirOwnKeyInOrder_failureReportsItsAggregate() {
    // aggregate 0 (outer key a): a0 b1 a2; aggregate 1 (outer key b): b3 c4 a5; plain c6
    KinesisEvent e = events().aggregate(users("a", "a0", "b", "b1", "a", "a2"))
        .aggregate(users("b", "b3", "c", "c4", "a", "a5")).record("c", "c6").build();
    Map<String, List<String>> perKey = new HashMap<>();
    KinesisBatchProcessor p = builder(r -> {
      perKey.computeIfAbsent(r.partitionKey(), k -> new ArrayList<>()).add(r.dataAsString());
      if (r.dataAsString().equals("b3")) {
        throw new IllegalStateException("b3");
      }
    }).retryPolicy(ONE_ATTEMPT).orderedParallelism(2, Runnable::run).build();
    BatchResult result = p.process(e, context(Duration.ofSeconds(30)));

    assertThat(reported(result.response())).containsExactly(seq(e, 1));
    // outcomes in event order: a0 b1 a2 | b3 c4 a5 | c6
    List<RecordOutcome> o = result.outcomes();
    assertThat(o.subList(0, 3)).containsOnly(RecordOutcome.SUCCEEDED);
    assertThat(o.get(3)).isEqualTo(RecordOutcome.FAILED);
    assertThat(o.get(4)).isEqualTo(RecordOutcome.NOT_PROCESSED); // same aggregate as the failure: not started
    assertThat(o.get(6)).isEqualTo(RecordOutcome.NOT_PROCESSED);
    assertThat(perKey.get("a")).isSubsetOf("a0", "a2", "a5").startsWith("a0", "a2");
    assertThat(perKey.get("b")).containsExactly("b1", "b3");
    assertThat(perKey).doesNotContainKey("c");
  }

  @Test
  void orderedParallelismOnThreads_aggregatesWithManyKeys_everyUserRecordOnceEachKeyInOrder() {
    KinesisEvents.Builder b = events();
    int n = 0;
    for (int agg = 0; agg < 60; agg++) {
      List<KinesisRecord> rs = new ArrayList<>();
      for (int sub = 0; sub < 10; sub++, n++) {
        rs.add(KinesisRecord.of("key-" + (n % 7), Integer.toString(n).getBytes(StandardCharsets.UTF_8)));
      }
      b.aggregate(rs);
    }
    KinesisEvent e = b.build();
    ConcurrentHashMap<String, List<Integer>> perKey = new ConcurrentHashMap<>();
    Set<String> keys = ConcurrentHashMap.newKeySet();
    try (KinesisBatchProcessor p = KinesisBatchProcessor.builder(r -> {
          assertThat(keys.add(r.idempotencyKey())).isTrue();
          perKey.computeIfAbsent(r.partitionKey(), k -> new CopyOnWriteArrayList<>())
              .add(Integer.parseInt(r.dataAsString()));
        }).orderedParallelism(4).build()) {
      BatchResult result = p.process(e, FakeLambdaContext.builder().timeout(Duration.ofMinutes(1)).build());
      assertThat(reported(result.response())).isEmpty();
      assertThat(result.outcomes()).hasSize(600).containsOnly(RecordOutcome.SUCCEEDED);
    }
    assertThat(keys).hasSize(600);
    assertThat(perKey).hasSize(7);
    perKey.forEach((k, l) -> assertThat(l).as(k).isSorted());
  }

  @Test
  void randomMixOfAggregatesAndRecords_reportIsTheCarrierOfTheFirstFailingUserRecord() {
    SplittableRandom random = new SplittableRandom(7);
    for (int round = 0; round < 200; round++) {
      KinesisEvents.Builder b = events();
      List<List<String>> carried = new ArrayList<>();
      int n = 0;
      int records = 1 + random.nextInt(12);
      for (int i = 0; i < records; i++) {
        if (random.nextBoolean()) {
          List<KinesisRecord> rs = new ArrayList<>();
          List<String> data = new ArrayList<>();
          for (int sub = 0, subs = 1 + random.nextInt(6); sub < subs; sub++, n++) {
            rs.add(KinesisRecord.of("k" + random.nextInt(4), ("u" + n).getBytes(StandardCharsets.UTF_8)));
            data.add("u" + n);
          }
          b.aggregate(rs);
          carried.add(data);
        } else {
          b.record("k" + random.nextInt(4), "u" + n);
          carried.add(List.of("u" + n++));
        }
      }
      KinesisEvent e = b.build();
      Set<String> failing = new java.util.HashSet<>();
      for (int u = 0; u < n; u++) {
        if (random.nextInt(8) == 0) {
          failing.add("u" + u);
        }
      }
      List<String> handled = new ArrayList<>();
      KinesisBatchProcessor p = builder(r -> {
        handled.add(r.dataAsString());
        if (failing.contains(r.dataAsString())) {
          throw new IllegalStateException("x");
        }
      }).retryPolicy(ONE_ATTEMPT).build();

      String expected = null;
      int expectedIndex = -1;
      List<String> expectedHandled = new ArrayList<>();
      outer:
      for (int i = 0; i < carried.size(); i++) {
        for (String u : carried.get(i)) {
          expectedHandled.add(u);
          if (failing.contains(u)) {
            expected = seq(e, i);
            expectedIndex = i;
            break outer;
          }
        }
      }
      if (expectedIndex == 0 && records > 1) {
        // a user record of the first Kinesis record failed for good: the invocation fails (bisect)
        String first = expected;
        assertThatThrownBy(() -> p.process(e, context(Duration.ofSeconds(30)))).as("round %d", round)
            .isInstanceOf(BatchFailedException.class)
            .satisfies(t -> assertThat(((BatchFailedException) t).sequenceNumber()).isEqualTo(first));
        assertThat(handled).as("round %d", round).isEqualTo(expectedHandled);
        continue;
      }
      BatchResult result = p.process(e, context(Duration.ofSeconds(30)));
      assertThat(result.reportedSequenceNumber()).as("round %d", round).isEqualTo(expected);
      assertThat(handled).as("round %d", round).isEqualTo(expectedHandled);
      assertThat(result.outcomes()).hasSize(n);
    }
  }

  /** Magic, the given message bytes and their MD5. */
  static byte[] withDigest(byte[] message) {
    try {
      byte[] digest = MessageDigest.getInstance("MD5").digest(message);
      byte[] out = new byte[4 + message.length + 16];
      System.arraycopy(KplAggregation.magic(), 0, out, 0, 4);
      System.arraycopy(message, 0, out, 4, message.length);
      System.arraycopy(digest, 0, out, 4 + message.length, 16);
      return out;
    } catch (java.security.NoSuchAlgorithmException ex) {
      throw new IllegalStateException(ex);
    }
  }
}
