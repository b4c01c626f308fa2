package dev.kinesisresilient.benchmarks.kpl;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import dev.kinesisresilient.core.BatchLimits;
import dev.kinesisresilient.core.KinesisClientConfig;
import dev.kinesisresilient.core.KinesisClientFactory;
import dev.kinesisresilient.core.KinesisRecord;
import dev.kinesisresilient.producer.ProducerStats;
import dev.kinesisresilient.producer.ResilientProducer;
import dev.kinesisresilient.producer.ResilientProducerBuilder;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.kinesis.producer.KinesisProducer;
import software.amazon.kinesis.producer.KinesisProducerConfiguration;
import software.amazon.kinesis.producer.UserRecordResult;

/** A producer under test: records go in through {@link #send}, {@link #finish} waits for all results. */
interface Contender extends AutoCloseable {
  /** Buffer the KPL and ours may hold: our default {@code maxBufferedBytes}. */
  long BUFFER_BYTES = ResilientProducerBuilder.DEFAULT_MAX_BUFFERED_BYTES;
  /** Kinesalite queues requests: generous timeouts so that no producer gives up on a slow answer. */
  Duration TIMEOUT = Duration.ofSeconds(60);
  /** The KPL's default {@code MaxConnections}; our in-flight bound and HTTP pool match it. */
  int CONNECTIONS = 24;

  /**
   * Hands one record to the producer, blocking while its buffer is full.
   *
   * @param partitionKey the key
   * @param data the payload (not changed afterwards)
   */
  void send(String partitionKey, byte[] data);

  /**
   * Waits until every record sent so far has its result.
   *
   * @return acknowledged and failed records since the contender was made
   */
  long[] finish();

  @Override
  void close();

  static Contender create(Setup setup, URI endpoint, String stream, int recordBytes) {
    return switch (setup) {
      case KPL_AGGREGATING -> new Kpl(endpoint, stream, recordBytes, true);
      case KPL_PLAIN -> new Kpl(endpoint, stream, recordBytes, false);
      case SDK_LOOP -> new SdkLoop(endpoint, stream);
      case OURS_AGGREGATING_DEFAULT_LIMITS -> new Ours(endpoint, stream, true, false);
      case OURS_AGGREGATING_RAISED_LIMITS -> new Ours(endpoint, stream, true, true);
      case OURS_PLAIN_RAISED_LIMITS -> new Ours(endpoint, stream, false, true);
      case OURS_PLAIN_DEFAULT_LIMITS -> new Ours(endpoint, stream, false, false);
    };
  }

  /** The SDK client of the bare loop and of ours: the project's factory, timeouts for kinesalite. */
  static KinesisAsyncClient client(URI endpoint) {
    return KinesisClientFactory.create(KinesisClientConfig.forLocalEndpoint(endpoint).toBuilder()
        .attemptTimeout(TIMEOUT)
        .apiCallTimeout(TIMEOUT)
        .readTimeout(TIMEOUT)
        .writeTimeout(TIMEOUT)
        .connectionAcquisitionTimeout(TIMEOUT)
        .maxConcurrency(CONNECTIONS)
        .build());
  }

  /**
   * The KPL: HTTPS only (certificate not verified: kinesalite's is self-signed), metrics off, timeouts
   * and TTL raised as for ours, other settings default (rate limit 150% of a shard's, 100 ms buffering,
   * 24 connections). Outstanding records are held to the byte budget of our buffer; a callback per
   * record counts results (the KPL's only way to learn of a failure).
   */
  final class Kpl implements Contender {
    private final KinesisProducer kpl;
    private final String stream;
    private final int maxOutstanding;
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private long sent;
    private final FutureCallback<UserRecordResult> callback = new FutureCallback<>() {
      @Override
      public void onSuccess(UserRecordResult r) {
        (r.isSuccessful() ? acknowledged : failed).incrementAndGet();
      }

      @Override
      public void onFailure(Throwable t) {
        failed.incrementAndGet();
      }
    };

