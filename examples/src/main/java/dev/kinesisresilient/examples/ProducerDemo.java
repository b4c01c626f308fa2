package dev.kinesisresilient.examples;

import dev.kinesisresilient.core.BatchLimits;
import dev.kinesisresilient.core.FailureReason;
import dev.kinesisresilient.core.KinesisClientConfig;
import dev.kinesisresilient.core.KinesisClientFactory;
import dev.kinesisresilient.core.KinesisRecord;
import dev.kinesisresilient.core.RecordResult;
import dev.kinesisresilient.core.testing.FakeKinesisAsyncClient;
import dev.kinesisresilient.producer.ProducerStats;
import dev.kinesisresilient.producer.ResilientProducer;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.CreateStreamRequest;

/**
 * Runs the {@link ResilientProducer} under load and reconciles every record.
 *
 * <p>With no arguments: the in-memory fake Kinesis with the service's per-shard write limits (1,000
 * records/s, 1 MiB/s), 4 shards, 200,000 records offered at twice the shards' capacity. A progress
 * line every second; at the end a tally: sent, acknowledged, failed by reason, verified present in the
 * fake's shards, lost (must be 0), per-shard counts and latency percentiles.
 *
 * <pre>
 * --records N      records to send (default 200000)
 * --size BYTES     data bytes per record (default 100)
 * --shards N       shards of the demo stream (default 4)
 * --rate N         records per second offered (default: 2 x shards x 1,000)
 * --buffer-mib N   maxBufferedBytes in MiB (default 4: bounds how long a record waits)
 * --endpoint URI   a real Kinesis API instead of the fake (kinesis-mock, LocalStack, AWS); the stream is
 *                  created if missing; nothing is read back
 * --stream NAME    stream name (default demo-stream)
 * </pre>
 */
public final class ProducerDemo {

  private ProducerDemo() {}

  /**
   * Runs the demo.
   *
   * @param args see the class documentation
   * @throws Exception when the demo cannot run
   */
  public static void main(String[] args) throws Exception {
    Map<String, String> opts = DemoSupport.parse(args);
    int records = Integer.parseInt(opts.getOrDefault("records", "200000"));
    int size = Integer.parseInt(opts.getOrDefault("size", "100"));
    int shards = Integer.parseInt(opts.getOrDefault("shards", "4"));
    int rate = Integer.parseInt(opts.getOrDefault("rate", String.valueOf(2 * shards * 1000)));
    long bufferMib = Long.parseLong(opts.getOrDefault("buffer-mib", "4"));
    String stream = opts.getOrDefault("stream", "demo-stream");
    String endpoint = opts.get("endpoint");

    FakeKinesisAsyncClient fake = null;
    KinesisAsyncClient client;
    if (endpoint == null) {
      fake = FakeKinesisAsyncClient.builder().stream(stream, shards).build();
      client = fake;
      System.out.printf("in-memory Kinesis: stream %s, %d shards, 1,000 records/s and 1 MiB/s per shard "
          + "(capacity %,d records/s)%n", stream, shards, shards * 1000);
    } else {
      client = KinesisClientFactory.create(KinesisClientConfig.forLocalEndpoint(URI.create(endpoint)));
      try {
        client.createStream(CreateStreamRequest.builder().streamName(stream).shardCount(shards).build()).join();
        Thread.sleep(1000);
      } catch (RuntimeException e) {
        System.out.println("stream not created (" + e.getMessage() + "); using it as it is");
      }
    }
    System.out.printf("offering %,d records of %d bytes at %,d records/s; maxBufferedBytes %d MiB%n%n",
        records, size, rate, bufferMib);

    long[] latencyNanos = new long[records];
    List<CompletableFuture<RecordResult>> futures = new ArrayList<>(records);
    ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "demo-progress");
      t.setDaemon(true);
      return t;
    });
    long start = System.nanoTime();
    ResilientProducer producer = ResilientProducer.builder(client)
        .streamName(stream)
        .clientId("demo")
        .maxBufferedBytes(bufferMib * BatchLimits.MIB)
        .build();
    long[] lastAcked = {0};
    ticker.scheduleAtFixedRate(() -> {
      ProducerStats s = producer.stats();
      System.out.printf("%4.0fs  sent %,8d  acknowledged %,8d (%,6d/s)  throttled %,6d  retried %,6d  "
              + "buffered %,6d records / %,5d KiB%n",
          (System.nanoTime() - start) / 1e9, s.sent(), s.acknowledged(), s.acknowledged() - lastAcked[0],
          s.throttledEntries(), s.retriedEntries(), s.pending(), s.bufferedBytes() / 1024);
      lastAcked[0] = s.acknowledged();
    }, 1, 1, TimeUnit.SECONDS);

    long offerStart = System.nanoTime();
    for (int i = 0; i < records; i++) {
      long due = offerStart + (long) (i * (1e9 / rate));
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      ByteBuffer data = ByteBuffer.allocate(Math.max(size, 4));
      data.putInt(0, i);
      int index = i;
      long sentAt = System.nanoTime();
      CompletableFuture<RecordResult> f = producer.send(KinesisRecord.of("user-" + i, data));
      f.thenRun(() -> latencyNanos[index] = System.nanoTime() - sentAt);
      futures.add(f);
    }
    producer.flush().join();
    double seconds = (System.nanoTime() - start) / 1e9;
    producer.close(Duration.ofSeconds(30));
    ticker.shutdownNow();
    ProducerStats s = producer.stats();

    Map<FailureReason, Long> failed = new EnumMap<>(FailureReason.class);
    Map<String, Long> perShard = new TreeMap<>();
    List<RecordResult.Acknowledged> acks = new ArrayList<>(records);
    long acknowledged = 0;
    for (CompletableFuture<RecordResult> f : futures) {
      RecordResult r = f.join();
      if (r instanceof RecordResult.Acknowledged a) {
        acknowledged++;
        perShard.merge(a.shardId(), 1L, Long::sum);
        acks.add(a);
      } else {
        failed.merge(((RecordResult.Failed) r).reason(), 1L, Long::sum);
      }
    }
    long failedTotal = failed.values().stream().mapToLong(Long::longValue).sum();
    long[] sorted = latencyNanos.clone();
    Arrays.sort(sorted);
    System.out.println();
    System.out.printf("sent                 %,d in %.1f s (%,.0f acknowledged/s)%n", s.sent(), seconds,
        acknowledged / seconds);
    System.out.printf("acknowledged         %,d%n", acknowledged);
    System.out.printf("failed               %,d %s%n", failedTotal, failed);
    System.out.printf("throttled entries    %,d (%.2f%% of %,d entries sent); retried %,d%n", s.throttledEntries(),
        100.0 * s.throttledEntries() / Math.max(1, s.acknowledged() + s.throttledEntries()),
        s.acknowledged() + s.throttledEntries(), s.retriedEntries());
    System.out.printf("per shard            %s%n", perShard);
    System.out.printf("latency send->ack    p50 %.0f ms, p99 %.0f ms, max %.0f ms%n",
        sorted[records / 2] / 1e6, sorted[(int) (records * 0.99)] / 1e6, sorted[records - 1] / 1e6);
    if (fake != null) {
      long lost = DemoSupport.verifyAndPrintLost(fake, stream, acks, records, failedTotal);
      if (lost != 0) {
        System.exit(1);
      }
    } else {
      client.close();
    }
  }
}
