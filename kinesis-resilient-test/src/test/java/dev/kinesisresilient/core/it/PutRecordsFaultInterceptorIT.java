package dev.kinesisresilient.core.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kinesisresilient.core.it.PutRecordsFaultInterceptor.CallError;
import dev.kinesisresilient.core.it.PutRecordsFaultInterceptor.EntryError;
import dev.kinesisresilient.core.it.PutRecordsFaultInterceptor.EntrySelector;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.KinesisException;
import software.amazon.awssdk.services.kinesis.model.LimitExceededException;
import software.amazon.awssdk.services.kinesis.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;
import software.amazon.awssdk.services.kinesis.model.Record;

/** Fault injection stays faithful: failed entries were never stored, results sit at their indexes. */
@ExtendWith(KinesisMockExtension.class)
final class PutRecordsFaultInterceptorIT {

  @Test
  void failEntriesAtIndexes_droppedBeforeSending_failuresSplicedAtTheirIndexes(LocalKinesis kinesis) {
    String stream = kinesis.createStream(kinesis.uniqueStreamName("entry-faults"), 4);
    List<PutRecordsRequestEntry> entries = KinesisMockSmokeIT.entries(10, new Random(1));
    PutRecordsFaultInterceptor faults =
        kinesis
            .newFaultInterceptor()
            .failEntries(EntryError.THROTTLED, EntrySelector.atIndexes(1, 4, 7))
            .failEntries(EntryError.INTERNAL_FAILURE, EntrySelector.atIndexes(8));

    PutRecordsResponse response;
    try (KinesisAsyncClient client = kinesis.newClient(o -> o.addExecutionInterceptor(faults))) {
      response = client.putRecords(b -> b.streamName(stream).records(entries)).join();
    }

    assertThat(response.records()).hasSize(10);
    assertThat(response.failedRecordCount()).isEqualTo(4);
    for (int i : new int[] {1, 4, 7}) {
      PutRecordsResultEntry result = response.records().get(i);
      assertThat(result.errorCode()).isEqualTo("ProvisionedThroughputExceededException");
      assertThat(result.errorMessage())
          .isEqualTo(
              "Rate exceeded for shard "
                  + kinesis.shardIdFor(stream, entries.get(i))
                  + " in stream "
                  + stream
                  + " under account "
                  + LocalKinesis.MOCK_ACCOUNT_ID
                  + ".")
          .matches("Rate exceeded for shard shardId-\\d{12} in stream \\S+ under account \\d{12}\\.");
      assertThat(result.sequenceNumber()).isNull();
      assertThat(result.shardId()).isNull();
    }
    assertThat(response.records().get(8).errorCode()).isEqualTo("InternalFailure");
    assertThat(response.records().get(8).errorMessage()).isEqualTo("Internal service failure.");
    List<Record> stored = all(kinesis, stream);
    Set<String> storedKeys = stored.stream().map(Record::partitionKey).collect(Collectors.toSet());
    for (int i = 0; i < entries.size(); i++) {
      PutRecordsResultEntry result = response.records().get(i);
      PutRecordsRequestEntry sent = entries.get(i);
      if (Set.of(1, 4, 7, 8).contains(i)) {
        assertThat(storedKeys).doesNotContain(entries.get(i).partitionKey());
      } else {
        assertThat(result.errorCode()).isNull();
        assertThat(stored)
            .filteredOn(r -> r.sequenceNumber().equals(result.sequenceNumber()))
            .singleElement()
            .satisfies(r -> assertThat(r.data()).isEqualTo(sent.data()));
      }
    }
    assertThat(stored).hasSize(6);
    assertThat(faults.entriesFailed(EntryError.THROTTLED)).isEqualTo(3);
    assertThat(faults.entriesFailed(EntryError.INTERNAL_FAILURE)).isEqualTo(1);
    assertThat(faults.entriesSeen()).isEqualTo(10);
    assertThat(faults.putRecordsCalls()).isEqualTo(1);
  }

  @Test
  void failEntriesWithProbability_sameSeed_sameEntriesFailedAndNoneStored(LocalKinesis kinesis) {
    String stream = kinesis.createStream(kinesis.uniqueStreamName("probability"), 2);
    List<PutRecordsRequestEntry> entries = KinesisMockSmokeIT.entries(300, new Random(2));
    List<Set<Integer>> failedIndexes = new ArrayList<>();

    for (int run = 0; run < 2; run++) {
      PutRecordsFaultInterceptor faults =
          kinesis
              .newFaultInterceptor()
              .failEntries(EntryError.THROTTLED, EntrySelector.withProbability(0.2, 42));
      try (KinesisAsyncClient client = kinesis.newClient(o -> o.addExecutionInterceptor(faults))) {
        PutRecordsResponse response =
            client.putRecords(b -> b.streamName(stream).records(entries)).join();
        Set<Integer> failed =
            IntStream.range(0, entries.size())
                .filter(i -> response.records().get(i).errorCode() != null)
                .boxed()
                .collect(Collectors.toSet());
        assertThat(response.failedRecordCount()).isEqualTo(failed.size());
        assertThat(faults.entriesFailed()).isEqualTo(failed.size());
        failedIndexes.add(failed);
      }
    }

    assertThat(failedIndexes.get(0)).isEqualTo(failedIndexes.get(1));
    assertThat(failedIndexes.get(0).size()).isBetween(30, 90); // 20% of 300, loosely.
    List<Record> stored = all(kinesis, stream);
    assertThat(stored).hasSize(2 * (300 - failedIndexes.get(0).size()));
    Set<String> storedKeys = stored.stream().map(Record::partitionKey).collect(Collectors.toSet());
    for (int i : failedIndexes.get(0)) {
      assertThat(storedKeys).doesNotContain(entries.get(i).partitionKey());
    }
  }

