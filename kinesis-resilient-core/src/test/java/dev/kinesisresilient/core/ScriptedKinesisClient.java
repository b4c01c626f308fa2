package dev.kinesisresilient.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.KinesisException;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;

/**
 * A PutRecords client whose answers the test scripts one call at a time, recording every request;
 * with nothing scripted it acknowledges every entry. Single-threaded use.
 */
final class ScriptedKinesisClient implements KinesisAsyncClient {
  private final Deque<Function<PutRecordsRequest, CompletableFuture<PutRecordsResponse>>> script = new ArrayDeque<>();
  private final List<PutRecordsRequest> requests = new ArrayList<>();
  private final List<CompletableFuture<PutRecordsResponse>> pending = new ArrayList<>();
  private final AtomicLong sequence = new AtomicLong(1000);

  List<PutRecordsRequest> requests() {
    return requests;
  }

  /** Partition keys of request k, in order. */
  List<String> keysOf(int k) {
    return requests.get(k).records().stream().map(e -> e.partitionKey()).toList();
  }

  /** Next call: entries at the given indexes fail with the code; the others succeed. */
  ScriptedKinesisClient thenFailEntries(Map<Integer, String> codeByIndex) {
    script.add(req -> {
      List<PutRecordsResultEntry> out = new ArrayList<>();
      int failed = 0;
      for (int j = 0; j < req.records().size(); j++) {
        String code = codeByIndex.get(j);
        if (code == null) {
          out.add(ok(j));
        } else {
          failed++;
          out.add(PutRecordsResultEntry.builder().errorCode(code)
              .errorMessage(code.startsWith("Provisioned")
                  ? "Rate exceeded for shard shardId-00000000000" + (j % 4) + " in stream s under account 123456789012."
                  : "Internal service failure.")
              .build());
        }
      }
      return CompletableFuture.completedFuture(
          PutRecordsResponse.builder().failedRecordCount(failed).records(out).build());
    });
    return this;
  }

  /** Next call: every entry fails with the code. */
  ScriptedKinesisClient thenFailAll(String code) {
    script.add(req -> {
      List<PutRecordsResultEntry> out = new ArrayList<>();
      for (int j = 0; j < req.records().size(); j++) {
        out.add(PutRecordsResultEntry.builder().errorCode(code).errorMessage("failed " + code).build());
      }
      return CompletableFuture.completedFuture(
          PutRecordsResponse.builder().failedRecordCount(out.size()).records(out).build());
    });
    return this;
  }

  /** Next call: acknowledges everything. */
  ScriptedKinesisClient thenOk() {
    script.add(this::allOk);
    return this;
  }

  /** Next call: fails with a service exception. */
  ScriptedKinesisClient thenThrow(String code, int status) {
    script.add(req -> CompletableFuture.failedFuture(serviceException(code, status)));
    return this;
  }

  /** Next call: fails with the given throwable. */
  ScriptedKinesisClient thenThrow(Throwable t) {
    script.add(req -> CompletableFuture.failedFuture(t));
    return this;
  }

  /** Next call: never completes unless the test completes it through {@link #pending()}. */
  ScriptedKinesisClient thenHang() {
    script.add(req -> {
      CompletableFuture<PutRecordsResponse> f = new CompletableFuture<>();
      pending.add(f);
      return f;
    });
    return this;
  }

  List<CompletableFuture<PutRecordsResponse>> pending() {
    return pending;
  }

  static KinesisException serviceException(String code, int status) {
    return (KinesisException) KinesisException.builder()
        .message(code + " (test)")
        .statusCode(status)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(code + " (test)")
            .serviceName("Kinesis").build())
        .build();
  }

  CompletableFuture<PutRecordsResponse> allOk(PutRecordsRequest req) {
    List<PutRecordsResultEntry> out = new ArrayList<>();
    for (int j = 0; j < req.records().size(); j++) {
      out.add(ok(j));
    }
    return CompletableFuture.completedFuture(PutRecordsResponse.builder().failedRecordCount(0).records(out).build());
  }

  private PutRecordsResultEntry ok(int j) {
    return PutRecordsResultEntry.builder()
        .sequenceNumber(Long.toString(sequence.incrementAndGet()))
        .shardId("shardId-00000000000" + (j % 4))
        .build();
  }

  @Override
  public CompletableFuture<PutRecordsResponse> putRecords(PutRecordsRequest request) {
    requests.add(request);
    Function<PutRecordsRequest, CompletableFuture<PutRecordsResponse>> next = script.poll();
    return next == null ? allOk(request) : next.apply(request);
  }

  @Override
  public String serviceName() {
    return "kinesis";
  }

  @Override
  public void close() {}
}
