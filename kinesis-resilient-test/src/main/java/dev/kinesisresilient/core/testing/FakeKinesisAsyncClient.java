package dev.kinesisresilient.core.testing;

import dev.kinesisresilient.core.BatchLimits;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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
 * PutRecord, PutRecords, GetShardIterator, GetRecords and UpdateShardCount (UNIFORM_SCALING), by
 * StreamName or StreamARN; every other operation throws {@link UnsupportedOperationException}.
 *
 * <p>Thread-safe: one lock guards all state, so tests may call it from many threads. Responses complete
 * synchronously on the calling thread, outside the lock, unless {@link #delayResponses} is set, in
 * which case they complete on the given scheduler. Nothing here starts a thread. {@link #close()} marks
 * the client closed; any later call throws {@link IllegalStateException} at once.
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
 * {@link KinesisException} subclasses, never by throwing from the call; raw by default, or wrapped in a
 * {@link CompletionException} as the real client usually does with
 * {@link Builder#wrapFailuresInCompletionException(boolean)}. Misuse (a null request, a closed client)
 * throws at once, and so does a null argument to any method ({@link NullPointerException}). The full
 * reference (each operation's limits and errors, the error codes, what is not
 * modeled, such as KMS, enhanced fan-out, retention and read limits) is in docs/testing.md,
 * "FakeKinesisAsyncClient in detail".
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

  // The public face only: the work lives in package-private collaborators, one per seam, under one lock.
  private final String accountId;
  private final Region region;
  private final boolean enforceShardLimits;
  private final Object lock = new Object();
  private final List<PutRecordsRequest> putRecordsRequests = new ArrayList<>();
  private final List<PutRecordRequest> putRecordRequests = new ArrayList<>();
  private final ScriptedFaults faults = new ScriptedFaults(lock);
  private final CallDispatcher dispatcher;
  private final StreamAdmin streams;
  private final RecordWrites writes;
  private final ShardReads reads;

  private FakeKinesisAsyncClient(FakeKinesisSettings b) {
    this.accountId = b.accountId;
    this.region = b.region;
    this.enforceShardLimits = b.enforceShardLimits;
    ServiceErrors errors = new ServiceErrors(accountId);
    PageTokens tokens = new PageTokens(errors);
    this.dispatcher = new CallDispatcher(lock, b.wrapFailures, faults);
    this.streams = new StreamAdmin(lock, b.clock, b.perShardBytesPerSecond, b.perShardRecordsPerSecond,
        b.batchLimits, accountId, region, errors, tokens);
    this.writes = new RecordWrites(
        b.clock, b.batchLimits, accountId, enforceShardLimits, errors, faults, streams);
    this.reads = new ShardReads(b.clock, accountId, errors, tokens, streams);
    streams.addInitialStreams(b.streams);
  }

  /** A builder with every option at its default: returns a new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Builds the exception the SDK would raise for a service error, for scripting faults and for tests
   * of error classification.
   *
   * <p>Known codes (listed in docs/testing.md, matched without regard to case) give the SDK's modeled
   * subclass, such as {@code ProvisionedThroughputExceededException}; any other code, such as
   * {@code InternalFailure}, a plain {@link KinesisException}. Either way {@code awsErrorDetails()}
   * carries the code as given, the message, service name {@code Kinesis} and the status code.
   *
   * @param errorCode the AWS error code, as in {@code awsErrorDetails().errorCode()}
   * @param statusCode the HTTP status code, for example 400, 500 or 503
   * @param message the service's error message
   * @return the exception, not thrown
   */
  public static KinesisException serviceException(String errorCode, int statusCode, String message) {
    return ServiceErrors.serviceException(errorCode, statusCode, message);
  }

  /**
   * Same as {@link #serviceException(String, int, String)} with the status code the service uses for
   * the code: 500 for {@code InternalFailure}, {@code InternalFailureException} and {@code
   * InternalServerError}, 503 for {@code ServiceUnavailable}, 400 otherwise.
   *
   * @param errorCode the AWS error code
   * @param message the service's error message
   * @return the exception, not thrown
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
   */
  public static String rateExceededMessage(String shardId, String streamName, String accountId) {
    return ServiceErrors.rateExceededMessage(shardId, streamName, accountId);
  }

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
   */
  public void failNextEntries(int n, String errorCode, String errorMessage) {
    faults.failNextEntries(n, errorCode, errorMessage);
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
   */
  public void failEntriesWhere(
      Predicate<PutRecordsRequestEntry> predicate, String errorCode, String errorMessage) {
    faults.failEntriesWhere(predicate, errorCode, errorMessage);
  }

  /**
   * Makes the next PutRecords or PutRecord call complete exceptionally with {@code failure}, storing
   * nothing. The call is still recorded.
   *
   * @param failure the exception, typically from {@link #serviceException(String, int, String)} or an
   *     {@code SdkClientException} for a network failure
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
   */
  public void throwOnNextCalls(int n, Supplier<? extends Throwable> failures) {
    faults.throwOnNextCalls(n, failures);
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
   */
  public void delayResponses(Duration delay, ScheduledExecutorService scheduler) {
    faults.delayResponses(delay, scheduler);
  }

  /** Removes every scripted fault and response delay. Recorded calls and stored records are kept. */
  public void clearFaults() {
    faults.clear();
  }

  /** Every PutRecords request received, in call order, rejected and failed ones too: an immutable copy. */
  public List<PutRecordsRequest> putRecordsRequests() {
    return dispatcher.snapshot(putRecordsRequests);
  }

  /** Every PutRecord request received, in call order, rejected and failed ones too: an immutable copy. */
  public List<PutRecordRequest> putRecordRequests() {
    return dispatcher.snapshot(putRecordRequests);
  }

  /**
   * How many times an operation was called, whatever its outcome.
   *
   * @param operationName the AWS operation name, for example {@code PutRecords}, {@code PutRecord},
   *     {@code GetRecords}, {@code ListShards}
   * @return the call count, 0 for an operation never called
   */
  public int callCount(String operationName) {
    return dispatcher.callCount(operationName);
  }

  /**
   * Every record stored in a stream, across all its shards, in the order they were stored.
   *
   * @param streamName the stream
   * @return an immutable copy
   * @throws IllegalArgumentException when the stream does not exist
   */
  public List<StoredRecord> storedRecords(String streamName) {
    return streams.storedRecords(streamName);
  }

  /**
   * Every record stored in one shard, in sequence number order.
   *
   * @param streamName the stream
   * @param shardId the shard, for example {@code shardId-000000000000}
   * @return an immutable copy
   * @throws IllegalArgumentException when the stream or shard does not exist
   */
  public List<StoredRecord> storedRecords(String streamName, String shardId) {
    return streams.storedRecords(streamName, shardId);
  }

  /**
   * The ARN the fake gives a stream of this name.
   *
   * @param streamName the stream name
   * @return {@code arn:aws:kinesis:REGION:ACCOUNT:stream/NAME}
   */
  public String streamArn(String streamName) {
    return streams.streamArn(streamName);
  }

  /** The service name: {@code kinesis}. */
  @Override
  public String serviceName() {
    return SERVICE_NAME;
  }

  /** Marks the client closed; later calls throw {@link IllegalStateException}. Idempotent. */
  @Override
  public void close() {
    dispatcher.close();
  }


  /**
   * Creates a stream, ACTIVE at once: provisioned with {@code ShardCount} (1..10,000), or on-demand with
   * {@value #ON_DEMAND_SHARD_COUNT} shards.
   *
   * @return a future completed with an empty response, or with {@code ResourceInUseException} when the
   *     name is taken, {@code ValidationException} for a bad name or count
   */
  @Override
  public CompletableFuture<CreateStreamResponse> createStream(CreateStreamRequest request) {
    return dispatcher.invoke("CreateStream", request, () -> streams.createStream(request));
  }

  /**
   * Deletes a stream and its records at once.
   *
   * @param request the request, naming the stream by StreamName or StreamARN
   * @return a future completed with an empty response, or with {@code ResourceNotFoundException}
   */
  @Override
  public CompletableFuture<DeleteStreamResponse> deleteStream(DeleteStreamRequest request) {
    return dispatcher.invoke("DeleteStream", request, () -> streams.deleteStream(request));
  }

  /**
   * Lists streams in name order, with summaries; honours {@code Limit} (default 100),
   * {@code ExclusiveStartStreamName} and {@code NextToken}.
   *
   * @return a future completed with the names, summaries, {@code HasMoreStreams} and a next token
   */
  @Override
  public CompletableFuture<ListStreamsResponse> listStreams(ListStreamsRequest request) {
    return dispatcher.invoke("ListStreams", request, () -> streams.listStreams(request));
  }

  /** Lists every stream (up to the default limit of 100), as {@link #listStreams(ListStreamsRequest)}. */
  @Override
  public CompletableFuture<ListStreamsResponse> listStreams() {
    return listStreams(ListStreamsRequest.builder().build());
  }

  /**
   * Describes a stream: ACTIVE, its mode and ARN, the open shard count and the record size limit.
   *
   * @param request the request, naming the stream by StreamName or StreamARN
   * @return a future completed with the summary, or with {@code ResourceNotFoundException}
   */
  @Override
  public CompletableFuture<DescribeStreamSummaryResponse> describeStreamSummary(
      DescribeStreamSummaryRequest request) {
    return dispatcher.invoke(
        "DescribeStreamSummary", request, () -> streams.describeStreamSummary(request));
  }

  /**
   * Lists a stream's shards, open and closed, in creation order, a page at a time ({@code MaxResults}
   * 1..10,000, default 1,000, and {@code NextToken}), after {@code ExclusiveStartShardId} or filtered.
   *
   * @return a future completed with the shards and, when more remain, a next token
   */
  @Override
  public CompletableFuture<ListShardsResponse> listShards(ListShardsRequest request) {
    return dispatcher.invoke("ListShards", request, () -> streams.listShards(request));
  }

  /**
   * Reshards a stream at once ({@code UNIFORM_SCALING} only): closes every open shard and opens
   * {@code TargetShardCount} new ones over even hash key ranges.
   *
   * @return a future completed with the stream name, ARN, previous open shard count and target count
   */
  @Override
  public CompletableFuture<UpdateShardCountResponse> updateShardCount(UpdateShardCountRequest request) {
    return dispatcher.invoke("UpdateShardCount", request, () -> streams.updateShardCount(request));
  }

  /**
   * Writes a batch, as the service does: a request that breaks a {@link BatchLimits} limit is rejected
   * as a whole; then each entry, in order, is failed by a scripted fault, throttled when its shard's
   * token buckets cannot cover it ({@value #PROVISIONED_THROUGHPUT_EXCEEDED}, message
   * {@link #rateExceededMessage}), or stored with a new sequence number. Failed entries are not stored.
   *
   * @return a future completed with one result per entry in request order, or exceptionally with a
   *     scripted failure, {@code ValidationException}, {@code InvalidArgumentException} or
   *     {@code ResourceNotFoundException}
   */
  @Override
  public CompletableFuture<PutRecordsResponse> putRecords(PutRecordsRequest request) {
    return dispatcher.invoke(
        "PutRecords", request, () -> putRecordsRequests.add(request), () -> writes.putRecords(request));
  }

  /**
   * Writes one record with the same validation, faults and shard limits as {@link #putRecords}; a
   * throttled record or a scripted entry fault fails the call with the matching exception.
   *
   * @return a future completed with the shard id and sequence number, or exceptionally
   */
  @Override
  public CompletableFuture<PutRecordResponse> putRecord(PutRecordRequest request) {
    return dispatcher.invoke(
        "PutRecord", request, () -> putRecordRequests.add(request), () -> writes.putRecord(request));
  }

  /**
   * Returns an iterator for a shard, open or closed, of any iterator type. Iterators never expire.
   *
   * @return a future completed with an opaque iterator, or exceptionally with {@code
   *     ResourceNotFoundException}, {@code InvalidArgumentException} or {@code ValidationException}
   */
  @Override
  public CompletableFuture<GetShardIteratorResponse> getShardIterator(GetShardIteratorRequest request) {
    return dispatcher.invoke("GetShardIterator", request, () -> reads.getShardIterator(request));
  }

  /**
   * Reads records from a shard iterator: at most {@code Limit} records (1..10,000, default 10,000) and
   * about 10 MiB; at the end of a closed shard, no next iterator and the child shards.
   *
   * @return a future completed with the records, or exceptionally with {@code InvalidArgumentException},
   *     {@code ResourceNotFoundException} or {@code ValidationException}
   */
  @Override
  public CompletableFuture<GetRecordsResponse> getRecords(GetRecordsRequest request) {
    return dispatcher.invoke("GetRecords", request, () -> reads.getRecords(request));
  }

  /**
   * Builds a {@link FakeKinesisAsyncClient}. Each option may be set once; setting it again throws
   * {@link IllegalStateException}; a null argument throws {@link NullPointerException}. Not thread-safe;
   * use from one thread.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private final FakeKinesisSettings settings = new FakeKinesisSettings();

    private Builder() {}

    /**
     * The clock for arrival timestamps and token bucket refills. Default: the system clock in UTC.
     * Pass a {@link ManualClock} to control throttling in tests.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      settings.clock(clock);
      return this;
    }

    /**
     * Each shard's write limit in bytes per second, data plus partition key; also the byte bucket's
     * capacity (one second of rate). Default 1 MiB (1,048,576); range 1..1 GiB.
     *
     * @param bytesPerSecond the limit in bytes per second
     * @return this builder
     * @throws IllegalArgumentException when out of range
     */
    public Builder perShardBytesPerSecond(long bytesPerSecond) {
      settings.perShardBytesPerSecond(bytesPerSecond);
      return this;
    }

    /**
     * Each shard's write limit in records per second; also the record bucket's capacity. Default
     * 1,000; range 1..1,000,000.
     *
     * @param recordsPerSecond the limit in records per second
     * @return this builder
     * @throws IllegalArgumentException when out of range
     */
    public Builder perShardRecordsPerSecond(int recordsPerSecond) {
      settings.perShardRecordsPerSecond(recordsPerSecond);
      return this;
    }

    /**
     * The request and record limits PutRecords and PutRecord enforce. Default
     * {@link BatchLimits#defaults()} (500 records, 5 MiB per request, 1 MiB per record).
     *
     * @param batchLimits the limits
     * @return this builder
     */
    public Builder batchLimits(BatchLimits batchLimits) {
      settings.batchLimits(batchLimits);
      return this;
    }

    /**
     * The account id in ARNs and error messages. Default {@value #DEFAULT_ACCOUNT_ID}; 12 digits.
     *
     * @param accountId the account id
     * @return this builder
     * @throws IllegalArgumentException when not 12 digits
     */
    public Builder accountId(String accountId) {
      settings.accountId(accountId);
      return this;
    }

    /**
     * The region in stream ARNs. Default {@code us-east-1}.
     *
     * @param region the region
     * @return this builder
     */
    public Builder region(Region region) {
      settings.region(region);
      return this;
    }

    /**
     * Whether per-shard write limits throttle entries. Default true; false accepts any rate.
     *
     * @param enforce whether to enforce the limits
     * @return this builder
     */
    public Builder enforceShardLimits(boolean enforce) {
      settings.enforceShardLimits(enforce);
      return this;
    }

    /**
     * Whether failed futures carry the exception wrapped in a {@link CompletionException}, as the real
     * SDK async client usually does. Default false: the future fails with the raw exception.
     *
     * @param wrap whether to wrap
     * @return this builder
     */
    public Builder wrapFailuresInCompletionException(boolean wrap) {
      settings.wrapFailuresInCompletionException(wrap);
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
       */
    public Builder stream(String streamName, int shardCount) {
      settings.stream(streamName, shardCount);
      return this;
    }

    /** Builds the client: a new client with the configured streams. */
    public FakeKinesisAsyncClient build() {
      return new FakeKinesisAsyncClient(settings);
    }

    /** Lists every setting. */
    @Override
    public String toString() {
      return settings.toString();
    }
  }

  /** Lists the settings and streams. */
  @Override
  public String toString() {
    synchronized (lock) {
      return "FakeKinesisAsyncClient[account=" + accountId + ", region=" + region
          + ", streams=" + streams.names() + ", enforceShardLimits=" + enforceShardLimits + ", closed=" + dispatcher.isClosed() + "]";
    }
  }
}