  @Test
  void failEntries_everyEntryChosen_placeholderGoesToSinkAndStreamStaysEmpty(LocalKinesis kinesis) {
    String stream = kinesis.createStream(kinesis.uniqueStreamName("all-failed"), 1);
    List<PutRecordsRequestEntry> entries = KinesisMockSmokeIT.entries(5, new Random(3));
    PutRecordsFaultInterceptor faults =
        kinesis.newFaultInterceptor().failEntries(EntryError.INTERNAL_FAILURE, EntrySelector.all());

    PutRecordsResponse response;
    try (KinesisAsyncClient client = kinesis.newClient(o -> o.addExecutionInterceptor(faults))) {
      response = client.putRecords(b -> b.streamName(stream).records(entries)).join();
    }

    assertThat(response.failedRecordCount()).isEqualTo(5);
    assertThat(response.records())
        .hasSize(5)
        .allSatisfy(r -> assertThat(r.errorCode()).isEqualTo("InternalFailure"));
    assertThat(all(kinesis, stream)).isEmpty();
    assertThat(faults.sinkedCalls()).isEqualTo(1);
  }

  @Test
  void failEntries_limitedToOneCall_laterCallsPassThrough(LocalKinesis kinesis) {
    String stream = kinesis.createStream(kinesis.uniqueStreamName("one-call"), 1);
    PutRecordsFaultInterceptor faults =
        kinesis
            .newFaultInterceptor()
            .failEntries(
                EntryError.THROTTLED, EntrySelector.matching(e -> e.partitionKey().equals("a")), 1);

    try (KinesisAsyncClient client = kinesis.newClient(o -> o.addExecutionInterceptor(faults))) {
      List<PutRecordsRequestEntry> entries = List.of(entry("a"), entry("b"));
      PutRecordsResponse first = client.putRecords(b -> b.streamName(stream).records(entries)).join();
      PutRecordsResponse second = client.putRecords(b -> b.streamName(stream).records(entries)).join();

      assertThat(first.failedRecordCount()).isEqualTo(1);
      assertThat(first.records().get(0).errorCode()).isEqualTo("ProvisionedThroughputExceededException");
      assertThat(second.failedRecordCount()).isZero();
    }
    assertThat(all(kinesis, stream)).extracting(Record::partitionKey).containsExactly("b", "a", "b");
  }

  @Test
  void failNextCalls_eachError_surfacesAsTheSdkWouldAndStoresNothing(LocalKinesis kinesis) {
    String stream = kinesis.createStream(kinesis.uniqueStreamName("call-faults"), 1);
    PutRecordsFaultInterceptor faults = kinesis.newFaultInterceptor();

    try (KinesisAsyncClient client = kinesis.newClient(o -> o.addExecutionInterceptor(faults))) {
      for (CallError error : CallError.values()) {
        faults.failNextCalls(error, 1);

        assertThatThrownBy(() -> client.putRecords(b -> b.streamName(stream).records(entry("x"))).join())
            .isInstanceOf(CompletionException.class)
            .cause()
            .isInstanceOf(expectedType(error))
            .satisfies(
                e -> {
                  AwsServiceException ase = (AwsServiceException) e;
                  assertThat(ase.statusCode()).isEqualTo(error.statusCode());
                  assertThat(ase.awsErrorDetails().errorCode()).isEqualTo(error.errorCode());
                  assertThat(ase.awsErrorDetails().serviceName()).isEqualTo("Kinesis");
                  assertThat(ase.awsErrorDetails().sdkHttpResponse().statusCode())
                      .isEqualTo(error.statusCode());
                  assertThat(ase.requestId()).isNotBlank();
                  // The SDK classifies by error code: LimitExceededException is not among its
                  // throttling codes (nor retried by its default strategy), so a writer must
                  // classify it itself.
                  assertThat(ase.isThrottlingException()).isEqualTo(error == CallError.THROTTLED);
                });
      }
      // Other operations are never touched.
      faults.failNextCalls(CallError.INTERNAL_FAILURE, 1);
      assertThat(client.listShards(b -> b.streamName(stream)).join().shards()).hasSize(1);
      faults.clearFaults();
      assertThat(client.putRecords(b -> b.streamName(stream).records(entry("ok"))).join()
              .failedRecordCount())
          .isZero();
    }

    assertThat(all(kinesis, stream)).extracting(Record::partitionKey).containsExactly("ok");
    assertThat(faults.callsFailed()).isEqualTo(CallError.values().length);
    assertThat(faults.attempts()).isEqualTo(CallError.values().length + 1L);
  }

