package dev.kinesisresilient.producer.internal;

import static dev.kinesisresilient.producer.internal.Harness.shardId;
import static dev.kinesisresilient.producer.internal.Harness.toShard;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kinesisresilient.core.BatchLimits;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;

/**
 * While lanes wait for rate-limit tokens the loop sleeps until the time the tokens suffice (no waking
 * every millisecond), and lanes short of tokens ride along in the request another lane's tokens start,
 * so rate-limited lanes share wake-ups and requests instead of each waking on its own.
 */
final class TokenWaitTest {

  @Test
  void waitingForTokens_wakesWhenTheySuffice_andAnEarlierPassSendsNothing() {
    Harness h = Harness.create(2, b -> b.lingerTime(Duration.ZERO));
    h.step();
    Instant t0 = h.clock.instant();
    for (int i = 0; i < 1500; i++) {
      h.send(toShard(0, 2, "k" + i, 10));
    }
    Instant next = h.step();
    assertThat(h.producer.stats().acknowledged()).isEqualTo(1000);
    assertThat(next).as("100 records' tokens at 1,000 records/s").isEqualTo(t0.plusMillis(100));
    int requests = h.fake.putRecordsRequests().size();

    h.clock.set(t0.plusMillis(60)); // woken early (an answer, a send): nothing to do yet
    assertThat(h.step()).as("the same wake-up, not a poll").isEqualTo(t0.plusMillis(100));
    assertThat(h.fake.putRecordsRequests()).hasSize(requests);

    h.clock.set(t0.plusMillis(100));
    next = h.step();
    assertThat(h.fake.putRecordsRequests()).hasSize(requests + 1);
    assertThat(h.producer.stats().acknowledged()).isEqualTo(1100);
    assertThat(next).isEqualTo(t0.plusMillis(200));
    assertThat(h.producer.stats().throttledEntries()).isZero();
  }

  @Test
  void aggregatingLaneShortOfBytes_wakesWhenAnAggregatesBytesAreBack() {
    Harness h = Harness.create(1, b -> b.lingerTime(Duration.ZERO).aggregation(true)
        .deliveryTimeout(Duration.ofMinutes(5)));
    h.step();
    Instant t0 = h.clock.instant();
    for (int i = 0; i < 1500; i++) {
      h.send(toShard(0, 1, "k" + i, 1000));
    }
    Instant next = h.step();
    long maxAggregateBytes = 50 * 1024;
    long nanos = -Math.floorDiv(-maxAggregateBytes * 1_000_000_000L, BatchLimits.MIB); // ceil
    assertThat(next).as("about one full aggregate's bytes at 1 MiB/s (less what the bucket kept)")
        .isAfter(t0.plusMillis(40)).isBeforeOrEqualTo(t0.plusNanos(nanos));
    int requests = h.fake.putRecordsRequests().size();
    h.clock.set(t0.plusMillis(20));
    assertThat(h.step()).as("the same wake-up, not a poll").isEqualTo(next);
    assertThat(h.fake.putRecordsRequests()).hasSize(requests);
    h.clock.set(next);
    h.step();
    assertThat(h.fake.putRecordsRequests()).hasSize(requests + 1);
    assertThat(h.producer.stats().throttledEntries()).isZero();
  }

  @Test
  void lanesShortOfTokens_rideAlong_andThenWakeTogether() {
    Harness h = Harness.create(2, b -> b.lingerTime(Duration.ZERO));
    h.step();
    Instant t0 = h.clock.instant();
    for (int i = 0; i < 1500; i++) {
      h.send(toShard(0, 2, "a" + i, 10));
    }
    h.step(); // shard 0: 1,000 sent, its bucket empty at t0
    h.clock.set(t0.plusMillis(30));
    for (int i = 0; i < 1500; i++) {
      h.send(toShard(1, 2, "b" + i, 10));
    }
    Instant next = h.step(); // shard 1: 1,000 sent, its bucket empty at t0 + 30 ms
    assertThat(next).isEqualTo(t0.plusMillis(100));

    h.clock.set(next);
    next = h.step();
    List<PutRecordsRequest> requests = h.fake.putRecordsRequests();
    PutRecordsRequest last = requests.get(requests.size() - 1);
    Set<String> keys = new HashSet<>();
    for (PutRecordsRequestEntry e : last.records()) {
      keys.add(e.partitionKey().substring(0, 1));
    }
    assertThat(keys).as("shard 1, 70 records' tokens short of its 100, rode along").containsExactlyInAnyOrder("a",
        "b");
    assertThat(last.records()).hasSize(170);
    assertThat(next).as("both buckets emptied together: one wake-up for both").isEqualTo(t0.plusMillis(200));
    assertThat(h.fake.storedRecords(Harness.STREAM, shardId(1))).hasSize(1070);
    assertThat(h.producer.stats().throttledEntries()).isZero();
  }
}
