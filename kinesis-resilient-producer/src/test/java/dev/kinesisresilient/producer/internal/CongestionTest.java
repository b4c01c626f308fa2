package dev.kinesisresilient.producer.internal;

import static dev.kinesisresilient.producer.internal.Harness.record;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kinesisresilient.core.FailureReason;
import dev.kinesisresilient.core.KinesisRecord;
import dev.kinesisresilient.core.RecordResult;
import dev.kinesisresilient.core.RetryBudget;
import dev.kinesisresilient.core.testing.FakeKinesisAsyncClient;
import dev.kinesisresilient.core.testing.ManualClock;
import dev.kinesisresilient.core.testing.ManualScheduler;
import dev.kinesisresilient.producer.BuilderSettings;
import dev.kinesisresilient.producer.ResilientProducer;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryRequest;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryResponse;
import software.amazon.awssdk.services.kinesis.model.ListShardsRequest;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;

/** The sender under congestion: adaptive in-flight bound, overdue attempts, retry budget. */
final class CongestionTest {

  private static final long UNLIMITED_BYTES = 1024L * 1024 * 1024;

  /** Runs the loop until nothing is left to do, or {@code steps} passes. */
  private static void runUntilIdle(Harness h, int steps) {
    for (int i = 0; i < steps; i++) {
      Instant next = h.step();
      if (next.equals(Instant.MAX)) {
        return;
      }
      h.clock.set(next);
    }
  }

  private static long entriesSent(Harness h) {
    return h.fake.putRecordsRequests().stream().mapToLong(r -> r.records().size()).sum();
  }

  @Test
  void attemptTimeout_overdueRequestKeepsItsSlot_lateAnswerAcknowledges_nothingResent() {
    Harness h = Harness.create(4, b -> b.lingerTime(Duration.ZERO).maxInFlightRequests(2)
        .attemptTimeout(Duration.ofSeconds(1)).shardLimits(1_000_000, UNLIMITED_BYTES));
    h.step();
    ManualScheduler server = ManualScheduler.create(h.clock);
    h.fake.delayResponses(Duration.ofMillis(1500), server); // stored at once, answered after 1.5 s
    List<CompletableFuture<RecordResult>> fs = new ArrayList<>();
    for (int i = 0; i < 1500; i++) {
      fs.add(h.send(record("k" + i)));
    }
    h.step();
    assertThat(h.fake.putRecordsRequests()).hasSize(2);

    h.advanceAndStep(Duration.ofSeconds(1)); // both overdue: the server still holds them
    assertThat(h.fake.putRecordsRequests()).hasSize(2);
    assertThat(h.sender.inFlightLimit()).isEqualTo(1);

    h.clock.advance(Duration.ofMillis(500));
    server.advance(Duration.ZERO); // the late answers arrive
    h.fake.clearFaults();
    runUntilIdle(h, 50);

    assertThat(fs).allSatisfy(f -> assertThat(f.join()).isInstanceOfSatisfying(RecordResult.Acknowledged.class,
        a -> assertThat(a.attempts()).isEqualTo(1)));
    assertThat(entriesSent(h)).isEqualTo(1500);
    assertThat(h.fake.storedRecords(Harness.STREAM)).hasSize(1500);
    h.assertReconciles();
  }

