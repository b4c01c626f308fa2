package dev.kinesisresilient.core.testing;

import dev.kinesisresilient.core.BatchLimits;
import dev.kinesisresilient.core.StreamNames;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Predicate;
import java.util.function.Supplier;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.CreateStreamRequest;
import software.amazon.awssdk.services.kinesis.model.CreateStreamResponse;
import software.amazon.awssdk.services.kinesis.model.DeleteStreamRequest;
import software.amazon.awssdk.services.kinesis.model.DeleteStreamResponse;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryRequest;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryResponse;
import software.amazon.awssdk.services.kinesis.model.GetRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.GetShardIteratorRequest;
import software.amazon.awssdk.services.kinesis.model.GetShardIteratorResponse;
import software.amazon.awssdk.services.kinesis.model.KinesisException;
import software.amazon.awssdk.services.kinesis.model.ListShardsRequest;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.awssdk.services.kinesis.model.ListStreamsRequest;
import software.amazon.awssdk.services.kinesis.model.ListStreamsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.StreamMode;
import software.amazon.awssdk.services.kinesis.model.UpdateShardCountRequest;
import software.amazon.awssdk.services.kinesis.model.UpdateShardCountResponse;

/**
 * An in-memory Kinesis Data Streams service behind the SDK's {@link KinesisAsyncClient} interface, for
 * unit tests of code that writes to or reads from Kinesis (in the spirit of Kafka's
 * {@code MockProducer}/{@code MockClient}).
 *
 * <p>It behaves like the service where producers feel it: streams have shards with even hash key
 * ranges; each record goes to the shard whose range holds its explicit hash key, or else the MD5 of its
 * partition key; sequence numbers are 56-digit decimal strings that increase within a shard; each shard
 * has a token bucket of one second of its write rate (1,000 records/s and 1 MiB/s, data plus partition
 * key, by default) refilled from the injected {@link Clock}, and entries that do not fit fail with
 * {@code ProvisionedThroughputExceededException} and the service's message while the others succeed;
 * PutRecords requests that break a {@link BatchLimits} limit are rejected as a whole. Tests can script
 * faults ({@link #failNextEntries}, {@link #failEntriesWhere}, {@link #throwOnNextCall},
 * {@link #delayResponses}), inspect the calls ({@link #putRecordsRequests()}, {@link #callCount}) and
 * the stored data ({@link #storedRecords(String)}).
 *
 * <p>Supported operations: CreateStream, DeleteStream, ListStreams, DescribeStreamSummary, ListShards,
 * PutRecord, PutRecords, GetShardIterator, GetRecords and UpdateShardCount (UNIFORM_SCALING). Streams
 * may be named by StreamName or StreamARN ({@code arn:aws:kinesis:REGION:ACCOUNT:stream/NAME}). Every
 * other operation keeps the interface's default and throws {@link UnsupportedOperationException}.
 *
 * <p>Thread-safe: one lock guards all state, so tests may call it from many threads. Responses complete
 * synchronously on the calling thread, outside the lock, unless {@link #delayResponses} is set, in
 * which case they complete on the given scheduler. Nothing here starts a thread.
 *
 * <p>Lifecycle: {@link #close()} releases nothing (there is nothing to release) but marks the client
 * closed; any later call throws {@link IllegalStateException} at once. A scheduler passed to
 * {@link #delayResponses} stays owned by the caller.
 *
 * <pre>{@code
 * ManualClock clock = ManualClock.create();
 * FakeKinesisAsyncClient kinesis = FakeKinesisAsyncClient.builder().clock(clock).stream("orders", 2).build();
 * kinesis.failNextEntries(1, "InternalFailure", "Internal service failure.");
 * PutRecordsResponse r = kinesis.putRecords(b -> b.streamName("orders").records(entries)).join();
 * assertThat(r.failedRecordCount()).isEqualTo(1);
 * assertThat(kinesis.storedRecords("orders")).hasSize(entries.size() - 1);
 * clock.advance(Duration.ofSeconds(1));   // refills every shard's token buckets
 * }</pre>
 *
 * <p>How it fails: service errors complete the returned future exceptionally with the SDK's own
 * exception types ({@link KinesisException} subclasses with {@code awsErrorDetails().errorCode()},
 * {@code statusCode()} and service name {@code Kinesis}), never by throwing from the call. By default
 * the future's cause is the raw exception (a {@code CompletableFuture.failedFuture}); the real SDK
 * client usually wraps it in a {@link CompletionException}, which
 * {@link Builder#wrapFailuresInCompletionException(boolean)} reproduces so tests can check that code
 * unwraps. Misuse (a null request, a closed client) throws at once. Request-level errors:
 * {@code ValidationException} (400) for a missing or out-of-range field (0 or too many entries, a
 * partition key outside 1..256 characters, a null data field, a bad Limit); {@code
 * InvalidArgumentException} (400) for a record or request over its byte limit or a bad explicit hash
 * key, shard iterator or token; {@code ResourceNotFoundException} (400) for an unknown stream or shard;
 * {@code ResourceInUseException} (400) when creating a stream that exists.
 *
 * <p>Not modeled: KMS encryption, enhanced fan-out and consumers, tags, retention and trimming (records
 * are kept for the client's life), iterator expiry, read limits (5 GetRecords calls/s, 2 MiB/s per
 * shard), CREATING/UPDATING/DELETING states and resharding delays (every change is immediate),
 * UpdateShardCount's limits (double/half, calls per day), account shard limits, on-demand automatic
 * scaling and AUTO record distribution (records are always routed by hash key; the strategy is only
 * echoed by DescribeStreamSummary). After resharding, each new shard names at most two parents (the
 * old shards holding its first and last hash keys), while GetRecords' ChildShards lists every new shard
 * overlapping a closed one.
 *
 * @since 0.1.0
 */
