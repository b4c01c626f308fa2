package dev.kinesisresilient.examples;

import dev.kinesisresilient.core.BatchWriteResult;
import dev.kinesisresilient.core.FailureReason;
import dev.kinesisresilient.core.KinesisBatchWriter;
import dev.kinesisresilient.core.KinesisClientConfig;
import dev.kinesisresilient.core.KinesisClientFactory;
import dev.kinesisresilient.core.KinesisRecord;
import dev.kinesisresilient.core.MetricsOptions;
import dev.kinesisresilient.core.RecordResult;
import dev.kinesisresilient.core.RetryPolicy;
import dev.kinesisresilient.core.testing.FakeKinesisAsyncClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.CreateStreamRequest;

/**
 * Writes records with the core {@link KinesisBatchWriter} and reconciles every result.
 *
 * <p>With no arguments it runs on the in-memory fake Kinesis with the service's per-shard write
 * limits (1 MiB/s, 1,000 records/s), offering more than the shards take so throttling and per-entry
 * retries happen, then checks each acknowledged record is stored once where the writer said.
 *
 * <pre>
 * --records N      records to write (default 20000)
 * --size BYTES     data bytes per record (default 100)
 * --shards N       shards of the demo stream (default 4)
 * --chunk N        records per write() call (default 5000)
 * --endpoint URI   a real Kinesis API instead of the fake (kinesis-mock, LocalStack); the stream is
 *                  created if missing; nothing is read back
 * --stream NAME    stream name (default demo-stream)
 * </pre>
 */
public final class WriterDemo {

  private WriterDemo() {}

  /**
   * Runs the demo.
   *
   * @param args see the class documentation
   * @throws Exception when the demo cannot run
   */
  public static void main(String[] args) throws Exception {
    Map<String, String> opts = DemoSupport.parse(args);
    int records = Integer.parseInt(opts.getOrDefault("records", "20000"));
    int size = Integer.parseInt(opts.getOrDefault("size", "100"));
    int shards = Integer.parseInt(opts.getOrDefault("shards", "4"));
    int chunk = Integer.parseInt(opts.getOrDefault("chunk", "5000"));
    String stream = opts.getOrDefault("stream", "demo-stream");
    String endpoint = opts.get("endpoint");

    FakeKinesisAsyncClient fake = null;
    KinesisAsyncClient client;
    if (endpoint == null) {
      fake = FakeKinesisAsyncClient.builder().stream(stream, shards).build();
      client = fake;
      System.out.printf("in-memory Kinesis: stream %s, %d shards, 1,000 records/s and 1 MiB/s per shard%n",
          stream, shards);
    } else {
      client = KinesisClientFactory.create(KinesisClientConfig.forLocalEndpoint(URI.create(endpoint)));
      try {
        client.createStream(CreateStreamRequest.builder().streamName(stream).shardCount(shards).build()).join();
        Thread.sleep(1000);
      } catch (RuntimeException e) {
        System.out.println("stream not created (" + e.getMessage() + "); using it as it is");
      }
    }
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    RetryPolicy policy = RetryPolicy.builder().maxAttempts(20).deadline(Duration.ofSeconds(60)).build();
    long start = System.nanoTime();
    List<BatchWriteResult> results = new ArrayList<>();
    double retried;
    try (KinesisBatchWriter writer = KinesisBatchWriter.builder(client).streamName(stream)
        .retryPolicy(policy).metrics(MetricsOptions.of(registry)).build()) {
      for (int from = 0; from < records; from += chunk) {
        List<KinesisRecord> batch = new ArrayList<>();
        for (int i = from; i < Math.min(records, from + chunk); i++) {
          ByteBuffer data = ByteBuffer.allocate(Math.max(size, 4));
          data.putInt(0, i);
          batch.add(KinesisRecord.of("user-" + (i % 997), data));
        }
        BatchWriteResult r = writer.write(batch).join();
        results.add(r);
        double retriedSoFar = registry.find("kinesis.resilient.entries.retried").counters().stream()
            .mapToDouble(Counter::count).sum();
        System.out.printf("  %,8d / %,d written, %,d acknowledged, %,.0f entries retried so far%n",
            Math.min(records, from + chunk), records,
            results.stream().mapToLong(x -> x.acknowledged().size()).sum(), retriedSoFar);
      }
      retried = registry.find("kinesis.resilient.entries.retried").counters().stream()
          .mapToDouble(Counter::count).sum();
    }
    double seconds = (System.nanoTime() - start) / 1e9;

    long acknowledged = 0;
    Map<FailureReason, Long> failed = new EnumMap<>(FailureReason.class);
    Map<String, Long> perShard = new TreeMap<>();
    List<RecordResult.Acknowledged> acks = new ArrayList<>();
    for (BatchWriteResult r : results) {
      acknowledged += r.acknowledged().size();
      r.failedByReason().forEach((k, v) -> failed.merge(k, v, Long::sum));
      for (RecordResult.Acknowledged a : r.acknowledged()) {
        perShard.merge(a.shardId(), 1L, Long::sum);
        acks.add(a);
      }
    }
    System.out.println();
    System.out.printf("records sent         %,d in %.1f s%n", records, seconds);
    System.out.printf("acknowledged         %,d%n", acknowledged);
    System.out.printf("failed               %,d %s%n", failed.values().stream().mapToLong(Long::longValue).sum(), failed);
    System.out.printf("entries retried      %,.0f (throttled or internal failures, re-sent alone)%n", retried);
    System.out.printf("per shard            %s%n", perShard);
    if (fake != null) {
      long lost = DemoSupport.verifyAndPrintLost(fake, stream, acks, records,
          failed.values().stream().mapToLong(Long::longValue).sum());
      if (lost != 0) {
        System.exit(1);
      }
    } else {
      client.close();
    }
  }
}