  static Stream<Arguments> congestionFailures() {
    return Stream.of(
        Arguments.of("IO error", (Supplier<Throwable>) () -> SdkClientException.create("reset",
            new IOException("Connection reset"))),
        Arguments.of("500 InternalFailure",
            (Supplier<Throwable>) () -> FakeKinesisAsyncClient.serviceException("InternalFailure", 500, "boom")),
        Arguments.of("503", (Supplier<Throwable>) () -> FakeKinesisAsyncClient.serviceException("Whatever", 503, "x")),
        Arguments.of("SDK attempt timeout", (Supplier<Throwable>) () -> ApiCallAttemptTimeoutException.create(2000)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("congestionFailures")
  void congestionFailure_halvesInFlightBound_successesGrowItBack(String name, Supplier<Throwable> failure) {
    Harness h = Harness.create(1, b -> b.lingerTime(Duration.ZERO).retryPolicy(Harness.noJitter(100)));
    h.step();
    assertThat(h.sender.inFlightLimit()).isEqualTo(8);
    h.fake.throwOnNextCall(failure.get());
    CompletableFuture<RecordResult> first = h.send(record("a"));
    h.step();
    assertThat(h.sender.inFlightLimit()).isEqualTo(4);

    runUntilIdle(h, 20);
    assertThat(first.join().isAcknowledged()).isTrue();
    for (int i = 0; i < 40; i++) {
      h.send(record("k" + i));
      h.step();
    }
    assertThat(h.sender.inFlightLimit()).isEqualTo(8); // 4 + 5 + 6 + 7 answered requests grew it back
    h.assertReconciles();
  }

  @Test
  void twoProducersOnOneClient_congestionSeenByOne_shrinksBoth() {
    ManualClock clock = ManualClock.create();
    FakeKinesisAsyncClient fake = FakeKinesisAsyncClient.builder().clock(clock).stream(Harness.STREAM, 1).build();
    Harness one = Harness.on(clock, fake, fake, b -> b.lingerTime(Duration.ZERO));
    Harness two = Harness.on(clock, fake, fake, b -> b.lingerTime(Duration.ZERO).maxInFlightRequests(4));
    one.step();
    two.step();
    fake.throwOnNextCall(FakeKinesisAsyncClient.serviceException("InternalFailure", 500, "boom"));
    one.send(record("a"));
    one.step();
    assertThat(one.sender.inFlightLimit()).isEqualTo(4);
    assertThat(two.sender.inFlightLimit()).isEqualTo(2);
  }

  @Test
  void adaptiveConcurrencyOff_boundStaysFixed() {
    Harness h = Harness.create(1, b -> b.lingerTime(Duration.ZERO).adaptiveConcurrency(false));
    h.step();
    h.fake.throwOnNextCall(FakeKinesisAsyncClient.serviceException("InternalFailure", 500, "boom"));
    h.send(record("a"));
    h.step();
    assertThat(h.sender.inFlightLimit()).isEqualTo(8);
  }

  @Test
  void sdkAttemptTimeout_slotHeldForAsLongAgainAsItRan() {
    ManualClock clock = ManualClock.create();
    FakeKinesisAsyncClient fake = FakeKinesisAsyncClient.builder().clock(clock).stream(Harness.STREAM, 1).build();
    HangingClient client = new HangingClient(fake);
    Harness h = Harness.on(clock, fake, client, b -> b.lingerTime(Duration.ZERO).maxInFlightRequests(1)
        .attemptTimeout(Duration.ofSeconds(10)).retryPolicy(Harness.noJitter(100)));
    h.step();
    Instant t0 = h.clock.instant();
    client.hangNext = true;
    CompletableFuture<RecordResult> f = h.send(record("a"));
    h.step();
    assertThat(client.calls).isEqualTo(1);
    h.clock.advance(Duration.ofSeconds(2));
    client.hung.completeExceptionally(ApiCallAttemptTimeoutException.create(2000)); // the SDK gave up
    h.step();
    // The record is due again after 100 ms, but the slot stays taken until 2 s after the SDK gave up.
    for (int i = 0; i < 20 && h.clock.instant().isBefore(t0.plusMillis(3990)); i++) {
      Instant next = h.step();
      assertThat(client.calls).isEqualTo(1);
      h.clock.set(next.isAfter(t0.plusMillis(3990)) ? t0.plusMillis(3990) : next);
    }
    h.clock.set(t0.plusSeconds(4));
    runUntilIdle(h, 10);
    assertThat(client.calls).isEqualTo(2);
    assertThat(f.join().isAcknowledged()).isTrue();
  }

  @Test
  void retryBudget_exhausted_nothingInFlight_retriesGoAsOneProbe_notStalledUntilTheDeadline() {
    // The budget refills only from acknowledgements. With nothing in flight none can come, so the
    // waiting retries go as one request (a probe) instead of waiting out deliveryTimeout: the stall the
    // KPL comparison found over https (a flush hung for the whole deliveryTimeout).
    Harness h = Harness.create(1, b -> b.lingerTime(Duration.ZERO).retryPolicy(Harness.noJitter(100))
        .retryBudget(new RetryBudget(2, 0.5)).deliveryTimeout(Duration.ofSeconds(6))
        .attemptTimeout(Duration.ofSeconds(1)));
    h.step();
    h.fake.failNextEntries(5, "InternalFailure", "Internal service failure.");
    List<CompletableFuture<RecordResult>> fs = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      fs.add(h.send(record("k" + i)));
    }
    h.step();
    h.advanceAndStep(Duration.ofMillis(100));
    runUntilIdle(h, 100);
    assertThat(fs).allSatisfy(f -> assertThat(f.join().isAcknowledged()).isTrue());
    // The probe is one request: the 2 tokens cover 2 of its records, the other 3 go without.
    assertThat(h.fake.putRecordsRequests()).extracting(r -> r.records().size()).containsExactly(5, 5);
    h.assertReconciles();
  }

  @Test
  void retryBudget_exhausted_whileARequestIsInFlight_retriesWaitForAcknowledgements() {
    Harness h = Harness.create(1, b -> b.lingerTime(Duration.ZERO).retryPolicy(Harness.noJitter(100))
        .retryBudget(new RetryBudget(2, 0.5)).deliveryTimeout(Duration.ofSeconds(20))
        .attemptTimeout(Duration.ofSeconds(10)).maxInFlightRequests(2));
    h.step();
    ManualScheduler server = ManualScheduler.create(h.clock);
    h.fake.delayResponses(Duration.ofSeconds(2), server);
    h.fake.failNextEntries(5, "InternalFailure", "Internal service failure.");
    List<CompletableFuture<RecordResult>> fs = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      fs.add(h.send(record("k" + i)));
    }
    h.step();
    assertThat(h.fake.putRecordsRequests()).hasSize(1);
    // A second request goes and stays in flight while the first one's 5 failures come back.
    h.clock.set(h.clock.instant().plusMillis(500));
    CompletableFuture<RecordResult> other = h.send(record("other"));
    h.step();
    assertThat(h.fake.putRecordsRequests()).hasSize(2);
    h.clock.set(h.clock.instant().plusMillis(1600));
    server.advance(Duration.ZERO); // the first answer (5 failed); the second is still in flight
    h.step();
    h.clock.set(h.clock.instant().plusMillis(200)); // the retries' backoff has ended
    h.step();
    // 2 tokens: 2 of the 5 re-sent; the other 3 wait while a request is in flight.
    assertThat(h.fake.putRecordsRequests()).extracting(r -> r.records().size()).containsExactly(5, 1, 2);
    assertThat(fs).noneSatisfy(f -> assertThat(f).isDone());
    h.fake.clearFaults();
    for (int i = 0; i < 200 && !fs.stream().allMatch(CompletableFuture::isDone); i++) {
      h.clock.set(h.clock.instant().plusMillis(100));
      server.advance(Duration.ZERO);
      h.step();
    }
    assertThat(other.join().isAcknowledged()).isTrue();
    assertThat(fs).allSatisfy(f -> assertThat(f.join().isAcknowledged()).isTrue());
    h.assertReconciles();
  }

  @Test
  void deliveryTimeout_lessTimeLeftThanAnswersTake_recordFailsExpiredWithoutBeingSent() {
    // Margin cap: min(2 x attemptTimeout, (deliveryTimeout - lingerTime) / 2) = min(10 s, 2.5 s).
    Harness h = Harness.create(1, b -> b.lingerTime(Duration.ofSeconds(1)).deliveryTimeout(Duration.ofSeconds(6))
        .attemptTimeout(Duration.ofSeconds(5)).maxInFlightRequests(1));
    h.step();
    ManualScheduler server = ManualScheduler.create(h.clock);
    h.fake.delayResponses(Duration.ofSeconds(4), server);
    Instant t0 = h.clock.instant();
    CompletableFuture<RecordResult> a = h.send(record("a"));
    h.clock.set(h.step()); // a's linger ends at t0 + 1 s
    h.step();
    assertThat(h.fake.putRecordsRequests()).hasSize(1);
    h.clock.set(t0.plusMillis(1500));
    CompletableFuture<RecordResult> b = h.send(record("b")); // deadline t0 + 7.5 s; waits for the one slot
    h.step();
    h.clock.set(t0.plusSeconds(5));
    server.advance(Duration.ZERO); // a answered after 4 s: answers take about 4 + 2 s, capped at 2.5 s
    h.step();
    assertThat(a.join().isAcknowledged()).isTrue();
    assertThat(h.fake.putRecordsRequests()).hasSize(1); // b had 2.5 s left: not sent
    assertThat(b.join()).isInstanceOfSatisfying(RecordResult.Failed.class, f -> {
      assertThat(f.reason()).isEqualTo(FailureReason.DEADLINE_EXCEEDED);
      assertThat(f.attempts()).isZero();
      assertThat(f.errorCode()).isEqualTo(RecordCompleter.DELIVERY_TIMEOUT_CODE);
      assertThat(f.errorMessage()).isEqualTo("not sent: the PT2.5S left of its deliveryTimeout (PT6S) are less "
          + "than answers take now (about PT2.5S)");
    });

    // A record sent on time still goes, however slow the last answers were.
    h.fake.clearFaults();
    CompletableFuture<RecordResult> c = h.send(record("c"));
    runUntilIdle(h, 10);
    assertThat(c.join().isAcknowledged()).isTrue();
    h.assertReconciles();
  }

  @Test
  void retryBudget_throttledEntries_needNoToken() {
    Harness h = Harness.create(1, b -> b.lingerTime(Duration.ZERO).retryPolicy(Harness.noJitter(100))
        .retryBudget(new RetryBudget(1, 0.001)));
    h.step();
    h.fake.failNextEntries(5, FakeKinesisAsyncClient.PROVISIONED_THROUGHPUT_EXCEEDED, "Rate exceeded for shard");
    List<CompletableFuture<RecordResult>> fs = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      fs.add(h.send(KinesisRecord.of("k" + i, new byte[10])));
    }
    h.step();
    runUntilIdle(h, 50);
    assertThat(fs).allSatisfy(f -> assertThat(f.join().isAcknowledged()).isTrue());
  }