public final class FakeKinesisAsyncClient implements KinesisAsyncClient {

  /** The account id used in ARNs and messages unless the builder sets another: {@value}. */
  public static final String DEFAULT_ACCOUNT_ID = "123456789012";

  /** The default per-shard write limit in bytes per second, data plus partition key: 1 MiB. */
  public static final long DEFAULT_PER_SHARD_BYTES_PER_SECOND = BatchLimits.MIB;

  /** The default per-shard write limit in records per second: {@value}. */
  public static final int DEFAULT_PER_SHARD_RECORDS_PER_SECOND = 1000;

  /** The number of shards an on-demand stream is created with: {@value}. */
  public static final int ON_DEMAND_SHARD_COUNT = 4;

  /** The most records one GetRecords call returns, and its default Limit: {@value}. */
  public static final int MAX_GET_RECORDS_LIMIT = 10_000;

  /** The most bytes one GetRecords call returns: 10 MiB. */
  public static final long MAX_GET_RECORDS_BYTES = 10 * BatchLimits.MIB;

  /** The per-entry and request error code of a throttled write. */
  public static final String PROVISIONED_THROUGHPUT_EXCEEDED = "ProvisionedThroughputExceededException";

  // The work lives in package-private collaborators, one per seam; this class is the public face:
  // settings, scripting, inspection and one delegating method per operation. One lock guards them all.
  private final String accountId;
  private final Region region;
  private final boolean enforceShardLimits;

  private final Object lock = new Object();
  // Everything below is guarded by lock.
  private final List<PutRecordsRequest> putRecordsRequests = new ArrayList<>();
  private final List<PutRecordRequest> putRecordRequests = new ArrayList<>();
  private final ScriptedFaults faults = new ScriptedFaults();
  private final CallDispatcher dispatcher;
  private final StreamAdmin streams;
  private final RecordWrites writes;
  private final ShardReads reads;

  private FakeKinesisAsyncClient(Builder b) {
    this.accountId = b.accountId;
    this.region = b.region;
    this.enforceShardLimits = b.enforceShardLimits;
    ServiceErrors errors = new ServiceErrors(accountId);
    PageTokens tokens = new PageTokens(errors);
    this.dispatcher = new CallDispatcher(lock, b.wrapFailures, faults);
    this.streams = new StreamAdmin(b.clock, b.perShardBytesPerSecond, b.perShardRecordsPerSecond, b.batchLimits,
        accountId, region, errors, tokens);
    this.writes = new RecordWrites(b.clock, b.batchLimits, accountId, enforceShardLimits, errors, faults, streams);
    this.reads = new ShardReads(b.clock, accountId, errors, tokens, streams);
    Instant now = b.clock.instant();
    for (Map.Entry<String, Integer> e : b.streams.entrySet()) {
      streams.addStream(e.getKey(), StreamMode.PROVISIONED, null, e.getValue(), now);
    }
  }

