package dev.kinesisresilient.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kinesisresilient.core.testing.ManualClock;
import dev.kinesisresilient.core.testing.ManualScheduler;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;

/** The writer under congestion: adaptive in-flight bound, timed-out attempts, retry budget. */
final class KinesisBatchWriterCongestionTest {

  private final ManualClock clock = ManualClock.create();
  private final ManualScheduler scheduler = ManualScheduler.create(clock);
  private final ScriptedKinesisClient client = new ScriptedKinesisClient();

  private KinesisBatchWriter.Builder writer() {
    SplittableRandom random = new SplittableRandom(7);
    return KinesisBatchWriter.builder(client).streamName("s").clock(clock).scheduler(scheduler).random(() -> random);
  }

  private static List<KinesisRecord> records(int n) {
    List<KinesisRecord> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(KinesisRecord.of("k" + i, ("v" + i).getBytes(UTF_8)));
    }
    return out;
  }

  private long hanging() {
    return client.pending().stream().filter(f -> !f.isDone()).count();
  }

  /** Answers the oldest hanging request with success. */
  private void answerOldest() {
    for (int k = 0; k < client.pending().size(); k++) {
      CompletableFuture<?> f = client.pending().get(k);
      if (!f.isDone()) {
        complete(k);
        return;
      }
    }
    throw new AssertionError("nothing hanging");
  }

  private void complete(int pendingIndex) {
    // Pending futures are created in request order, but only by calls scripted to hang.
    int request = requestOfPending(pendingIndex);
    client.pending().get(pendingIndex).complete(client.allOk(client.requests().get(request)).join());
  }

  private final List<Integer> pendingRequests = new ArrayList<>();

  private int requestOfPending(int pendingIndex) {
    return pendingRequests.get(pendingIndex);
  }

  /** Scripts {@code n} calls that hang, remembering which request each one is. */
  private void hang(int firstRequest, int n) {
    for (int k = 0; k < n; k++) {
      client.thenHang();
      pendingRequests.add(firstRequest + k);
    }
  }

  @Test
  void attemptTimeout_keepsSlotAndWaitsForTheLateAnswer_nothingResent() {
    hang(0, 2);
    KinesisBatchWriter w = writer().maxConcurrentRequests(2).attemptTimeout(Duration.ofSeconds(2)).build();
    CompletableFuture<BatchWriteResult> f = w.write(records(1500)); // 3 requests of 500
    assertThat(client.requests()).hasSize(2);

    scheduler.advance(Duration.ofSeconds(2)); // both attempts overdue; the server still holds them
    assertThat(client.requests()).hasSize(2);
    assertThat(client.pending()).noneMatch(CompletableFuture::isCancelled);

    complete(0); // a late answer: its records are acknowledged; the window is down to 1, 1 in flight
    assertThat(client.requests()).hasSize(2);
    complete(1);
    assertThat(client.requests()).hasSize(3);

    BatchWriteResult r = f.join();
    assertThat(r.allAcknowledged()).isTrue();
    assertThat(r.results()).extracting(RecordResult::attempts).containsOnly(1);
    assertThat(client.requests()).extracting(q -> q.records().size()).containsExactly(500, 500, 500);
  }

  @Test
  void attemptTimeout_noAnswerWithinAsLongAgain_cancelledAndRetried() {
    hang(0, 1);
    KinesisBatchWriter w = writer().attemptTimeout(Duration.ofSeconds(2)).build();
    CompletableFuture<BatchWriteResult> f = w.write(records(2));
    scheduler.advance(Duration.ofMillis(3999));
    assertThat(client.requests()).hasSize(1);
    assertThat(client.pending().get(0)).isNotCancelled();
    scheduler.advance(Duration.ofSeconds(3));
    assertThat(client.pending().get(0)).isCancelled();
    assertThat(client.requests()).hasSize(2);
    BatchWriteResult r = f.join();
    assertThat(r.allAcknowledged()).isTrue();
    assertThat(r.results()).extracting(RecordResult::attempts).containsOnly(2);
  }

  static Stream<Arguments> congestionFailures() {
    return Stream.of(
        Arguments.of("IO error", (Supplier<Throwable>) () -> SdkClientException.create("reset",
            new IOException("Connection reset"))),
        Arguments.of("500 InternalFailure",
            (Supplier<Throwable>) () -> ScriptedKinesisClient.serviceException("InternalFailure", 500)),
        Arguments.of("503", (Supplier<Throwable>) () -> ScriptedKinesisClient.serviceException("Whatever", 503)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("congestionFailures")
  void congestionFailure_halvesInFlightBound_successesGrowItBack(String name, Supplier<Throwable> failure) {
    client.thenThrow(failure.get());
    hang(1, 40);
    KinesisBatchWriter w = writer().maxConcurrentRequests(4).build();
    CompletableFuture<BatchWriteResult> f = w.write(records(500 * 12));
    assertThat(client.requests()).hasSize(4); // 1 failed, 3 hanging
    assertThat(hanging()).isEqualTo(3);

    answerOldest(); // 2 in flight; the bound is now 2: nothing new goes
    assertThat(client.requests()).hasSize(4);
    assertThat(hanging()).isEqualTo(2);

    long most = 0;
    for (int k = 0; k < 10; k++) {
      scheduler.advance(Duration.ofSeconds(1)); // backoff of the failed request's retry
      answerOldest();
      most = Math.max(most, hanging());
    }
    assertThat(most).isEqualTo(4); // grown back to the maximum, never above
    while (hanging() > 0) {
      answerOldest();
    }
    assertThat(f.join().allAcknowledged()).isTrue();
  }

  @Test
  void sdkAttemptTimeout_slotHeldForAsLongAgainAsItRan() {
    hang(0, 1);
    KinesisBatchWriter w = writer().maxConcurrentRequests(1).attemptTimeout(Duration.ofSeconds(10)).build();
    CompletableFuture<BatchWriteResult> f = w.write(records(2));
    scheduler.advance(Duration.ofSeconds(2));
    // The SDK's own attempt timeout ends the call after 2 s; the server may still be working on it.
    client.pending().get(0).completeExceptionally(ApiCallAttemptTimeoutException.create(2000));
    scheduler.advance(Duration.ofMillis(1900));
    assertThat(client.requests()).hasSize(1);
    scheduler.advance(Duration.ofMillis(200));
    assertThat(client.requests()).hasSize(2);
    assertThat(f.join().allAcknowledged()).isTrue();
  }

  @Test
  void retryBudget_exhausted_retriesWaitForRefill_restFailAtDeadlineNamingTheBudget() {
    // Another write's call hangs throughout: something of ours is in flight, so no probe goes.
    hang(0, 1);
    client.thenFailAll("InternalFailure");
    KinesisBatchWriter w = writer().retryBudget(new RetryBudget(2, 0.5))
        .retryPolicy(RetryPolicy.builder().deadline(Duration.ofSeconds(5)).build())
        .attemptTimeout(Duration.ofSeconds(5)).build();
    CompletableFuture<BatchWriteResult> other = w.write(records(1));
    CompletableFuture<BatchWriteResult> f = w.write(records(5));
    scheduler.advance(Duration.ofSeconds(2));
    // 5 failed; 2 tokens: 2 re-sent; their 2 acknowledgements give 1 token: 1 more; then 0.5: none.
    assertThat(client.requests()).extracting(q -> q.records().size()).containsExactly(1, 5, 2, 1);
    assertThat(f).isNotDone();

    scheduler.advance(Duration.ofSeconds(3));
    BatchWriteResult r = f.join();
    assertThat(r.acknowledged()).hasSize(3);
    assertThat(r.failed()).hasSize(2).allSatisfy(x -> {
      assertThat(x.reason()).isEqualTo(FailureReason.DEADLINE_EXCEEDED);
      assertThat(x.errorCode()).isEqualTo("InternalFailure");
      assertThat(x.errorMessage()).contains("retry budget");
    });
    assertThat(client.requests()).hasSize(4);
    // The hanging call was in flight until its write's own deadline.
    assertThat(other.join().failed()).hasSize(1);
  }

  @Test
  void retryBudget_exhausted_nothingInFlight_oneProbeGoesInsteadOfWaitingForTheDeadline() {
    // The budget refills only from acknowledgements; with nothing in flight none can come, so waiting
    // would only run the records into their deadline (found by the KPL comparison over https).
    client.thenFailAll("InternalFailure");
    KinesisBatchWriter w = writer().retryBudget(new RetryBudget(2, 0.5))
        .retryPolicy(RetryPolicy.builder().deadline(Duration.ofSeconds(5)).build())
        .attemptTimeout(Duration.ofSeconds(1)).build();
    CompletableFuture<BatchWriteResult> f = w.write(records(5));
    scheduler.advance(Duration.ofSeconds(2));
    // 5 failed; 2 tokens: 2 re-sent, 1 token back: 1 more, 0.5 back: the last 2 go as one probe.
    assertThat(client.requests()).extracting(q -> q.records().size()).containsExactly(5, 2, 1, 2);
    assertThat(f.join().allAcknowledged()).isTrue();
  }

  @Test
  void retryBudget_unlimited_everyRetrySent() {
    client.thenFailAll("InternalFailure");
    KinesisBatchWriter w = writer().retryBudget(RetryBudget.unlimited()).build();
    CompletableFuture<BatchWriteResult> f = w.write(records(5));
    scheduler.advance(Duration.ofSeconds(2));
    assertThat(client.requests()).extracting(q -> q.records().size()).containsExactly(5, 5);
    assertThat(f.join().allAcknowledged()).isTrue();
    assertThat(w.toString()).contains("retryBudget=RetryBudget[unlimited]", "adaptiveConcurrency=true");
  }
}