  @Test
  void settings_listBudgetAndAdaptiveConcurrency() {
    ProducerSettings s = BuilderSettings.of(ResilientProducer.builder(FakeKinesisAsyncClient.builder().build()).streamName("s")
        .retryBudget(RetryBudget.unlimited()));
    assertThat(s.toString()).contains("adaptiveConcurrency=true", "retryBudget=RetryBudget[unlimited]");
  }

  /** Passes calls to the fake, except that a PutRecords after {@code hangNext} waits for the test. */
  private static final class HangingClient implements KinesisAsyncClient {
    private final FakeKinesisAsyncClient fake;
    boolean hangNext;
    int calls;
    CompletableFuture<PutRecordsResponse> hung = new CompletableFuture<>();

    HangingClient(FakeKinesisAsyncClient fake) {
      this.fake = fake;
    }

    @Override
    public CompletableFuture<PutRecordsResponse> putRecords(PutRecordsRequest request) {
      calls++;
      if (hangNext) {
        hangNext = false;
        return hung;
      }
      return fake.putRecords(request);
    }

    @Override
    public CompletableFuture<DescribeStreamSummaryResponse> describeStreamSummary(DescribeStreamSummaryRequest r) {
      return fake.describeStreamSummary(r);
    }

    @Override
    public CompletableFuture<ListShardsResponse> listShards(ListShardsRequest r) {
      return fake.listShards(r);
    }

    @Override
    public String serviceName() {
      return fake.serviceName();
    }

    @Override
    public void close() {}
  }
}
