package dev.kinesisresilient.core.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kinesisresilient.core.BatchWriteResult;
import dev.kinesisresilient.core.FailureReason;
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
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.ScalingType;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.UpdateShardCountResponse;

/**
 * End-to-end reconciliation: 20,000 records through the writer while everything goes wrong at once,
 * then every record accounted for by reading the stream back.
 *
 * <p>Faults: 20% of entries throttled (dropped before sending, as the service does), 2% of calls
 * failed whole with a 503, connection resets before the server sees a request (3% of requests),
 * three stalled responses after the server stored the request (the writer's attempt timeout ends
 * them), and a reshard from 2 to 4 shards (UpdateShardCount) half-way through the writes.
 *
 * <p>Claims checked: every record ends with exactly one result, acknowledged or failed with a
 * reason; every acknowledged record is in the stream (parent or child shard) on the shard and with
 * the sequence number the writer reported, with identical bytes: zero lost. Records stored twice
 * are counted and reported, never hidden, and must be explained: each went on the wire at least
 * twice, because an earlier attempt carrying it got no answer (stall or reset). The figures are
 * printed as one summary line ({@code [reconciliation] ...}).
 *
 * <p>Sized for about a minute on a 2-core machine: small records, a fresh server of its own
 * (kinesis-mock slows down as shards fill), 500-record writes with at most three outstanding.
 */
final class ReconciliationIT {

  @RegisterExtension static final KinesisMockExtension KINESIS = KinesisMockExtension.perClass();

  private static final int RECORDS = 20_000;
  private static final int CHUNK = 500;
  private static final int OUTSTANDING_WRITES = 3;
  private static final int INITIAL_SHARDS = 2;
  private static final int RESHARDED_SHARDS = 4;
  private static final double ENTRY_THROTTLE_PROBABILITY = 0.20;
  private static final double CALL_5XX_PROBABILITY = 0.02;
  private static final double RESET_PROBABILITY = 0.03;
  /** Chunks before which the next request is stalled. */
  private static final Set<Integer> STALL_BEFORE_CHUNKS = Set.of(6, 17, 31);
  private static final int RESHARD_BEFORE_CHUNK = 20;
  private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(8);

