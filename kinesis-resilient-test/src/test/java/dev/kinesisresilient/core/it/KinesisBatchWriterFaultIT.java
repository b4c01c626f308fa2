package dev.kinesisresilient.core.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kinesisresilient.core.BatchLimits;
import dev.kinesisresilient.core.BatchWriteResult;
import dev.kinesisresilient.core.FailureReason;
import dev.kinesisresilient.core.Jitter;
import dev.kinesisresilient.core.KinesisBatchWriter;
import dev.kinesisresilient.core.KinesisRecord;
import dev.kinesisresilient.core.RecordResult;
import dev.kinesisresilient.core.RetryPolicy;
import dev.kinesisresilient.core.it.FaultyTcpProxy.Fault;
import dev.kinesisresilient.core.it.PutRecordsFaultInterceptor.CallError;
import dev.kinesisresilient.core.it.PutRecordsFaultInterceptor.EntryError;
import dev.kinesisresilient.core.it.PutRecordsFaultInterceptor.EntrySelector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;

/**
 * The core writer against kinesis-mock with faults injected the way the service produces them:
 * per-entry throttling and internal failures (the failed entries never stored), whole-call
 * throttling and 5xx (nothing stored), a missing stream, and network faults from {@link
 * FaultyTcpProxy} (a connection reset before the server saw the request, a stalled response after
 * the server stored it, added latency).
 *
 * <p>Each test checks the writer's results, what it sent ({@link PutRecordsCapture}) and what the
 * stream holds: re-sending only the failed entries means that no record is stored twice, except
 * after a fault that hid a stored request from the client, where the duplicate is expected and
 * asserted.
 */
@ExtendWith(KinesisMockExtension.class)
final class KinesisBatchWriterFaultIT {

  /** Fast retries: the faults here are injected, not load the server needs time to shed. */
  private static final RetryPolicy FAST_RETRIES =
      RetryPolicy.builder()
          .maxAttempts(10)
          .baseDelay(Duration.ofMillis(10))
          .maxDelay(Duration.ofMillis(200))
          .deadline(Duration.ofSeconds(60))
          .build();

  /**
   * The writer's attempt timeout where a test injects no timeout: a hang guard, far above what a
   * loaded machine needs, so that every retry is one the test injected and the exact counts below
   * hold. (The default, 5 s, is a production value; kinesis-mock on a busy 2-core machine can take
   * longer, and the retry of an attempt that the server stored anyway would be a legitimate
   * duplicate that these tests do not inject.)
   */
  private static final Duration NO_TIMEOUT_HERE = Duration.ofSeconds(30);

  @Test
  void entryFaults_throttledAndInternalFailures_onlyFailedEntriesResentAndNoneStoredTwice(
      LocalKinesis kinesis) {
    String stream = kinesis.createStream(kinesis.uniqueStreamName("entry-faults"), 2);
    List<KinesisRecord> records = records("entry", 2_000, new Random(11));
    RecordingSelector throttled = new RecordingSelector(EntrySelector.withProbability(0.25, 21));
    RecordingSelector internal = new RecordingSelector(EntrySelector.withProbability(0.05, 22));
    PutRecordsFaultInterceptor faults =
        kinesis
            .newFaultInterceptor()
            .failEntries(EntryError.THROTTLED, throttled)
            .failEntries(EntryError.INTERNAL_FAILURE, internal);
    PutRecordsCapture capture = new PutRecordsCapture();

    BatchWriteResult result =
        write(kinesis, stream, records, o -> o.addExecutionInterceptor(faults).addExecutionInterceptor(capture),
            b -> b.maxConcurrentRequests(2).retryPolicy(FAST_RETRIES).attemptTimeout(NO_TIMEOUT_HERE));

    assertThat(result.allAcknowledged()).as("%s", result).isTrue();
    assertThat(faults.entriesFailed(EntryError.THROTTLED)).isGreaterThan(300);
    assertThat(faults.entriesFailed(EntryError.INTERNAL_FAILURE)).isGreaterThan(30);
    // Every record was sent once plus once per injected failure of it: nothing else was re-sent.
    assertThat(capture.entriesSent()).isEqualTo(records.size() + faults.entriesFailed());
    for (RecordResult.Acknowledged a : result.acknowledged()) {
      String key = a.record().partitionKey();
      int failures = throttled.times(key) + internal.times(key);
      assertThat(a.attempts()).as("attempts of %s", key).isEqualTo(failures + 1);
      assertThat(capture.sends(key)).as("sends of %s", key).isEqualTo(failures + 1L);
    }
    assertThat(result.acknowledged()).anyMatch(a -> a.attempts() >= 3);
    assertStoredOnceWhereReported(kinesis, stream, result);
  }

