package dev.kinesisresilient.examples;

import dev.kinesisresilient.core.HashKeys;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLongArray;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryRequest;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryResponse;
import software.amazon.awssdk.services.kinesis.model.HashKeyRange;
import software.amazon.awssdk.services.kinesis.model.ListShardsRequest;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;
import software.amazon.awssdk.services.kinesis.model.SequenceNumberRange;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.StreamDescriptionSummary;
import software.amazon.awssdk.services.kinesis.model.StreamModeDetails;
import software.amazon.awssdk.services.kinesis.model.StreamMode;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/**
 * For the throughput benchmark: a stream with no shard limits that does what the service does per
 * entry (size check, routing by the key's MD5 to a shard's hash key range, a sequence number, a result
 * entry) and then forgets the record, keeping only a count per shard. Unlike the in-memory fake, its
 * memory does not grow with the records written, so rounds do not slow each other down through GC.
 */
final class DiscardingKinesis implements KinesisAsyncClient {
  private final String stream;
  private final BigInteger[] starts;
  private final List<Shard> shards = new ArrayList<>();
  private final AtomicLongArray stored;
  private long sequence;

  DiscardingKinesis(String stream, int shardCount) {
    this.stream = stream;
    this.starts = new BigInteger[shardCount];
    this.stored = new AtomicLongArray(shardCount);
    BigInteger space = BigInteger.ONE.shiftLeft(128);
    for (int i = 0; i < shardCount; i++) {
      starts[i] = space.multiply(BigInteger.valueOf(i)).divide(BigInteger.valueOf(shardCount));
      BigInteger end = space.multiply(BigInteger.valueOf(i + 1)).divide(BigInteger.valueOf(shardCount))
          .subtract(BigInteger.ONE);
      shards.add(Shard.builder().shardId(shardId(i))
          .hashKeyRange(HashKeyRange.builder().startingHashKey(starts[i].toString()).endingHashKey(end.toString()).build())
          .sequenceNumberRange(SequenceNumberRange.builder().startingSequenceNumber("0").build()).build());
    }
  }

  private static String shardId(int i) {
    return String.format("shardId-%012d", i);
  }

  /** Records stored so far, all shards. */
  long storedRecords() {
    long n = 0;
    for (int i = 0; i < stored.length(); i++) {
      n += stored.get(i);
    }
    return n;
  }

  @Override
  public CompletableFuture<PutRecordsResponse> putRecords(PutRecordsRequest request) {
    List<PutRecordsRequestEntry> entries = request.records();
    List<PutRecordsResultEntry> results = new ArrayList<>(entries.size());
    synchronized (this) {
      for (PutRecordsRequestEntry e : entries) {
        if (e.data().asByteArrayUnsafe().length + e.partitionKey().length() > 1024 * 1024) {
          throw new IllegalArgumentException("record too large");
        }
        BigInteger h = HashKeys.of(e.partitionKey(), e.explicitHashKey());
        int shard = 0;
        while (shard + 1 < starts.length && starts[shard + 1].compareTo(h) <= 0) {
          shard++;
        }
        stored.incrementAndGet(shard);
        results.add(PutRecordsResultEntry.builder().shardId(shards.get(shard).shardId())
            .sequenceNumber(Long.toString(++sequence)).build());
      }
    }
    return CompletableFuture.completedFuture(PutRecordsResponse.builder().failedRecordCount(0).records(results).build());
  }

  @Override
  public CompletableFuture<DescribeStreamSummaryResponse> describeStreamSummary(DescribeStreamSummaryRequest request) {
    return CompletableFuture.completedFuture(DescribeStreamSummaryResponse.builder()
        .streamDescriptionSummary(StreamDescriptionSummary.builder().streamName(stream)
            .streamStatus(StreamStatus.ACTIVE).openShardCount(starts.length)
            .streamModeDetails(StreamModeDetails.builder().streamMode(StreamMode.PROVISIONED).build()).build())
        .build());
  }

  @Override
  public CompletableFuture<ListShardsResponse> listShards(ListShardsRequest request) {
    return CompletableFuture.completedFuture(ListShardsResponse.builder().shards(shards).build());
  }

  @Override
  public String serviceName() {
    return "kinesis";
  }

  @Override
  public void close() {}
}
