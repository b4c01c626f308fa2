package dev.kinesisresilient.core.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kinesisresilient.core.it.FaultyTcpProxy.Fault;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.Record;

/** Network faults between the client and kinesis-mock trip the client's errors and timeouts. */
@ExtendWith(KinesisMockExtension.class)
final class FaultyTcpProxyIT {

  private static final Duration ATTEMPT_TIMEOUT = Duration.ofMillis(800);

  @Test
  void passThrough_requestsAndResponsesForwardedUntouched(LocalKinesis kinesis) {
    String stream = kinesis.createStream(kinesis.uniqueStreamName("proxy-pass"), 2);

    try (FaultyTcpProxy proxy = FaultyTcpProxy.start(kinesis.endpoint());
        KinesisAsyncClient client = kinesis.newClient(proxy.endpoint(), o -> {})) {
      for (int i = 0; i < 5; i++) {
        assertThat(put(client, stream, "pass-" + i).failedRecordCount()).isZero();
      }
      assertThat(proxy.requests()).isEqualTo(5);
      assertThat(proxy.connections()).isBetween(1L, 5L);
    }
    assertThat(all(kinesis, stream)).hasSize(5);
  }

  @Test
  void reset_midRequest_clientFailsAndServerNeverSawTheRequest(LocalKinesis kinesis) {
    String stream = kinesis.createStream(kinesis.uniqueStreamName("proxy-reset"), 1);

    try (FaultyTcpProxy proxy = FaultyTcpProxy.start(kinesis.endpoint());
        KinesisAsyncClient client = kinesis.newClient(proxy.endpoint(), o -> {})) {
      proxy.faultNextRequests(Fault.reset(), 1);

      assertThatThrownBy(() -> put(client, stream, "reset"))
          .isInstanceOf(CompletionException.class)
          .cause()
          .isInstanceOf(SdkClientException.class);
      assertThat(proxy.resets()).isEqualTo(1);
      // The client recovers on a new connection.
      assertThat(put(client, stream, "after-reset").failedRecordCount()).isZero();
    }
    assertThat(all(kinesis, stream)).extracting(Record::partitionKey).containsExactly("after-reset");
  }

  @Test
  void stall_responseWithheld_attemptTimeoutTripsWhileTheServerStoredTheRecord(
      LocalKinesis kinesis) {
    String stream = kinesis.createStream(kinesis.uniqueStreamName("proxy-stall"), 1);

    try (FaultyTcpProxy proxy = FaultyTcpProxy.start(kinesis.endpoint());
        KinesisAsyncClient client =
            kinesis.newClient(proxy.endpoint(), o -> o.apiCallAttemptTimeout(ATTEMPT_TIMEOUT));
        // The call after the stall is no test of a timeout: the default hang guard, so that a slow
        // answer on a loaded machine does not fail it.
        KinesisAsyncClient patient = kinesis.newClient(proxy.endpoint(), o -> {})) {
      proxy.faultNextRequests(Fault.stall(), 1);
      long start = System.nanoTime();

      assertThatThrownBy(() -> put(client, stream, "stalled"))
          .isInstanceOf(CompletionException.class)
          .cause()
          .isInstanceOf(ApiCallAttemptTimeoutException.class);
      // Not before the attempt timeout; no upper bound (a loaded machine fires timers late): the
      // exception type shows which timeout ended the call.
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(ATTEMPT_TIMEOUT);
      assertThat(proxy.stalls()).isEqualTo(1);
      // The server executes the stalled request, however late it reads it.
      proxy.awaitResponsesWithheld(1, LocalKinesis.DEFAULT_API_CALL_TIMEOUT);
      assertThat(put(patient, stream, "after-stall").failedRecordCount()).isZero();
    }
    // Executed by the server, lost for the client: a writer that retries it stores it twice.
    assertThat(all(kinesis, stream))
        .extracting(Record::partitionKey)
        .containsExactly("stalled", "after-stall");
  }

  @Test
  void resetAfterRequest_responseLost_clientFailsWhileTheServerStoredTheRecord(
      LocalKinesis kinesis) {
    String stream = kinesis.createStream(kinesis.uniqueStreamName("proxy-reset-after"), 1);

    try (FaultyTcpProxy proxy = FaultyTcpProxy.start(kinesis.endpoint());
        KinesisAsyncClient client = kinesis.newClient(proxy.endpoint(), o -> {})) {
      proxy.faultNextRequests(Fault.resetAfterRequest(), 1);

      assertThatThrownBy(() -> put(client, stream, "lost-response"))
          .isInstanceOf(CompletionException.class)
          .cause()
          .isInstanceOf(SdkClientException.class);
      assertThat(proxy.resetsAfterRequest()).isEqualTo(1);
    }
    assertThat(all(kinesis, stream)).extracting(Record::partitionKey).containsExactly("lost-response");
  }

  @Test
  void latency_addsTheDelayToEachFaultedRequest(LocalKinesis kinesis) {
    String stream = kinesis.createStream(kinesis.uniqueStreamName("proxy-latency"), 1);
    Duration latency = Duration.ofMillis(400);

    try (FaultyTcpProxy proxy = FaultyTcpProxy.start(kinesis.endpoint());
        KinesisAsyncClient client = kinesis.newClient(proxy.endpoint(), o -> {})) {
      put(client, stream, "fast");
      assertThat(proxy.delayed()).isZero();
      proxy.faultAllRequests(Fault.latency(latency));

      long slowStart = System.nanoTime();
      put(client, stream, "slow");
      Duration slow = Duration.ofNanos(System.nanoTime() - slowStart);

      // The delayed call takes at least the added latency: a lower bound holds on any machine.
      // (Comparing it with an undelayed call's time does not: on a loaded 2-core machine that call
      // alone can take longer than the added latency.)
      assertThat(slow).isGreaterThanOrEqualTo(latency);
      assertThat(proxy.delayed()).isEqualTo(1);
    }
    assertThat(all(kinesis, stream)).extracting(Record::partitionKey).containsExactly("fast", "slow");
  }

  @Test
  void faultRequestsWithProbability_seeded_failuresMatchTheCounter(LocalKinesis kinesis) {
    String stream = kinesis.createStream(kinesis.uniqueStreamName("proxy-probability"), 1);
    int failed = 0;

    try (FaultyTcpProxy proxy = FaultyTcpProxy.start(kinesis.endpoint());
        KinesisAsyncClient client = kinesis.newClient(proxy.endpoint(), o -> {})) {
      proxy.faultRequests(Fault.reset(), 0.3, 11);
      for (int i = 0; i < 20; i++) {
        try {
          put(client, stream, "p" + i);
        } catch (CompletionException e) {
          assertThat(e.getCause()).isInstanceOf(SdkClientException.class);
          failed++;
        }
      }
      assertThat(failed).isPositive().isEqualTo((int) proxy.resets());
      proxy.passThrough();
      assertThat(put(client, stream, "clean").failedRecordCount()).isZero();
    }
    assertThat(all(kinesis, stream)).hasSize(20 - failed + 1);
  }

  private static PutRecordsResponse put(KinesisAsyncClient client, String stream, String key) {
    PutRecordsRequestEntry entry =
        PutRecordsRequestEntry.builder()
            .partitionKey(key)
            .data(SdkBytes.fromUtf8String("data-" + key))
            .build();
    return client.putRecords(b -> b.streamName(stream).records(entry)).join();
  }

  private static List<Record> all(LocalKinesis kinesis, String stream) {
    return kinesis.readAll(stream).values().stream().flatMap(List::stream).toList();
  }
}