  @ParameterizedTest
  @EnumSource(CallError.class)
  void callFaults_twoAttemptsFailedWhole_retriedWholeAndStoredOnce(
      CallError error, LocalKinesis kinesis) {
    String stream = kinesis.createStream(kinesis.uniqueStreamName("call-" + error), 1);
    List<KinesisRecord> records = records("call-" + error, 300, new Random(error.ordinal()));
    PutRecordsFaultInterceptor faults = kinesis.newFaultInterceptor().failNextCalls(error, 2);
    PutRecordsCapture capture = new PutRecordsCapture();

    BatchWriteResult result =
        write(kinesis, stream, records, o -> o.addExecutionInterceptor(faults).addExecutionInterceptor(capture),
            b -> b.maxConcurrentRequests(1).retryPolicy(FAST_RETRIES).attemptTimeout(NO_TIMEOUT_HERE));

    assertThat(result.allAcknowledged()).as("%s", result).isTrue();
    assertThat(result.acknowledged()).allSatisfy(a -> assertThat(a.attempts()).isEqualTo(3));
    assertThat(faults.callsFailed(error)).isEqualTo(2);
    assertThat(capture.built())
        .hasSize(3)
        .allSatisfy(b -> assertThat(b.entries()).isEqualTo(records.size()));
    assertThat(capture.attemptsTransmitted()).isEqualTo(1);
    assertStoredOnceWhereReported(kinesis, stream, result);
  }

  @Test
  void callFaults_thirtyPercentOfCallsFail_everyRecordAcknowledgedAndStoredOnce(
      LocalKinesis kinesis) {
    String stream = kinesis.createStream(kinesis.uniqueStreamName("call-probability"), 2);
    List<KinesisRecord> records = records("call-p", 1_500, new Random(5));
    PutRecordsFaultInterceptor faults =
        kinesis.newFaultInterceptor().failCalls(CallError.SERVICE_UNAVAILABLE, 0.3, 31);
    PutRecordsCapture capture = new PutRecordsCapture();

    // Requests of 100 records, so that there are enough calls for the probability to bite.
    BatchWriteResult result =
        write(kinesis, stream, records, o -> o.addExecutionInterceptor(faults).addExecutionInterceptor(capture),
            b -> b.maxConcurrentRequests(2)
                .retryPolicy(FAST_RETRIES)
                .attemptTimeout(NO_TIMEOUT_HERE)
                .limits(BatchLimits.defaults().withMaxRecordsPerRequest(100)));

    assertThat(result.allAcknowledged()).as("%s", result).isTrue();
    assertThat(faults.callsFailed()).isGreaterThan(0);
    assertThat(capture.built()).hasSize((int) (15 + faults.callsFailed()));
    assertThat(result.acknowledged().stream().mapToInt(RecordResult::attempts).sum())
        .isEqualTo(records.size() + 100 * faults.callsFailed());
    assertStoredOnceWhereReported(kinesis, stream, result);
  }

  @Test
  void missingStream_resourceNotFound_failsNotRetriableAtOnce(LocalKinesis kinesis) {
    String stream = kinesis.uniqueStreamName("never-created");
    List<KinesisRecord> records = records("missing", 20, new Random(3));
    PutRecordsCapture capture = new PutRecordsCapture();

    BatchWriteResult result =
        write(kinesis, stream, records, o -> o.addExecutionInterceptor(capture),
            // Slow retries (equal jitter: at least 1 s): if one were made, attempts would show it.
            b -> b.retryPolicy(
                FAST_RETRIES.toBuilder()
                    .baseDelay(Duration.ofSeconds(2))
                    .maxDelay(Duration.ofSeconds(4))
                    .jitter(Jitter.EQUAL)
                    .build())
                .attemptTimeout(NO_TIMEOUT_HERE));

    // No timing assertion (flaky on a loaded machine): one attempt per record and one request in all
    // are the exact proof that nothing was retried.
    assertThat(result.acknowledged()).isEmpty();
    assertThat(result.failed())
        .hasSize(records.size())
        .allSatisfy(
            f -> {
              assertThat(f.reason()).isEqualTo(FailureReason.NOT_RETRIABLE);
              assertThat(f.errorCode()).isEqualTo("ResourceNotFoundException");
              assertThat(f.attempts()).isEqualTo(1);
              assertThat(f.cause()).isInstanceOf(ResourceNotFoundException.class);
            });
    assertThat(capture.built()).hasSize(1);
  }

