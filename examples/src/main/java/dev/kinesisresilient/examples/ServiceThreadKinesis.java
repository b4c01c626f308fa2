package dev.kinesisresilient.examples;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryRequest;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryResponse;
import software.amazon.awssdk.services.kinesis.model.ListShardsRequest;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;

/**
 * For the throughput benchmark: runs a client's PutRecords work on one thread of its own, the way the
 * real service does its work on other machines, so that the caller's threads pay only for handing the
 * request over and reading the response. Requests are served one at a time, in arrival order. Other
 * calls used by the producer (DescribeStreamSummary, ListShards) go straight through.
 */
final class ServiceThreadKinesis implements KinesisAsyncClient {
  private final KinesisAsyncClient delegate;
  private final ExecutorService service = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "bench-service");
    t.setDaemon(true);
    return t;
  });

  ServiceThreadKinesis(KinesisAsyncClient delegate) {
    this.delegate = delegate;
  }

  @Override
  public CompletableFuture<PutRecordsResponse> putRecords(PutRecordsRequest request) {
    return CompletableFuture.supplyAsync(() -> delegate.putRecords(request).join(), service);
  }

  @Override
  public CompletableFuture<DescribeStreamSummaryResponse> describeStreamSummary(DescribeStreamSummaryRequest request) {
    return delegate.describeStreamSummary(request);
  }

  @Override
  public CompletableFuture<ListShardsResponse> listShards(ListShardsRequest request) {
    return delegate.listShards(request);
  }

  @Override
  public String serviceName() {
    return delegate.serviceName();
  }

  @Override
  public void close() {
    service.shutdownNow();
    delegate.close();
  }
}