  /**
   * A builder with every option at its default.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  // ================================================================== exceptions

  /**
   * Builds the exception the SDK would raise for a service error, for scripting faults and for tests
   * of error classification.
   *
   * <p>Known codes give the SDK's modeled subclass: {@code ProvisionedThroughputExceededException},
   * {@code LimitExceededException}, {@code ResourceNotFoundException}, {@code ResourceInUseException},
   * {@code InvalidArgumentException}, {@code ValidationException}, {@code AccessDeniedException},
   * {@code ExpiredIteratorException}, {@code ExpiredNextTokenException}, {@code
   * InternalFailureException}, {@code DryRunOperationException} and the KMS codes {@code
   * KMSThrottlingException}, {@code KMSDisabledException}, {@code KMSInvalidStateException}, {@code
   * KMSAccessDeniedException}, {@code KMSNotFoundException}, {@code KMSOptInRequired} (matched without
   * regard to case). Any other code, such as {@code InternalFailure} or {@code ServiceUnavailable},
   * gives a plain {@link KinesisException}. Either way {@code awsErrorDetails()} carries the code as
   * given, the message, service name {@code Kinesis} and an HTTP response with the status code.
   *
   * @param errorCode the AWS error code, as in {@code awsErrorDetails().errorCode()}
   * @param statusCode the HTTP status code, for example 400, 500 or 503
   * @param message the service's error message
   * @return the exception, not thrown
   * @throws NullPointerException when {@code errorCode} or {@code message} is null
   */
  public static KinesisException serviceException(String errorCode, int statusCode, String message) {
    Objects.requireNonNull(errorCode, "errorCode");
    Objects.requireNonNull(message, "message");
    return ServiceErrors.newServiceException(errorCode, statusCode, message, null);
  }

  /**
   * Same as {@link #serviceException(String, int, String)} with the status code the service uses for
   * the code: 500 for {@code InternalFailure}, {@code InternalFailureException} and {@code
   * InternalServerError}, 503 for {@code ServiceUnavailable}, 400 otherwise.
   *
   * @param errorCode the AWS error code
   * @param message the service's error message
   * @return the exception, not thrown
   * @throws NullPointerException when an argument is null
   */
  public static KinesisException serviceException(String errorCode, String message) {
    Objects.requireNonNull(errorCode, "errorCode");
    return serviceException(errorCode, ServiceErrors.defaultStatusCode(errorCode), message);
  }

  /**
   * The message the service gives a throttled write, exactly:
   * {@code Rate exceeded for shard SHARD in stream STREAM under account ACCOUNT.}
   *
   * @param shardId the shard, for example {@code shardId-000000000001}
   * @param streamName the stream name
   * @param accountId the 12-digit account id
   * @return the message
   * @throws NullPointerException when an argument is null
   */
  public static String rateExceededMessage(String shardId, String streamName, String accountId) {
    Objects.requireNonNull(shardId, "shardId");
    Objects.requireNonNull(streamName, "streamName");
    Objects.requireNonNull(accountId, "accountId");
    return "Rate exceeded for shard " + shardId + " in stream " + streamName + " under account " + accountId + ".";
  }


  // ================================================================== scripted faults

  /**
   * Makes the next {@code n} PutRecords entries that pass request validation fail with the given error
   * code and message, without being stored; the request's other entries are handled normally. A
   * PutRecord call counts as one entry and fails with the matching exception
   * ({@link #serviceException(String, String)}). Calls add up: each script runs after the previous
   * one is used up.
   *
   * @param n how many entries fail, at least 1
   * @param errorCode the per-entry error code, for example {@code InternalFailure} or
   *     {@code ProvisionedThroughputExceededException}
   * @param errorMessage the per-entry error message
   * @throws IllegalArgumentException when {@code n} is less than 1
   * @throws NullPointerException when a string is null
   */
  public void failNextEntries(int n, String errorCode, String errorMessage) {
    Objects.requireNonNull(errorCode, "errorCode");
    Objects.requireNonNull(errorMessage, "errorMessage");
    if (n < 1) {
      throw new IllegalArgumentException("n must be at least 1, was " + n);
    }
    synchronized (lock) {
      faults.failNextEntries(n, errorCode, errorMessage);
    }
  }

  /**
   * Makes every PutRecords entry (and PutRecord call) that matches the predicate fail with the given
   * error code and message, without being stored, until {@link #clearFaults()}. Checked after
   * {@link #failNextEntries} and before the shard limits; the first matching predicate wins. The
   * predicate runs under the client's lock and must be fast and side-effect free.
   *
   * @param predicate chooses the entries to fail; for PutRecord it sees an entry built from the request
   * @param errorCode the per-entry error code
   * @param errorMessage the per-entry error message
   * @throws NullPointerException when an argument is null
   */
  public void failEntriesWhere(
      Predicate<PutRecordsRequestEntry> predicate, String errorCode, String errorMessage) {
    Objects.requireNonNull(predicate, "predicate");
    Objects.requireNonNull(errorCode, "errorCode");
    Objects.requireNonNull(errorMessage, "errorMessage");
    synchronized (lock) {
      faults.failEntriesWhere(predicate, errorCode, errorMessage);
    }
  }