  @Test
  void failNextCalls_sdkRetriesEnabled_sdkRetriesThemAsItWouldTheService(LocalKinesis kinesis) {
    String stream = kinesis.createStream(kinesis.uniqueStreamName("sdk-retry"), 1);
    PutRecordsFaultInterceptor faults =
        kinesis.newFaultInterceptor().failNextCalls(CallError.SERVICE_UNAVAILABLE, 2);

    try (KinesisAsyncClient client =
        kinesis.newClient(
            o ->
                o.addExecutionInterceptor(faults)
                    .retryStrategy(
                        AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(3).build()))) {
      PutRecordsResponse response =
          client.putRecords(b -> b.streamName(stream).records(entry("retried"))).join();

      assertThat(response.failedRecordCount()).isZero();
    }

    assertThat(faults.attempts()).isEqualTo(3);
    assertThat(faults.callsFailed(CallError.SERVICE_UNAVAILABLE)).isEqualTo(2);
    assertThat(faults.putRecordsCalls()).isEqualTo(1);
    assertThat(all(kinesis, stream)).extracting(Record::partitionKey).containsExactly("retried");
  }

  @Test
  void failCallsWithProbability_countedFaultsMatchFailedCalls(LocalKinesis kinesis) {
    String stream = kinesis.createStream(kinesis.uniqueStreamName("call-probability"), 1);
    PutRecordsFaultInterceptor faults =
        kinesis.newFaultInterceptor().failCalls(CallError.THROTTLED, 0.5, 7);
    int failed = 0;

    try (KinesisAsyncClient client = kinesis.newClient(o -> o.addExecutionInterceptor(faults))) {
      for (int i = 0; i < 20; i++) {
        String key = "k" + i;
        try {
          client.putRecords(b -> b.streamName(stream).records(entry(key))).join();
        } catch (CompletionException e) {
          assertThat(e.getCause()).isInstanceOf(ProvisionedThroughputExceededException.class);
          failed++;
        }
      }
    }

    assertThat(failed).isBetween(3, 17).isEqualTo((int) faults.callsFailed());
    assertThat(all(kinesis, stream)).hasSize(20 - failed);
  }

  @Test
  void concurrentCalls_perExecutionStateKeptApart_eachResponseSplicedFromItsOwnRequest(
      LocalKinesis kinesis) {
    String stream = kinesis.createStream(kinesis.uniqueStreamName("concurrent"), 2);
    PutRecordsFaultInterceptor faults =
        kinesis
            .newFaultInterceptor()
            .failEntries(
                EntryError.THROTTLED, EntrySelector.matching(e -> e.partitionKey().endsWith("-x")));
    List<List<PutRecordsRequestEntry>> requests = new ArrayList<>();
    for (int r = 0; r < 16; r++) {
      List<PutRecordsRequestEntry> entries = new ArrayList<>();
      for (int i = 0; i < 5 + r * 7; i++) {
        entries.add(entry("r" + r + "-e" + i + ((i + r) % 3 == 0 ? "-x" : "")));
      }
      requests.add(entries);
    }

    List<PutRecordsResponse> responses;
    try (KinesisAsyncClient client = kinesis.newClient(o -> o.addExecutionInterceptor(faults))) {
      List<CompletableFuture<PutRecordsResponse>> futures =
          requests.stream()
              .map(entries -> client.putRecords(b -> b.streamName(stream).records(entries)))
              .toList();
      responses = futures.stream().map(CompletableFuture::join).toList();
    }

    int expectedStored = 0;
    for (int r = 0; r < requests.size(); r++) {
      List<PutRecordsRequestEntry> entries = requests.get(r);
      PutRecordsResponse response = responses.get(r);
      assertThat(response.records()).hasSameSizeAs(entries);
      for (int i = 0; i < entries.size(); i++) {
        boolean chosen = entries.get(i).partitionKey().endsWith("-x");
        assertThat(response.records().get(i).errorCode() != null).isEqualTo(chosen);
        expectedStored += chosen ? 0 : 1;
      }
    }
    List<Record> stored = all(kinesis, stream);
    assertThat(stored).hasSize(expectedStored);
    assertThat(stored).noneMatch(r -> r.partitionKey().endsWith("-x"));
    assertThat(faults.putRecordsCalls()).isEqualTo(16);
  }

  private static Class<? extends AwsServiceException> expectedType(CallError error) {
    return switch (error) {
      case THROTTLED -> ProvisionedThroughputExceededException.class;
      case LIMIT_EXCEEDED -> LimitExceededException.class;
      case INTERNAL_FAILURE, SERVICE_UNAVAILABLE -> KinesisException.class;
    };
  }

  private static PutRecordsRequestEntry entry(String key) {
    return PutRecordsRequestEntry.builder()
        .partitionKey(key)
        .data(SdkBytes.fromUtf8String("data-" + key))
        .build();
  }

  private static List<Record> all(LocalKinesis kinesis, String stream) {
    return kinesis.readAll(stream).values().stream().flatMap(List::stream).toList();
  }
}