  /**
   * A stalled response: the server stored the request, the client never hears of it. The attempt
   * timeout (the writer's own, or the SDK's attempt timeout of the client) ends the attempt, the
   * retry is stored too: the stream holds every record twice, and the writer reports the second
   * copy. This is the duplicate that at-least-once delivery allows; the test pins it down.
   *
   * <p>The timeout must trip here, so it is short, and every attempt has it: on a loaded machine a
   * retry may time out too (and be stored as well). Each extra attempt must then be one that got no
   * answer; on an idle machine that leaves exactly two attempts and two copies.
   */
  @ParameterizedTest(name = "{0} attempt timeout")
  @ValueSource(strings = {"writer", "sdk"})
  void stall_attemptTimeoutTrips_retriedAndTheStalledRequestStoredToo(
      String timeoutOwner, LocalKinesis kinesis) {
    String stream = kinesis.createStream(kinesis.uniqueStreamName("stall-" + timeoutOwner), 1);
    List<KinesisRecord> records = records("stall-" + timeoutOwner, 50, new Random(7));
    Duration attemptTimeout = Duration.ofMillis(2_000);
    PutRecordsCapture capture = new PutRecordsCapture();
    boolean sdk = timeoutOwner.equals("sdk");

    BatchWriteResult result;
    long start = System.nanoTime();
    try (FaultyTcpProxy proxy = FaultyTcpProxy.start(kinesis.endpoint())) {
      proxy.faultNextRequests(Fault.stall(), 1);
      result =
          write(kinesis, proxy, stream, records,
              o -> {
                o.addExecutionInterceptor(capture);
                if (sdk) {
                  o.apiCallAttemptTimeout(attemptTimeout);
                }
              },
              b -> b.retryPolicy(FAST_RETRIES)
                  .attemptTimeout(sdk ? NO_TIMEOUT_HERE : attemptTimeout));
      assertThat(proxy.stalls()).isEqualTo(1);
      proxy.awaitResponsesWithheld(1, LocalKinesis.DEFAULT_API_CALL_TIMEOUT);
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

    assertThat(elapsed).isGreaterThanOrEqualTo(attemptTimeout);
    assertThat(result.allAcknowledged()).as("%s", result).isTrue();
    assertThat(capture.attemptsWithoutResponse()).isPositive();
    assertThat(capture.keysTransmittedWithoutResponse())
        .containsExactlyInAnyOrderElementsOf(records.stream().map(KinesisRecord::partitionKey).toList());
    ReadBack stored = ReadBack.of(kinesis, stream);
    AtLeastOnce.check(result.results(), stored);
    for (RecordResult.Acknowledged a : result.acknowledged()) {
      String key = a.record().partitionKey();
      long unanswered = capture.transmissionsWithoutResponse(key);
      // Every retry is explained by an attempt that got no answer; nothing else was re-sent.
      assertThat(a.attempts()).as("attempts of %s", key).isEqualTo(unanswered + 1);
      // The stalled copy and the acknowledged one, plus any other unanswered attempt the server ran.
      assertThat(stored.copies(key)).as("copies of %s", key).hasSizeBetween(2, a.attempts());
    }
    if (capture.attemptsWithoutResponse() == 1) {
      // The idle-machine case, exactly: one stall, one retry, two copies of every record.
      assertThat(result.acknowledged()).allSatisfy(a -> assertThat(a.attempts()).isEqualTo(2));
      assertThat(stored.total()).isEqualTo(2 * records.size());
    }
  }

  @Test
  void stall_noAttemptsLeft_failsRetriesExhaustedThoughTheServerStoredIt(LocalKinesis kinesis) {
    String stream = kinesis.createStream(kinesis.uniqueStreamName("stall-exhausted"), 1);
    List<KinesisRecord> records = records("stall-exhausted", 10, new Random(8));

    BatchWriteResult result;
    try (FaultyTcpProxy proxy = FaultyTcpProxy.start(kinesis.endpoint())) {
      proxy.faultNextRequests(Fault.stall(), 1);
      result =
          write(kinesis, proxy, stream, records, o -> {},
              b -> b.retryPolicy(FAST_RETRIES.toBuilder().maxAttempts(1).build())
                  .attemptTimeout(Duration.ofMillis(800)));
      // The server executes the stalled request, however late it reads it on a loaded machine.
      proxy.awaitResponsesWithheld(1, LocalKinesis.DEFAULT_API_CALL_TIMEOUT);
    }

    assertThat(result.failed())
        .hasSize(records.size())
        .allSatisfy(
            f -> {
              assertThat(f.reason()).isEqualTo(FailureReason.RETRIES_EXHAUSTED);
              assertThat(f.errorCode()).isEqualTo("AttemptTimeout");
              assertThat(f.attempts()).isEqualTo(1);
            });
    // "Failed" means not known to be stored: this request was stored all the same.
    assertThat(ReadBack.of(kinesis, stream).total()).isEqualTo(records.size());
  }

  @Test
  void connectionReset_beforeTheServerSawTheRequest_retriedAndStoredOnce(LocalKinesis kinesis) {
    String stream = kinesis.createStream(kinesis.uniqueStreamName("reset"), 2);
    List<KinesisRecord> records = records("reset", 200, new Random(9));
    PutRecordsCapture capture = new PutRecordsCapture();

    BatchWriteResult result;
    try (FaultyTcpProxy proxy = FaultyTcpProxy.start(kinesis.endpoint())) {
      proxy.faultNextRequests(Fault.reset(), 2);
      result =
          write(kinesis, proxy, stream, records, o -> o.addExecutionInterceptor(capture),
              b -> b.retryPolicy(FAST_RETRIES).attemptTimeout(NO_TIMEOUT_HERE));
      assertThat(proxy.resets()).isEqualTo(2);
    }

    assertThat(result.allAcknowledged()).as("%s", result).isTrue();
    assertThat(result.acknowledged()).allSatisfy(a -> assertThat(a.attempts()).isEqualTo(3));
    assertThat(capture.built()).hasSize(3);
    assertStoredOnceWhereReported(kinesis, stream, result);
  }

  @Test
  void connectionReset_afterTheServerStoredTheRequest_retriedAndStoredTwice(LocalKinesis kinesis) {
    String stream = kinesis.createStream(kinesis.uniqueStreamName("reset-after"), 1);
    List<KinesisRecord> records = records("reset-after", 30, new Random(10));

    BatchWriteResult result;
    try (FaultyTcpProxy proxy = FaultyTcpProxy.start(kinesis.endpoint())) {
      proxy.faultNextRequests(Fault.resetAfterRequest(), 1);
      result =
          write(kinesis, proxy, stream, records, o -> {},
              b -> b.retryPolicy(FAST_RETRIES).attemptTimeout(NO_TIMEOUT_HERE));
      assertThat(proxy.resetsAfterRequest()).isEqualTo(1);
    }

    assertThat(result.allAcknowledged()).as("%s", result).isTrue();
    assertThat(result.acknowledged()).allSatisfy(a -> assertThat(a.attempts()).isEqualTo(2));
    ReadBack stored = ReadBack.of(kinesis, stream);
    assertThat(stored.total()).isEqualTo(2 * records.size());
    assertThat(result.acknowledged())
        .allSatisfy(a -> assertThat(stored.copies(a.record().partitionKey())).hasSize(2));
  }

  @Test
  void latency_belowTheAttemptTimeout_noRetry(LocalKinesis kinesis) {
    String stream = kinesis.createStream(kinesis.uniqueStreamName("latency"), 1);
    List<KinesisRecord> records = records("latency", 100, new Random(12));

    BatchWriteResult result;
    try (FaultyTcpProxy proxy = FaultyTcpProxy.start(kinesis.endpoint())) {
      proxy.faultAllRequests(Fault.latency(Duration.ofMillis(300)));
      result =
          write(kinesis, proxy, stream, records, o -> {},
              // 300 ms of added latency against a hang-guard timeout: nothing here may time out.
              b -> b.retryPolicy(FAST_RETRIES).attemptTimeout(NO_TIMEOUT_HERE));
      assertThat(proxy.delayed()).isEqualTo(1);
    }

    assertThat(result.acknowledged())
        .hasSize(records.size())
        .allSatisfy(a -> assertThat(a.attempts()).isEqualTo(1));
    assertStoredOnceWhereReported(kinesis, stream, result);
  }

  /** The writer addresses the stream by ARN; so does fault injection's throttling message. */
  @Test
  void streamArn_entryFaults_writtenAndStoredOnceLikeByName(LocalKinesis kinesis) {
    String stream = kinesis.createStream(kinesis.uniqueStreamName("by-arn"), 2);
    String arn;
    try (KinesisAsyncClient admin = kinesis.newClient()) {
      arn =
          admin.describeStreamSummary(b -> b.streamName(stream)).join()
              .streamDescriptionSummary().streamARN();
    }
    assertThat(arn).startsWith("arn:aws:kinesis:").endsWith(":stream/" + stream);
    List<KinesisRecord> records = records("arn", 400, new Random(13));
    PutRecordsFaultInterceptor faults =
        kinesis.newFaultInterceptor().failEntries(EntryError.THROTTLED, EntrySelector.withProbability(0.3, 51));
    PutRecordsCapture capture = new PutRecordsCapture();

    BatchWriteResult result;
    try (KinesisAsyncClient client =
            kinesis.newClient(o -> o.addExecutionInterceptor(faults).addExecutionInterceptor(capture));
        KinesisBatchWriter writer =
            KinesisBatchWriter.builder(client)
                .streamArn(arn)
                .retryPolicy(FAST_RETRIES)
                .attemptTimeout(NO_TIMEOUT_HERE)
                .build()) {
      result = writer.write(records).join();
    }

    assertThat(result.allAcknowledged()).as("%s", result).isTrue();
    assertThat(capture.built()).allSatisfy(b -> assertThat(b.stream()).isEqualTo(arn));
    assertThat(capture.entriesSent()).isEqualTo(records.size() + faults.entriesFailed());
    assertStoredOnceWhereReported(kinesis, stream, result);
  }

  // ---- helpers ----

  /** Unique partition keys (the read-back identifies records by them), 1-2,000 bytes of data. */
  static List<KinesisRecord> records(String prefix, int count, Random random) {
    List<KinesisRecord> records = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      byte[] data = new byte[1 + random.nextInt(i % 20 == 0 ? 2_000 : 200)];
      random.nextBytes(data);
      records.add(KinesisRecord.of(prefix + "-" + i + "-" + Integer.toHexString(random.nextInt()), data));
    }
    return records;
  }