  /**
   * Makes the next PutRecords or PutRecord call complete exceptionally with {@code failure}, storing
   * nothing. The call is still recorded.
   *
   * @param failure the exception, typically from {@link #serviceException(String, int, String)} or an
   *     {@code SdkClientException} for a network failure
   * @throws NullPointerException when {@code failure} is null
   */
  public void throwOnNextCall(Throwable failure) {
    Objects.requireNonNull(failure, "failure");
    throwOnNextCalls(1, () -> failure);
  }

  /**
   * Makes the next {@code n} PutRecords or PutRecord calls complete exceptionally with a fresh
   * exception from {@code failures} each, storing nothing. Calls add up in order.
   *
   * @param n how many calls fail, at least 1
   * @param failures makes each call's exception; runs under the client's lock and must not return null
   * @throws IllegalArgumentException when {@code n} is less than 1
   * @throws NullPointerException when {@code failures} is null
   */
  public void throwOnNextCalls(int n, Supplier<? extends Throwable> failures) {
    Objects.requireNonNull(failures, "failures");
    if (n < 1) {
      throw new IllegalArgumentException("n must be at least 1, was " + n);
    }
    synchronized (lock) {
      faults.throwOnNextCalls(n, failures);
    }
  }

  /**
   * Makes every operation's response, success or failure, complete {@code delay} later on
   * {@code scheduler} instead of on the calling thread. The work itself happens at call time: records
   * are stored and tokens taken when the call is made, so a caller that times out may still have
   * written its records, as with a slow network. Replaces any previous delay.
   *
   * @param delay the response delay; zero still completes on the scheduler
   * @param scheduler where responses complete, for example a {@link ManualScheduler}; owned by the
   *     caller. If it rejects a task, that response completes exceptionally with the
   *     {@link RejectedExecutionException}.
   * @throws IllegalArgumentException when {@code delay} is negative
   * @throws NullPointerException when an argument is null
   */
  public void delayResponses(Duration delay, ScheduledExecutorService scheduler) {
    Objects.requireNonNull(delay, "delay");
    Objects.requireNonNull(scheduler, "scheduler");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative, was " + delay);
    }
    synchronized (lock) {
      faults.delayResponses(delay, scheduler);
    }
  }

  /**
   * Removes every scripted fault and response delay. Recorded calls and stored records are kept.
   */
  public void clearFaults() {
    synchronized (lock) {
      faults.clear();
    }
  }

  // ================================================================== inspection

  /**
   * Every PutRecords request received, in call order, including rejected and failed ones.
   *
   * @return an immutable copy
   */
  public List<PutRecordsRequest> putRecordsRequests() {
    synchronized (lock) {
      return List.copyOf(putRecordsRequests);
    }
  }

  /**
   * Every PutRecord request received, in call order, including rejected and failed ones.
   *
   * @return an immutable copy
   */
  public List<PutRecordRequest> putRecordRequests() {
    synchronized (lock) {
      return List.copyOf(putRecordRequests);
    }
  }

  /**
   * How many times an operation was called, whatever its outcome.
   *
   * @param operationName the AWS operation name, for example {@code PutRecords}, {@code PutRecord},
   *     {@code GetRecords}, {@code ListShards}
   * @return the call count, 0 for an operation never called
   * @throws NullPointerException when {@code operationName} is null
   */
  public int callCount(String operationName) {
    Objects.requireNonNull(operationName, "operationName");
    synchronized (lock) {
      return dispatcher.callCount(operationName);
    }
  }

  /**
   * Every record stored in a stream, across all its shards, in the order they were stored.
   *
   * @param streamName the stream
   * @return an immutable copy
   * @throws IllegalArgumentException when the stream does not exist
   * @throws NullPointerException when {@code streamName} is null
   */
  public List<StoredRecord> storedRecords(String streamName) {
    Objects.requireNonNull(streamName, "streamName");
    synchronized (lock) {
      List<StoredRecord> all = new ArrayList<>();
      for (FakeShard s : streams.requireStream(streamName).shards) {
        all.addAll(s.records);
      }
      // Sequence numbers are decimals without leading zeros: the shorter is smaller, equal lengths compare
      // as text (no BigInteger parsed per comparison).
      all.sort(java.util.Comparator.comparingInt((StoredRecord r) -> r.sequenceNumber().length())
          .thenComparing(StoredRecord::sequenceNumber));
      return List.copyOf(all);
    }
  }

  /**
   * Every record stored in one shard, in sequence number order.
   *
   * @param streamName the stream
   * @param shardId the shard, for example {@code shardId-000000000000}
   * @return an immutable copy
   * @throws IllegalArgumentException when the stream or shard does not exist
   * @throws NullPointerException when an argument is null
   */
  public List<StoredRecord> storedRecords(String streamName, String shardId) {
    Objects.requireNonNull(streamName, "streamName");
    Objects.requireNonNull(shardId, "shardId");
    synchronized (lock) {
      FakeShard shard = streams.requireStream(streamName).shard(shardId);
      if (shard == null) {
        throw new IllegalArgumentException("no shard " + shardId + " in stream " + streamName);
      }
      return List.copyOf(shard.records);
    }
  }

  /**
   * The ARN the fake gives a stream of this name.
   *
   * @param streamName the stream name
   * @return {@code arn:aws:kinesis:REGION:ACCOUNT:stream/NAME}
   * @throws NullPointerException when {@code streamName} is null
   */
  public String streamArn(String streamName) {
    Objects.requireNonNull(streamName, "streamName");
    return streams.streamArn(streamName);
  }

  // ================================================================== SdkClient

  /**
   * The service name.
   *
   * @return {@code kinesis}
   */
  @Override
  public String serviceName() {
    return SERVICE_NAME;
  }

  /** Marks the client closed; later calls throw {@link IllegalStateException}. Idempotent. */
  @Override
  public void close() {
    synchronized (lock) {
      dispatcher.close();
    }
  }

  // ================================================================== stream administration

  /**
   * Creates a stream, ACTIVE at once. Provisioned streams need {@code ShardCount} (1..10,000);
   * on-demand streams ({@code StreamModeDetails} ON_DEMAND) get {@value #ON_DEMAND_SHARD_COUNT} shards
   * and accept no shard count.
   *
   * @param request the request
   * @return a future completed with an empty response, or with {@code ResourceInUseException} when the
   *     name is taken, {@code ValidationException} for a bad name or count
   * @throws NullPointerException when {@code request} is null
   * @throws IllegalStateException when the client is closed
   */
  @Override
  public CompletableFuture<CreateStreamResponse> createStream(CreateStreamRequest request) {
    Objects.requireNonNull(request, "request");
    return dispatcher.invoke("CreateStream", () -> streams.createStream(request));
  }

  /**
   * Deletes a stream and its records at once.
   *
   * @param request the request, naming the stream by StreamName or StreamARN
   * @return a future completed with an empty response, or with {@code ResourceNotFoundException}
   * @throws NullPointerException when {@code request} is null
   * @throws IllegalStateException when the client is closed
   */
  @Override
  public CompletableFuture<DeleteStreamResponse> deleteStream(DeleteStreamRequest request) {
    Objects.requireNonNull(request, "request");
    return dispatcher.invoke("DeleteStream", () -> streams.deleteStream(request));
  }

  /**
   * Lists streams in name order, with summaries; honours {@code Limit} (default 100),
   * {@code ExclusiveStartStreamName} and {@code NextToken}.
   *
   * @param request the request
   * @return a future completed with the names, summaries, {@code HasMoreStreams} and a next token
   * @throws NullPointerException when {@code request} is null
   * @throws IllegalStateException when the client is closed
   */
  @Override
  public CompletableFuture<ListStreamsResponse> listStreams(ListStreamsRequest request) {
    Objects.requireNonNull(request, "request");
    return dispatcher.invoke("ListStreams", () -> streams.listStreams(request));
  }

  /**
   * Lists every stream (up to the default limit of 100).
   *
   * @return a future completed as {@link #listStreams(ListStreamsRequest)} with an empty request
   * @throws IllegalStateException when the client is closed
   */
  @Override
  public CompletableFuture<ListStreamsResponse> listStreams() {
    return listStreams(ListStreamsRequest.builder().build());
  }

  /**
   * Describes a stream: status ACTIVE, mode, ARN, 24-hour retention, no encryption, the open shard
   * count, no consumers, the per-record limit from {@link BatchLimits#maxRecordBytes()} in KiB, and
   * the record distribution strategy it was created with, if any.
   *
   * @param request the request, naming the stream by StreamName or StreamARN
   * @return a future completed with the summary, or with {@code ResourceNotFoundException}
   * @throws NullPointerException when {@code request} is null
   * @throws IllegalStateException when the client is closed
   */
  @Override
  public CompletableFuture<DescribeStreamSummaryResponse> describeStreamSummary(
      DescribeStreamSummaryRequest request) {
    Objects.requireNonNull(request, "request");
    return dispatcher.invoke("DescribeStreamSummary", () -> streams.describeStreamSummary(request));
  }

  /**
   * Lists a stream's shards, open and closed, in creation order. Honours {@code MaxResults} (1..10,000,
   * default 1,000), {@code NextToken} (which must come without a stream name or ARN, as in the
   * service), {@code ExclusiveStartShardId} and a {@code ShardFilter} of type {@code AT_LATEST}
   * (open shards only) or {@code AFTER_SHARD_ID}; other filter types list every shard, since nothing
   * is trimmed.
   *
   * @param request the request
   * @return a future completed with the shards and, when more remain, a next token
   * @throws NullPointerException when {@code request} is null
   * @throws IllegalStateException when the client is closed
   */
  @Override
  public CompletableFuture<ListShardsResponse> listShards(ListShardsRequest request) {
    Objects.requireNonNull(request, "request");
    return dispatcher.invoke("ListShards", () -> streams.listShards(request));
  }

  /**
   * Reshards a stream at once: with {@code UNIFORM_SCALING}, the only scaling type, closes every open
   * shard (setting its ending sequence number) and opens {@code TargetShardCount} new shards that split
   * the hash key space evenly, each naming the old shards holding its first and last hash keys as
   * parents. Works for on-demand streams too.
   *
   * @param request the request
   * @return a future completed with the stream name, ARN, previous open shard count and target count
   * @throws NullPointerException when {@code request} is null
   * @throws IllegalStateException when the client is closed
   */
  @Override
  public CompletableFuture<UpdateShardCountResponse> updateShardCount(UpdateShardCountRequest request) {
    Objects.requireNonNull(request, "request");
    return dispatcher.invoke("UpdateShardCount", () -> streams.updateShardCount(request));
  }

  // ================================================================== writes

  /**
   * Writes a batch, as the service does: validates the whole request first (entry count 1..
   * {@link BatchLimits#maxRecordsPerRequest()}, each partition key 1..256 characters, each record's data
   * plus key at most {@link BatchLimits#maxRecordBytes()}, the sum at most
   * {@link BatchLimits#maxRequestBytes()}, explicit hash keys decimal 0..2^128-1) and rejects it as a
   * whole on any violation. Then each entry, in order, is failed by a scripted fault, throttled when its
   * shard's token buckets cannot cover it ({@code ProvisionedThroughputExceededException}, message
   * {@code Rate exceeded for shard ... in stream ... under account ....}), or stored with a new
   * sequence number. Failed entries are not stored and are counted in {@code FailedRecordCount}.
   *
   * @param request the request
   * @return a future completed with one result per entry in request order, or exceptionally with a
   *     scripted failure, {@code ValidationException}, {@code InvalidArgumentException} or
   *     {@code ResourceNotFoundException}
   * @throws NullPointerException when {@code request} is null
   * @throws IllegalStateException when the client is closed
   */
  @Override
  public CompletableFuture<PutRecordsResponse> putRecords(PutRecordsRequest request) {
    Objects.requireNonNull(request, "request");
    return dispatcher.invoke(
        "PutRecords", () -> putRecordsRequests.add(request), () -> writes.putRecords(request));
  }

  /**
   * Writes one record with the same validation, faults and shard limits as {@link #putRecords}; a
   * throttled record fails the call with {@code ProvisionedThroughputExceededException}, and a
   * scripted entry fault fails it with the matching exception.
   *
   * @param request the request
   * @return a future completed with the shard id and sequence number, or exceptionally
   * @throws NullPointerException when {@code request} is null
   * @throws IllegalStateException when the client is closed
   */
  @Override
  public CompletableFuture<PutRecordResponse> putRecord(PutRecordRequest request) {
    Objects.requireNonNull(request, "request");
    return dispatcher.invoke(
        "PutRecord", () -> putRecordRequests.add(request), () -> writes.putRecord(request));
  }

  // ================================================================== reads

  /**
   * Returns an iterator for a shard, open or closed: {@code TRIM_HORIZON} (the first record),
   * {@code LATEST} (after the last record), {@code AT_SEQUENCE_NUMBER} / {@code AFTER_SEQUENCE_NUMBER}
   * (at or after the first record whose sequence number is at least / greater than the given one) or
   * {@code AT_TIMESTAMP} (the first record that arrived at or after the timestamp). Iterators never
   * expire.
   *
   * @param request the request
   * @return a future completed with an opaque iterator, or exceptionally with
   *     {@code ResourceNotFoundException} (stream or shard), {@code InvalidArgumentException} (missing
   *     or malformed sequence number or timestamp) or {@code ValidationException} (no iterator type)
   * @throws NullPointerException when {@code request} is null
   * @throws IllegalStateException when the client is closed
   */
  @Override
  public CompletableFuture<GetShardIteratorResponse> getShardIterator(GetShardIteratorRequest request) {
    Objects.requireNonNull(request, "request");
    return dispatcher.invoke("GetShardIterator", () -> reads.getShardIterator(request));
  }

  /**
   * Reads records from a shard iterator: at most {@code Limit} records (1..10,000, default 10,000) and
   * about 10 MiB. {@code NextShardIterator} is null once a closed shard has been read to its end, and
   * {@code ChildShards} then lists the shards that replaced it. {@code MillisBehindLatest} is 0 when
   * the response reaches the shard's last record, else the age, by the fake's clock, of the first
   * record not returned.
   *
   * @param request the request
   * @return a future completed with the records, or exceptionally with {@code InvalidArgumentException}
   *     (malformed iterator), {@code ResourceNotFoundException} (stream deleted or recreated) or
   *     {@code ValidationException} (bad Limit)
   * @throws NullPointerException when {@code request} is null
   * @throws IllegalStateException when the client is closed
   */
  @Override
  public CompletableFuture<GetRecordsResponse> getRecords(GetRecordsRequest request) {
    Objects.requireNonNull(request, "request");
    return dispatcher.invoke("GetRecords", () -> reads.getRecords(request));
  }

  // ================================================================== builder

  /**
   * Builds a {@link FakeKinesisAsyncClient}. Each option may be set once; setting it again throws
   * {@link IllegalStateException}. Not thread-safe; use from one thread.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private final Set<String> set = new HashSet<>();
    private final Map<String, Integer> streams = new TreeMap<>();
    private Clock clock = Clock.system(ZoneOffset.UTC);
    private long perShardBytesPerSecond = DEFAULT_PER_SHARD_BYTES_PER_SECOND;
    private int perShardRecordsPerSecond = DEFAULT_PER_SHARD_RECORDS_PER_SECOND;
    private BatchLimits batchLimits = BatchLimits.defaults();
    private String accountId = DEFAULT_ACCOUNT_ID;
    private Region region = Region.US_EAST_1;
    private boolean enforceShardLimits = true;
    private boolean wrapFailures;

    private Builder() {}

    private void once(String option) {
      if (!set.add(option)) {
        throw new IllegalStateException(option + " was already set");
      }
    }

    /**
     * The clock for arrival timestamps and token bucket refills. Default: the system clock in UTC.
     * Pass a {@link ManualClock} to control throttling in tests.
     *
     * @param clock the clock
     * @return this builder
     * @throws NullPointerException when {@code clock} is null
     * @throws IllegalStateException when already set
     */
    public Builder clock(Clock clock) {
      Objects.requireNonNull(clock, "clock");
      once("clock");
      this.clock = clock;
      return this;
    }

    /**
     * Each shard's write limit in bytes per second, data plus partition key; also the byte bucket's
     * capacity (one second of rate). Default 1 MiB (1,048,576); range 1..1 GiB.
     *
     * @param bytesPerSecond the limit in bytes per second
     * @return this builder
     * @throws IllegalArgumentException when out of range
     * @throws IllegalStateException when already set
     */
    public Builder perShardBytesPerSecond(long bytesPerSecond) {
      if (bytesPerSecond < 1 || bytesPerSecond > 1024 * BatchLimits.MIB) {
        throw new IllegalArgumentException(
            "perShardBytesPerSecond must be in 1.." + 1024 * BatchLimits.MIB + " bytes, was " + bytesPerSecond);
      }
      once("perShardBytesPerSecond");
      this.perShardBytesPerSecond = bytesPerSecond;
      return this;
    }

    /**
     * Each shard's write limit in records per second; also the record bucket's capacity. Default
     * 1,000; range 1..1,000,000.
     *
     * @param recordsPerSecond the limit in records per second
     * @return this builder
     * @throws IllegalArgumentException when out of range
     * @throws IllegalStateException when already set
     */
    public Builder perShardRecordsPerSecond(int recordsPerSecond) {
      if (recordsPerSecond < 1 || recordsPerSecond > 1_000_000) {
        throw new IllegalArgumentException(
            "perShardRecordsPerSecond must be in 1..1000000, was " + recordsPerSecond);
      }
      once("perShardRecordsPerSecond");
      this.perShardRecordsPerSecond = recordsPerSecond;
      return this;
    }

    /**
     * The request and record limits PutRecords and PutRecord enforce. Default
     * {@link BatchLimits#defaults()} (500 records, 5 MiB per request, 1 MiB per record).
     *
     * @param batchLimits the limits
     * @return this builder
     * @throws NullPointerException when {@code batchLimits} is null
     * @throws IllegalStateException when already set
     */
    public Builder batchLimits(BatchLimits batchLimits) {
      Objects.requireNonNull(batchLimits, "batchLimits");
      once("batchLimits");
      this.batchLimits = batchLimits;
      return this;
    }

    /**
     * The account id in ARNs and error messages. Default {@value #DEFAULT_ACCOUNT_ID}; 12 digits.
     *
     * @param accountId the account id
     * @return this builder
     * @throws IllegalArgumentException when not 12 digits
     * @throws NullPointerException when {@code accountId} is null
     * @throws IllegalStateException when already set
     */
    public Builder accountId(String accountId) {
      Objects.requireNonNull(accountId, "accountId");
      if (!accountId.matches("[0-9]{12}")) {
        throw new IllegalArgumentException("accountId must be 12 digits, was " + accountId);
      }
      once("accountId");
      this.accountId = accountId;
      return this;
    }

    /**
     * The region in stream ARNs. Default {@code us-east-1}.
     *
     * @param region the region
     * @return this builder
     * @throws NullPointerException when {@code region} is null
     * @throws IllegalStateException when already set
     */
    public Builder region(Region region) {
      Objects.requireNonNull(region, "region");
      once("region");
      this.region = region;
      return this;
    }

    /**
     * Whether per-shard write limits throttle entries. Default true; false accepts any rate.
     *
     * @param enforce whether to enforce the limits
     * @return this builder
     * @throws IllegalStateException when already set
     */
    public Builder enforceShardLimits(boolean enforce) {
      once("enforceShardLimits");
      this.enforceShardLimits = enforce;
      return this;
    }

    /**
     * Whether failed futures carry the exception wrapped in a {@link CompletionException}, as the real
     * SDK async client usually does. Default false: the future fails with the raw exception.
     *
     * @param wrap whether to wrap
     * @return this builder
     * @throws IllegalStateException when already set
     */
    public Builder wrapFailuresInCompletionException(boolean wrap) {
      once("wrapFailuresInCompletionException");
      this.wrapFailures = wrap;
      return this;
    }

    /**
     * Creates a provisioned stream when the client is built, ACTIVE at once. May be called once per
     * stream name.
     *
     * @param streamName the stream name, 1..128 characters of {@code [a-zA-Z0-9_.-]}
     * @param shardCount the shard count, 1..10,000
     * @return this builder
     * @throws IllegalArgumentException when the name or count is invalid
     * @throws IllegalStateException when a stream of that name was already added
     * @throws NullPointerException when {@code streamName} is null
     */
    public Builder stream(String streamName, int shardCount) {
      StreamNames.requireValidName(streamName, "streamName");
      if (shardCount < 1 || shardCount > StreamAdmin.MAX_SHARD_COUNT) {
        throw new IllegalArgumentException("shardCount must be in 1.." + StreamAdmin.MAX_SHARD_COUNT + ", was " + shardCount);
      }
      if (streams.putIfAbsent(streamName, shardCount) != null) {
        throw new IllegalStateException("stream " + streamName + " was already added");
      }
      return this;
    }

    /**
     * Builds the client.
     *
     * @return a new client with the configured streams
     */
    public FakeKinesisAsyncClient build() {
      return new FakeKinesisAsyncClient(this);
    }

    /**
     * Lists every setting.
     *
     * @return a description of the settings
     */
    @Override
    public String toString() {
      return "FakeKinesisAsyncClient.Builder[clock=" + clock + ", perShardBytesPerSecond=" + perShardBytesPerSecond
          + ", perShardRecordsPerSecond=" + perShardRecordsPerSecond + ", batchLimits=" + batchLimits
          + ", accountId=" + accountId + ", region=" + region + ", enforceShardLimits=" + enforceShardLimits
          + ", wrapFailuresInCompletionException=" + wrapFailures + ", streams=" + streams + "]";
    }
  }

  /**
   * Lists the settings and streams.
   *
   * @return a short description
   */
  @Override
  public String toString() {
    synchronized (lock) {
      return "FakeKinesisAsyncClient[account=" + accountId + ", region=" + region + ", streams=" + streams.names()
          + ", enforceShardLimits=" + enforceShardLimits + ", closed=" + dispatcher.isClosed() + "]";
    }
  }
}