  @Test
  void twentyThousandRecords_throttlingServerErrorsResetsStallsAndReshard_noneLost(
      LocalKinesis kinesis) throws Exception {
    String stream = kinesis.createStream(kinesis.uniqueStreamName("reconciliation"), INITIAL_SHARDS);
    List<KinesisRecord> records = records(new Random(20_000));
    PutRecordsFaultInterceptor faults =
        kinesis
            .newFaultInterceptor()
            .failEntries(EntryError.THROTTLED, EntrySelector.withProbability(ENTRY_THROTTLE_PROBABILITY, 41))
            .failCalls(CallError.SERVICE_UNAVAILABLE, CALL_5XX_PROBABILITY, 42);
    PutRecordsCapture capture = new PutRecordsCapture();
    RetryPolicy retryPolicy =
        RetryPolicy.builder()
            .maxAttempts(10)
            .baseDelay(Duration.ofMillis(50))
            .maxDelay(Duration.ofSeconds(1))
            .deadline(Duration.ofSeconds(90))
            .build();

    long start = System.nanoTime();
    List<RecordResult> results = new ArrayList<>(RECORDS);
    CompletableFuture<UpdateShardCountResponse> reshard = null;
    int reshardAtRecord = -1;
    long resets;
    long stalls;
    try (FaultyTcpProxy proxy = FaultyTcpProxy.start(kinesis.endpoint());
        KinesisAsyncClient admin = kinesis.newClient();
        KinesisAsyncClient client =
            kinesis.newClient(
                proxy.endpoint(),
                o -> o.addExecutionInterceptor(faults)
                    .addExecutionInterceptor(capture)
                    .apiCallTimeout(Duration.ofSeconds(30)));
        KinesisBatchWriter writer =
            KinesisBatchWriter.builder(client)
                .streamName(stream)
                .maxConcurrentRequests(OUTSTANDING_WRITES)
                .attemptTimeout(ATTEMPT_TIMEOUT)
                .retryPolicy(retryPolicy)
                .build()) {
      proxy.faultRequests(Fault.reset(), RESET_PROBABILITY, 43);
      Semaphore outstanding = new Semaphore(OUTSTANDING_WRITES);
      List<CompletableFuture<BatchWriteResult>> writes = new ArrayList<>();
      for (int chunk = 0; chunk * CHUNK < RECORDS; chunk++) {
        outstanding.acquire();
        if (STALL_BEFORE_CHUNKS.contains(chunk)) {
          proxy.faultNextRequests(Fault.stall(), 1);
        }
        if (chunk == RESHARD_BEFORE_CHUNK) {
          reshardAtRecord = chunk * CHUNK;
          reshard =
              admin.updateShardCount(
                  b -> b.streamName(stream)
                      .targetShardCount(RESHARDED_SHARDS)
                      .scalingType(ScalingType.UNIFORM_SCALING));
        }
        List<KinesisRecord> slice =
            records.subList(chunk * CHUNK, Math.min(RECORDS, (chunk + 1) * CHUNK));
        writes.add(writer.write(slice).whenComplete((r, e) -> outstanding.release()));
      }
      for (CompletableFuture<BatchWriteResult> write : writes) {
        results.addAll(write.join().results());
      }
      resets = proxy.resets();
      stalls = proxy.stalls();
      // Read back only after the server executed every stalled request (the reconciliation below
      // explains every copy; on a loaded machine a stalled request can be read late).
      proxy.awaitResponsesWithheld(stalls, LocalKinesis.DEFAULT_API_CALL_TIMEOUT);
    }
    Duration writeTime = Duration.ofNanos(System.nanoTime() - start);
    assertThat(reshard).isNotNull();
    reshard.join();
    kinesis.awaitStreamActive(stream, LocalKinesis.STREAM_ACTIVE_TIMEOUT);

    // Read back every shard, the closed parents included.
    ReadBack stored = ReadBack.of(kinesis, stream);
    Duration runTime = Duration.ofNanos(System.nanoTime() - start);

    // Reconcile.
    Map<FailureReason, Long> failedByReason = new EnumMap<>(FailureReason.class);
    Map<String, Long> failedByCode = new TreeMap<>();
    int acknowledged = 0;
    int found = 0;
    int failedButStored = 0;
    List<String> lost = new ArrayList<>();
    List<String> duplicated = new ArrayList<>();
    long extraCopies = 0;
    for (RecordResult result : results) {
      String key = result.record().partitionKey();
      List<ReadBack.Stored> copies = stored.copies(key);
      if (copies.size() > 1) {
        duplicated.add(key);
        extraCopies += copies.size() - 1;
      }
      if (result instanceof RecordResult.Acknowledged a) {
        acknowledged++;
        boolean where =
            copies.stream()
                .anyMatch(
                    c -> c.shardId().equals(a.shardId())
                        && c.record().sequenceNumber().equals(a.sequenceNumber())
                        && c.record().data().equals(a.record().data()));
        if (where) {
          found++;
        } else {
          lost.add(key);
        }
      } else {
        RecordResult.Failed f = (RecordResult.Failed) result;
        failedByReason.merge(f.reason(), 1L, Long::sum);
        failedByCode.merge(f.errorCode(), 1L, Long::sum);
        if (!copies.isEmpty()) {
          failedButStored++;
        }
      }
    }
    Map<String, Integer> perShard =
        stored.byShard().entrySet().stream()
            .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().size(), (x, y) -> x, TreeMap::new));
    System.out.printf(
        "[reconciliation] sent=%d acknowledged=%d failed=%d %s %s found-on-read-back=%d lost=%d "
            + "duplicates=%d records (%d extra copies) failed-but-stored=%d stored=%d "
            + "| faults: entries-throttled=%d calls-503=%d resets=%d stalls=%d, reshard %d->%d at record %d, "
            + "requests built=%d, transmitted=%d (%d without response) | shards %s | write %.1f s, run %.1f s%n",
        records.size(), acknowledged, results.size() - acknowledged, failedByReason, failedByCode,
        found, lost.size(), duplicated.size(), extraCopies, failedButStored, stored.total(),
        faults.entriesFailed(EntryError.THROTTLED), faults.callsFailed(CallError.SERVICE_UNAVAILABLE),
        resets, stalls, INITIAL_SHARDS, RESHARDED_SHARDS, reshardAtRecord,
        capture.built().size(), capture.attemptsTransmitted(), capture.attemptsWithoutResponse(),
        perShard, writeTime.toMillis() / 1000.0, runTime.toMillis() / 1000.0);

    // Every record has exactly one result, acknowledged or reported.
    assertThat(results).hasSize(records.size());
    assertThat(results.stream().map(r -> r.record().partitionKey()).distinct().count())
        .isEqualTo(records.size());
    // Zero lost: every acknowledged record is stored where the writer said.
    assertThat(lost).as("acknowledged records not found where reported").isEmpty();
    assertThat(found).isEqualTo(acknowledged);
    // Failures are possible only through retries running out, and with these odds are rare.
    assertThat(failedByReason.keySet())
        .isSubsetOf(FailureReason.RETRIES_EXHAUSTED, FailureReason.DEADLINE_EXCEEDED);
    assertThat(results.size() - acknowledged).isLessThanOrEqualTo(RECORDS / 100);
    // Nothing in the stream that was not sent.
    assertThat(stored.distinctKeys()).isLessThanOrEqualTo(records.size());
    assertThat(stored.total()).isEqualTo(found + (failedButStored + extraCopies));
    // Duplicates are explained: each was on the wire at least as often as it is stored, it took
    // more than one attempt, and it was in an attempt that got no response (stall or reset).
    Map<String, RecordResult> byKey =
        results.stream().collect(Collectors.toMap(r -> r.record().partitionKey(), r -> r));
    Set<String> unanswered = capture.keysTransmittedWithoutResponse();
    for (String key : duplicated) {
      assertThat(capture.transmissions(key))
          .as("transmissions of duplicated %s", key)
          .isGreaterThanOrEqualTo(stored.copies(key).size());
      assertThat(byKey.get(key).attempts()).as("attempts of duplicated %s", key).isGreaterThan(1);
      assertThat(unanswered).as("unanswered attempts hold duplicated %s", key).contains(key);
    }
    // The faults really happened, the reshard happened mid-write: records on parents and children.
    assertThat(faults.entriesFailed(EntryError.THROTTLED)).isGreaterThan(RECORDS / 10);
    assertThat(faults.callsFailed()).isPositive();
    assertThat(resets).isPositive();
    assertThat(stalls).isEqualTo(STALL_BEFORE_CHUNKS.size());
    List<Shard> shards = kinesis.listShards(stream);
    assertThat(shards).hasSize(INITIAL_SHARDS + RESHARDED_SHARDS);
    List<String> parents =
        shards.stream().filter(s -> s.parentShardId() == null).map(Shard::shardId).toList();
    assertThat(parents).hasSize(INITIAL_SHARDS);
    for (Shard shard : shards) {
      assertThat(stored.byShard().get(shard.shardId()))
          .as("records on %s (%s)", shard.shardId(), parents.contains(shard.shardId()) ? "parent" : "child")
          .isNotEmpty();
    }
  }

  /** Unique partition keys; 1-300 bytes of data, every 50th record up to 4 KiB. */
  private static List<KinesisRecord> records(Random random) {
    List<KinesisRecord> records = new ArrayList<>(RECORDS);
    for (int i = 0; i < RECORDS; i++) {
      byte[] data = new byte[1 + random.nextInt(i % 50 == 0 ? 4096 : 300)];
      random.nextBytes(data);
      records.add(KinesisRecord.of("rec-" + i + "-" + Integer.toHexString(random.nextInt()), data));
    }
    return records;
  }
}