    Kpl(URI endpoint, String stream, int recordBytes, boolean aggregation) {
      if (!"https".equals(endpoint.getScheme())) {
        throw new IllegalArgumentException("the KPL speaks only HTTPS, was " + endpoint);
      }
      this.stream = stream;
      this.maxOutstanding = (int) Math.max(1000, BUFFER_BYTES / (recordBytes + 128));
      KinesisProducerConfiguration c = new KinesisProducerConfiguration()
          .setRegion("us-east-1")
          .setKinesisEndpoint(endpoint.getHost())
          .setKinesisPort(endpoint.getPort())
          .setVerifyCertificate(false)
          .setMetricsLevel("none")
          .setLogLevel("warning")
          .setCredentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("fakeKeyId", "fakeSecret")))
          .setAggregationEnabled(aggregation)
          .setRequestTimeout(TIMEOUT.toMillis())
          .setRecordTtl(200_000);
      this.kpl = new KinesisProducer(c);
    }

    @Override
    public void send(String partitionKey, byte[] data) {
      while (kpl.getOutstandingRecordsCount() >= maxOutstanding) {
        LockSupport.parkNanos(500_000);
      }
      Futures.addCallback(kpl.addUserRecord(stream, partitionKey, ByteBuffer.wrap(data)), callback,
          MoreExecutors.directExecutor());
      sent++;
    }

    @Override
    public long[] finish() {
      kpl.flush();
      long next = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (acknowledged.get() + failed.get() < sent) {
        LockSupport.parkNanos(200_000);
        if (System.nanoTime() - next > 0) {
          System.err.println(Instant.now() + " KPL not done after 10 s more: outstanding " + kpl.getOutstandingRecordsCount()
              + ", acknowledged " + acknowledged.get() + ", failed " + failed.get() + " of " + sent);
          kpl.flush();
          next = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        }
      }
      return new long[] {acknowledged.get(), failed.get()};
    }

    @Override
    public void close() {
      kpl.destroy();
    }
  }

  /**
   * What a user writes without a producer library: entries built per record, PutRecords of 500, at most
   * 4 calls in flight, failed entries counted (kinesalite does not throttle), not re-sent.
   */
  final class SdkLoop implements Contender {
    private static final int IN_FLIGHT = 4;
    private final KinesisAsyncClient client;
    private final String stream;
    private final Semaphore permits = new Semaphore(IN_FLIGHT);
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private List<PutRecordsRequestEntry> batch = new ArrayList<>(BatchLimits.MAX_RECORDS_PER_REQUEST);

    SdkLoop(URI endpoint, String stream) {
      this.client = Contender.client(endpoint);
      this.stream = stream;
    }

    @Override
    public void send(String partitionKey, byte[] data) {
      batch.add(PutRecordsRequestEntry.builder().partitionKey(partitionKey).data(SdkBytes.fromByteArray(data)).build());
      if (batch.size() == BatchLimits.MAX_RECORDS_PER_REQUEST) {
        submit();
      }
    }

    private void submit() {
      List<PutRecordsRequestEntry> b = batch;
      batch = new ArrayList<>(BatchLimits.MAX_RECORDS_PER_REQUEST);
      permits.acquireUninterruptibly();
      client.putRecords(PutRecordsRequest.builder().streamName(stream).records(b).build()).whenComplete((r, e) -> {
        if (e != null) {
          failed.addAndGet(b.size());
        } else {
          int f = r.failedRecordCount() == null ? 0 : r.failedRecordCount();
          failed.addAndGet(f);
          acknowledged.addAndGet(b.size() - f);
        }
        permits.release();
      });
    }

    @Override
    public long[] finish() {
      if (!batch.isEmpty()) {
        submit();
      }
      try {
        while (!permits.tryAcquire(IN_FLIGHT, 10, TimeUnit.SECONDS)) {
          System.err.println(Instant.now() + " calls still in flight after 10 s more: " + (IN_FLIGHT - permits.availablePermits()));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
      permits.release(IN_FLIGHT);
      return new long[] {acknowledged.get(), failed.get()};
    }

    @Override
    public void close() {
      client.close();
    }
  }

  /**
   * {@code ResilientProducer} as docs/producer.md advises for throughput against a server that queues
   * requests: in flight = HTTP pool = 24, attempt timeout 60 s, delivery timeout 200 s, other options
   * default (linger 20 ms, 32 MiB buffer). Results from {@code stats()} (no callback per record).
   */
  final class Ours implements Contender {
    private final KinesisAsyncClient client;
    private final ResilientProducer producer;

    Ours(URI endpoint, String stream, boolean aggregation, boolean raisedLimits) {
      this.client = Contender.client(endpoint);
      ResilientProducerBuilder b = ResilientProducer.builder(client)
          .streamName(stream)
          .clientId("bench")
          .maxInFlightRequests(CONNECTIONS)
          .attemptTimeout(TIMEOUT)
          .maxBlockTime(TIMEOUT)
          .deliveryTimeout(Duration.ofSeconds(200))
          .aggregation(aggregation);
      if (raisedLimits) {
        b.shardLimits(1_000_000, 1024 * BatchLimits.MIB);
      }
      this.producer = b.build();
    }

    @Override
    public void send(String partitionKey, byte[] data) {
      producer.send(KinesisRecord.of(partitionKey, data));
    }

    @Override
    public long[] finish() {
      CompletableFuture<Void> flushed = producer.flush();
      while (true) {
        try {
          flushed.get(10, TimeUnit.SECONDS);
          break;
        } catch (TimeoutException e) {
          // A stall (kinesalite not answering a request) shows in the run's log.
          System.err.println(Instant.now() + " flush not done after 10 s more: " + producer.stats());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
          throw new IllegalStateException("flush failed", e);
        }
      }
      ProducerStats s = producer.stats();
      while (s.pending() > 0) {
        LockSupport.parkNanos(200_000);
        s = producer.stats();
      }
      return new long[] {s.acknowledged(), s.failed()};
    }

    @Override
    public void close() {
      producer.close();
      client.close();
    }
  }
}
