package dev.kinesisresilient.examples;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryRequest;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryResponse;
import software.amazon.awssdk.services.kinesis.model.ListShardsRequest;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;

/**
 * For the retry-storm benchmark: a server of fixed capacity in front of a client (the in-memory fake).
 * PutRecords calls wait in one FIFO queue and are served by {@code workers} threads, each spending
 * {@code perEntryNanos} per entry of the request (parked, not spinning: the cost is the server's, on
 * other machines) and then applying the request to the delegate and answering. A call whose caller gave
 * up (timed out, cancelled its future) is still served and applied, as a real server does with a request
 * it has received. Other calls (DescribeStreamSummary, ListShards) go straight through.
 */
final class QueueingKinesis implements KinesisAsyncClient {
  private final KinesisAsyncClient delegate;
  private final long perEntryNanos;
  private final LinkedBlockingQueue<Runnable> queue = new LinkedBlockingQueue<>();
  private final Thread[] workers;
  private final AtomicLong entriesReceived = new AtomicLong();
  private final AtomicLong callsReceived = new AtomicLong();
  private final AtomicInteger busy = new AtomicInteger();
  private volatile boolean stopped;

  QueueingKinesis(KinesisAsyncClient delegate, int workers, long perEntryNanos) {
    this.delegate = delegate;
    this.perEntryNanos = perEntryNanos;
    this.workers = new Thread[workers];
    for (int i = 0; i < workers; i++) {
      Thread t = new Thread(this::work, "bench-server-" + i);
      t.setDaemon(true);
      this.workers[i] = t;
      t.start();
    }
  }

  private void work() {
    while (!stopped) {
      Runnable task;
      try {
        task = queue.poll(100, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (task == null) {
        continue;
      }
      busy.incrementAndGet();
      try {
        task.run();
      } finally {
        busy.decrementAndGet();
      }
    }
  }

  @Override
  public CompletableFuture<PutRecordsResponse> putRecords(PutRecordsRequest request) {
    CompletableFuture<PutRecordsResponse> answer = new CompletableFuture<>();
    int n = request.records().size();
    entriesReceived.addAndGet(n);
    callsReceived.incrementAndGet();
    queue.add(() -> {
      long until = System.nanoTime() + n * perEntryNanos;
      long left;
      while ((left = until - System.nanoTime()) > 0) {
        LockSupport.parkNanos(left);
      }
      // Applied whether or not the caller still waits: the server has the request.
      delegate.putRecords(request).whenComplete((r, e) -> {
        if (e != null) {
          answer.completeExceptionally(e);
        } else {
          answer.complete(r);
        }
      });
    });
    return answer;
  }

  /** Entries of every PutRecords call received, whether or not its caller waited for the answer. */
  long entriesReceived() {
    return entriesReceived.get();
  }

  long callsReceived() {
    return callsReceived.get();
  }

  /** Calls waiting or being served. */
  int backlog() {
    return queue.size() + busy.get();
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
    stopped = true;
    for (Thread t : workers) {
      t.interrupt();
    }
    delegate.close();
  }
}