  private static BatchWriteResult write(
      LocalKinesis kinesis,
      String stream,
      List<KinesisRecord> records,
      Consumer<ClientOverrideConfiguration.Builder> client,
      Consumer<KinesisBatchWriter.Builder> writer) {
    try (KinesisAsyncClient c = kinesis.newClient(client)) {
      return write(c, stream, records, writer);
    }
  }

  private static BatchWriteResult write(
      LocalKinesis kinesis,
      FaultyTcpProxy proxy,
      String stream,
      List<KinesisRecord> records,
      Consumer<ClientOverrideConfiguration.Builder> client,
      Consumer<KinesisBatchWriter.Builder> writer) {
    try (KinesisAsyncClient c = kinesis.newClient(proxy.endpoint(), client)) {
      return write(c, stream, records, writer);
    }
  }

  private static BatchWriteResult write(
      KinesisAsyncClient client,
      String stream,
      List<KinesisRecord> records,
      Consumer<KinesisBatchWriter.Builder> configure) {
    KinesisBatchWriter.Builder builder = KinesisBatchWriter.builder(client).streamName(stream);
    configure.accept(builder);
    try (KinesisBatchWriter writer = builder.build()) {
      return writer.write(records).join();
    }
  }

  /** Each acknowledged record is stored exactly once, on its shard, with its sequence number and bytes. */
  static void assertStoredOnceWhereReported(
      LocalKinesis kinesis, String stream, BatchWriteResult result) {
    ReadBack stored = ReadBack.of(kinesis, stream);
    assertThat(stored.total()).isEqualTo(result.acknowledged().size());
    for (RecordResult.Acknowledged a : result.acknowledged()) {
      assertThat(stored.copies(a.record().partitionKey()))
          .as("copies of %s", a.record().partitionKey())
          .singleElement()
          .satisfies(
              c -> {
                assertThat(c.shardId()).isEqualTo(a.shardId());
                assertThat(c.record().sequenceNumber()).isEqualTo(a.sequenceNumber());
                assertThat(c.record().data()).isEqualTo(a.record().data());
              });
    }
  }

  /** Wraps a selector and counts, per partition key, how often it chose the entry. */
  private static final class RecordingSelector implements EntrySelector {
    private final EntrySelector delegate;
    private final Map<String, AtomicInteger> chosen = new ConcurrentHashMap<>();

    RecordingSelector(EntrySelector delegate) {
      this.delegate = delegate;
    }

    @Override
    public boolean select(int index, PutRecordsRequestEntry entry) {
      boolean select = delegate.select(index, entry);
      if (select) {
        chosen.computeIfAbsent(entry.partitionKey(), k -> new AtomicInteger()).incrementAndGet();
      }
      return select;
    }

    int times(String partitionKey) {
      AtomicInteger n = chosen.get(partitionKey);
      return n == null ? 0 : n.get();
    }
  }
}
