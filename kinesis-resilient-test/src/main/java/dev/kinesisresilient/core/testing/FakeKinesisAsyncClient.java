package dev.kinesisresilient.core.testing;

import dev.kinesisresilient.core.BatchLimits;
import dev.kinesisresilient.core.StreamNames;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.AccessDeniedException;
import software.amazon.awssdk.services.kinesis.model.ChildShard;
import software.amazon.awssdk.services.kinesis.model.CreateStreamRequest;
import software.amazon.awssdk.services.kinesis.model.CreateStreamResponse;
import software.amazon.awssdk.services.kinesis.model.DeleteStreamRequest;
import software.amazon.awssdk.services.kinesis.model.DeleteStreamResponse;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryRequest;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryResponse;
import software.amazon.awssdk.services.kinesis.model.DryRunOperationException;
import software.amazon.awssdk.services.kinesis.model.EncryptionType;
import software.amazon.awssdk.services.kinesis.model.ExpiredIteratorException;
import software.amazon.awssdk.services.kinesis.model.ExpiredNextTokenException;
import software.amazon.awssdk.services.kinesis.model.GetRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.GetShardIteratorRequest;
import software.amazon.awssdk.services.kinesis.model.GetShardIteratorResponse;
import software.amazon.awssdk.services.kinesis.model.InternalFailureException;
import software.amazon.awssdk.services.kinesis.model.InvalidArgumentException;
import software.amazon.awssdk.services.kinesis.model.KinesisException;
import software.amazon.awssdk.services.kinesis.model.KmsAccessDeniedException;
import software.amazon.awssdk.services.kinesis.model.KmsDisabledException;
import software.amazon.awssdk.services.kinesis.model.KmsInvalidStateException;
import software.amazon.awssdk.services.kinesis.model.KmsNotFoundException;
import software.amazon.awssdk.services.kinesis.model.KmsOptInRequiredException;
import software.amazon.awssdk.services.kinesis.model.KmsThrottlingException;
import software.amazon.awssdk.services.kinesis.model.LimitExceededException;
import software.amazon.awssdk.services.kinesis.model.ListShardsRequest;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.awssdk.services.kinesis.model.ListStreamsRequest;
import software.amazon.awssdk.services.kinesis.model.ListStreamsResponse;
import software.amazon.awssdk.services.kinesis.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.kinesis.model.PutRecordRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.RecordDistributionStrategy;
import software.amazon.awssdk.services.kinesis.model.ResourceInUseException;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;
import software.amazon.awssdk.services.kinesis.model.ScalingType;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardFilterType;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.services.kinesis.model.StreamDescriptionSummary;
import software.amazon.awssdk.services.kinesis.model.StreamMode;
import software.amazon.awssdk.services.kinesis.model.StreamModeDetails;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;
import software.amazon.awssdk.services.kinesis.model.StreamSummary;
import software.amazon.awssdk.services.kinesis.model.UpdateShardCountRequest;
import software.amazon.awssdk.services.kinesis.model.UpdateShardCountResponse;
import software.amazon.awssdk.services.kinesis.model.ValidationException;

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

  private static final String SERVICE_ERROR_NAME = "Kinesis";
  private static final int MAX_SHARD_COUNT = 10_000;
  private static final int DEFAULT_LIST_SHARDS_MAX_RESULTS = 1000;
  private static final int DEFAULT_LIST_STREAMS_LIMIT = 100;
    private static final Pattern HASH_KEY = Pattern.compile("0|[1-9][0-9]{0,38}");
  private static final Pattern SEQUENCE_NUMBER = Pattern.compile("0|[1-9][0-9]{0,128}");

  private final Clock clock;
  private final long perShardBytesPerSecond;
  private final int perShardRecordsPerSecond;
  private final BatchLimits batchLimits;
  private final String accountId;
  private final Region region;
  private final boolean enforceShardLimits;
  private final boolean wrapFailures;

  private final Object lock = new Object();
  private final MessageDigest md5 = newMd5();
  // Everything below is guarded by lock.
  private final Map<String, FakeStream> streams = new TreeMap<>();
  private final List<PutRecordsRequest> putRecordsRequests = new ArrayList<>();
  private final List<PutRecordRequest> putRecordRequests = new ArrayList<>();
  private final Map<String, Integer> callCounts = new HashMap<>();
  private final Deque<CountedEntryFault> countedEntryFaults = new ArrayDeque<>();
  private final List<PredicateEntryFault> predicateEntryFaults = new ArrayList<>();
  private final Deque<CallFault> callFaults = new ArrayDeque<>();
  private @Nullable Duration responseDelay;
  private @Nullable ScheduledExecutorService responseScheduler;
  private long nextIncarnation;
  private long nextRequestId;
  private boolean closed;

  private FakeKinesisAsyncClient(Builder b) {
    this.clock = b.clock;
    this.perShardBytesPerSecond = b.perShardBytesPerSecond;
    this.perShardRecordsPerSecond = b.perShardRecordsPerSecond;
    this.batchLimits = b.batchLimits;
    this.accountId = b.accountId;
    this.region = b.region;
    this.enforceShardLimits = b.enforceShardLimits;
    this.wrapFailures = b.wrapFailures;
    Instant now = clock.instant();
    for (Map.Entry<String, Integer> e : b.streams.entrySet()) {
      addStream(e.getKey(), StreamMode.PROVISIONED, null, e.getValue(), now);
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
    return newServiceException(errorCode, statusCode, message, null);
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
    return serviceException(errorCode, defaultStatusCode(errorCode), message);
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

  private static int defaultStatusCode(String errorCode) {
    switch (errorCode.toLowerCase(Locale.ROOT)) {
      case "internalfailure":
      case "internalfailureexception":
      case "internalservererror":
        return 500;
      case "serviceunavailable":
        return 503;
      default:
        return 400;
    }
  }

  private static KinesisException newServiceException(
      String errorCode, int statusCode, String message, @Nullable String requestId) {
    KinesisException.Builder b;
    switch (errorCode.toLowerCase(Locale.ROOT)) {
      case "provisionedthroughputexceededexception":
        b = ProvisionedThroughputExceededException.builder();
        break;
      case "limitexceededexception":
        b = LimitExceededException.builder();
        break;
      case "resourcenotfoundexception":
        b = ResourceNotFoundException.builder();
        break;
      case "resourceinuseexception":
        b = ResourceInUseException.builder();
        break;
      case "invalidargumentexception":
        b = InvalidArgumentException.builder();
        break;
      case "validationexception":
        b = ValidationException.builder();
        break;
      case "accessdeniedexception":
        b = AccessDeniedException.builder();
        break;
      case "expirediteratorexception":
        b = ExpiredIteratorException.builder();
        break;
      case "expirednexttokenexception":
        b = ExpiredNextTokenException.builder();
        break;
      case "internalfailureexception":
        b = InternalFailureException.builder();
        break;
      case "dryrunoperationexception":
        b = DryRunOperationException.builder();
        break;
      case "kmsthrottlingexception":
        b = KmsThrottlingException.builder();
        break;
      case "kmsdisabledexception":
        b = KmsDisabledException.builder();
        break;
      case "kmsinvalidstateexception":
        b = KmsInvalidStateException.builder();
        break;
      case "kmsaccessdeniedexception":
        b = KmsAccessDeniedException.builder();
        break;
      case "kmsnotfoundexception":
        b = KmsNotFoundException.builder();
        break;
      case "kmsoptinrequired":
      case "kmsoptinrequiredexception":
        b = KmsOptInRequiredException.builder();
        break;
      default:
        b = KinesisException.builder();
        break;
    }
    AwsErrorDetails details = AwsErrorDetails.builder()
        .errorCode(errorCode)
        .errorMessage(message)
        .serviceName(SERVICE_ERROR_NAME)
        .sdkHttpResponse(SdkHttpResponse.builder().statusCode(statusCode).build())
        .build();
    b.message(message).statusCode(statusCode).awsErrorDetails(details);
    if (requestId != null) {
      b.requestId(requestId);
    }
    return (KinesisException) b.build();
  }

  // Callers hold lock.
  private KinesisException error(String errorCode, String message) {
    String requestId = String.format("%08x-0000-4000-8000-%012x", accountId.hashCode(), ++nextRequestId);
    return newServiceException(errorCode, defaultStatusCode(errorCode), message, requestId);
  }

  private KinesisException validation(String message) {
    return error("ValidationException", message);
  }

  private KinesisException invalidArgument(String message) {
    return error("InvalidArgumentException", message);
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
      countedEntryFaults.add(new CountedEntryFault(n, errorCode, errorMessage));
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
      predicateEntryFaults.add(new PredicateEntryFault(predicate, errorCode, errorMessage));
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
      callFaults.add(new CallFault(n, failures));
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
      responseDelay = delay;
      responseScheduler = scheduler;
    }
  }

  /**
   * Removes every scripted fault and response delay. Recorded calls and stored records are kept.
   */
  public void clearFaults() {
    synchronized (lock) {
      countedEntryFaults.clear();
      predicateEntryFaults.clear();
      callFaults.clear();
      responseDelay = null;
      responseScheduler = null;
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
      return callCounts.getOrDefault(operationName, 0);
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
      for (FakeShard s : requireStream(streamName).shards) {
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
      FakeShard shard = requireStream(streamName).shard(shardId);
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
    return "arn:aws:kinesis:" + region.id() + ":" + accountId + ":stream/" + streamName;
  }

  private FakeStream requireStream(String streamName) {
    FakeStream s = streams.get(streamName);
    if (s == null) {
      throw new IllegalArgumentException("no stream named " + streamName);
    }
    return s;
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
      closed = true;
    }
  }

  // ================================================================== dispatch

  private interface Operation<T> {
    T run();
  }

  private <T> CompletableFuture<T> invoke(String operationName, Operation<T> operation) {
    return invoke(operationName, null, operation);
  }

  /**
   * Runs an operation under the lock and delivers its outcome. {@code recordWrite} is non-null for
   * PutRecord(s): it records the request, and scripted call faults apply.
   */
  private <T> CompletableFuture<T> invoke(
      String operationName, @Nullable Runnable recordWrite, Operation<T> operation) {
    T value = null;
    Throwable failure = null;
    Duration delay;
    ScheduledExecutorService scheduler;
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("FakeKinesisAsyncClient is closed");
      }
      callCounts.merge(operationName, 1, Integer::sum);
      Throwable scripted = null;
      if (recordWrite != null) {
        recordWrite.run();
        scripted = nextCallFault();
      }
      if (scripted != null) {
        failure = scripted;
      } else {
        try {
          value = operation.run();
        } catch (KinesisException e) {
          failure = e;
        }
      }
      delay = responseDelay;
      scheduler = responseScheduler;
    }
    if (failure != null && wrapFailures && !(failure instanceof CompletionException)) {
      failure = new CompletionException(failure);
    }
    if (delay == null || scheduler == null) {
      return failure == null ? CompletableFuture.completedFuture(value) : CompletableFuture.failedFuture(failure);
    }
    CompletableFuture<T> future = new CompletableFuture<>();
    T v = value;
    Throwable f = failure;
    try {
      scheduler.schedule(
          () -> {
            if (f == null) {
              future.complete(v);
            } else {
              future.completeExceptionally(f);
            }
          },
          delay.toNanos(),
          TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      future.completeExceptionally(e);
    }
    return future;
  }

  // Caller holds lock.
  private @Nullable Throwable nextCallFault() {
    CallFault fault = callFaults.peek();
    if (fault == null) {
      return null;
    }
    if (--fault.remaining == 0) {
      callFaults.poll();
    }
    return Objects.requireNonNull(fault.failures.get(), "throwOnNextCalls supplier returned null");
  }

  // Caller holds lock.
  private @Nullable EntryFailure nextEntryFault(PutRecordsRequestEntry entry) {
    CountedEntryFault counted = countedEntryFaults.peek();
    if (counted != null) {
      if (--counted.remaining == 0) {
        countedEntryFaults.poll();
      }
      return new EntryFailure(counted.errorCode, counted.errorMessage);
    }
    for (PredicateEntryFault f : predicateEntryFaults) {
      if (f.predicate.test(entry)) {
        return new EntryFailure(f.errorCode, f.errorMessage);
      }
    }
    return null;
  }

  // Caller holds lock.
  private FakeStream stream(@Nullable String streamName, @Nullable String streamArn) {
    String name = streamName;
    if (streamArn != null) {
      String prefix = "arn:aws:kinesis:" + region.id() + ":" + accountId + ":stream/";
      if (!streamArn.startsWith("arn:aws:kinesis:") || !streamArn.contains(":stream/")) {
        throw invalidArgument("StreamARN " + streamArn + " is not a valid Kinesis stream ARN.");
      }
      if (!streamArn.startsWith(prefix)) {
        throw error("ResourceNotFoundException", "Stream " + streamArn + " not found.");
      }
      String fromArn = streamArn.substring(prefix.length());
      if (name != null && !name.equals(fromArn)) {
        throw invalidArgument("StreamName " + name + " and StreamARN " + streamArn + " name different streams.");
      }
      name = fromArn;
    }
    if (name == null) {
      throw invalidArgument("Either StreamName or StreamARN must be provided.");
    }
    FakeStream s = streams.get(name);
    if (s == null) {
      throw error("ResourceNotFoundException", "Stream " + name + " under account " + accountId + " not found.");
    }
    return s;
  }

  // Caller holds lock.
  private FakeStream addStream(
      String name, StreamMode mode, @Nullable RecordDistributionStrategy strategy,
      int shardCount, Instant now) {
    FakeStream s = new FakeStream(name, streamArn(name), nextIncarnation++, mode, strategy, shardCount,
        perShardRecordsPerSecond, perShardBytesPerSecond, now);
    streams.put(name, s);
    return s;
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
    return invoke("CreateStream", () -> {
      String name = request.streamName();
      if (name == null || !StreamNames.isValidName(name)) {
        throw validation("1 validation error detected: Value at 'streamName' failed to satisfy constraint: "
            + "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+ and have length 1..128");
      }
      StreamMode mode = request.streamModeDetails() == null
          ? StreamMode.PROVISIONED
          : request.streamModeDetails().streamMode();
      int shards;
      if (mode == StreamMode.ON_DEMAND) {
        if (request.shardCount() != null) {
          throw invalidArgument("ShardCount is not allowed for a stream in ON_DEMAND mode.");
        }
        shards = ON_DEMAND_SHARD_COUNT;
      } else if (mode == StreamMode.PROVISIONED) {
        if (request.shardCount() == null) {
          throw invalidArgument("ShardCount is required for a stream in PROVISIONED mode.");
        }
        shards = request.shardCount();
        if (shards < 1 || shards > MAX_SHARD_COUNT) {
          throw validation("1 validation error detected: Value '" + shards + "' at 'shardCount' failed to "
              + "satisfy constraint: Member must have value between 1 and " + MAX_SHARD_COUNT);
        }
      } else {
        throw validation("1 validation error detected: Value at 'streamModeDetails.streamMode' failed to "
            + "satisfy constraint: Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]");
      }
      if (streams.containsKey(name)) {
        throw error("ResourceInUseException", "Stream " + name + " under account " + accountId + " already exists.");
      }
      addStream(name, mode, request.recordDistributionStrategy(), shards, clock.instant());
      return CreateStreamResponse.builder().build();
    });
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
    return invoke("DeleteStream", () -> {
      FakeStream s = stream(request.streamName(), request.streamARN());
      streams.remove(s.name);
      return DeleteStreamResponse.builder().build();
    });
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
    return invoke("ListStreams", () -> {
      int limit = request.limit() == null ? DEFAULT_LIST_STREAMS_LIMIT : request.limit();
      if (limit < 1 || limit > MAX_SHARD_COUNT) {
        throw validation("1 validation error detected: Value '" + limit + "' at 'limit' failed to satisfy "
            + "constraint: Member must have value between 1 and " + MAX_SHARD_COUNT);
      }
      String after = request.exclusiveStartStreamName();
      if (request.nextToken() != null) {
        after = decodeToken(request.nextToken(), "ListStreams");
      }
      List<String> names = new ArrayList<>();
      List<StreamSummary> summaries = new ArrayList<>();
      boolean more = false;
      for (FakeStream s : streams.values()) {
        if (after != null && s.name.compareTo(after) <= 0) {
          continue;
        }
        if (names.size() == limit) {
          more = true;
          break;
        }
        names.add(s.name);
        summaries.add(StreamSummary.builder()
            .streamName(s.name)
            .streamARN(s.arn)
            .streamStatus(StreamStatus.ACTIVE)
            .streamModeDetails(StreamModeDetails.builder().streamMode(s.mode).build())
            .streamCreationTimestamp(s.createdAt)
            .build());
      }
      return ListStreamsResponse.builder()
          .streamNames(names)
          .streamSummaries(summaries)
          .hasMoreStreams(more)
          .nextToken(more ? encodeToken("ListStreams", names.get(names.size() - 1)) : null)
          .build();
    });
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
    return invoke("DescribeStreamSummary", () -> {
      FakeStream s = stream(request.streamName(), request.streamARN());
      return DescribeStreamSummaryResponse.builder()
          .streamDescriptionSummary(StreamDescriptionSummary.builder()
              .streamName(s.name)
              .streamARN(s.arn)
              .streamStatus(StreamStatus.ACTIVE)
              .streamModeDetails(StreamModeDetails.builder().streamMode(s.mode).build())
              .retentionPeriodHours(24)
              .streamCreationTimestamp(s.createdAt)
              .enhancedMonitoring(List.of())
              .encryptionType(EncryptionType.NONE)
              .openShardCount(s.openShards().size())
              .consumerCount(0)
              .maxRecordSizeInKiB((int) (batchLimits.maxRecordBytes() / 1024))
              .recordDistributionStrategy(s.distributionStrategy)
              .build())
          .build();
    });
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
    return invoke("ListShards", () -> {
      int max = request.maxResults() == null ? DEFAULT_LIST_SHARDS_MAX_RESULTS : request.maxResults();
      if (max < 1 || max > MAX_SHARD_COUNT) {
        throw validation("1 validation error detected: Value '" + max + "' at 'maxResults' failed to "
            + "satisfy constraint: Member must have value between 1 and " + MAX_SHARD_COUNT);
      }
      FakeStream s;
      int offset = 0;
      if (request.nextToken() != null) {
        if (request.streamName() != null || request.streamARN() != null) {
          throw invalidArgument("NextToken and StreamName or StreamARN cannot be provided together.");
        }
        String[] parts = decodeToken(request.nextToken(), "ListShards").split("\\|", 3);
        if (parts.length != 3) {
          throw invalidArgument("Invalid NextToken.");
        }
        s = streams.get(parts[2]);
        if (s == null || s.incarnation != Long.parseLong(parts[0])) {
          throw error("ResourceNotFoundException", "Stream " + parts[2] + " under account " + accountId
              + " not found.");
        }
        offset = Integer.parseInt(parts[1]);
      } else {
        s = stream(request.streamName(), request.streamARN());
      }
      List<FakeShard> selected = new ArrayList<>();
      String afterId = request.exclusiveStartShardId();
      if (request.shardFilter() != null && request.shardFilter().type() == ShardFilterType.AFTER_SHARD_ID) {
        afterId = request.shardFilter().shardId();
      }
      boolean openOnly = request.shardFilter() != null && request.shardFilter().type() == ShardFilterType.AT_LATEST;
      for (FakeShard shard : s.shards) {
        if ((afterId == null || shard.id.compareTo(afterId) > 0) && (!openOnly || shard.isOpen())) {
          selected.add(shard);
        }
      }
      int end = Math.min(selected.size(), offset + max);
      List<Shard> page = new ArrayList<>();
      for (int i = Math.min(offset, end); i < end; i++) {
        page.add(selected.get(i).toModel());
      }
      String next = end < selected.size() ? encodeToken("ListShards", s.incarnation + "|" + end + "|" + s.name) : null;
      return ListShardsResponse.builder().shards(page).nextToken(next).build();
    });
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
    return invoke("UpdateShardCount", () -> {
      FakeStream s = stream(request.streamName(), request.streamARN());
      Integer target = request.targetShardCount();
      if (target == null || target < 1 || target > MAX_SHARD_COUNT) {
        throw validation("1 validation error detected: Value '" + target + "' at 'targetShardCount' failed to "
            + "satisfy constraint: Member must have value between 1 and " + MAX_SHARD_COUNT);
      }
      if (request.scalingType() != ScalingType.UNIFORM_SCALING) {
        throw validation("1 validation error detected: Value '" + request.scalingTypeAsString()
            + "' at 'scalingType' failed to satisfy constraint: Member must satisfy enum value set: "
            + "[UNIFORM_SCALING]");
      }
      int current = s.openShards().size();
      s.reshard(target, clock.instant());
      return UpdateShardCountResponse.builder()
          .streamName(s.name)
          .streamARN(s.arn)
          .currentShardCount(current)
          .targetShardCount(target)
          .build();
    });
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
    return invoke("PutRecords", () -> putRecordsRequests.add(request), () -> doPutRecords(request));
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
    return invoke("PutRecord", () -> putRecordRequests.add(request), () -> {
      FakeStream s = stream(request.streamName(), request.streamARN());
      PutRecordsRequestEntry entry = PutRecordsRequestEntry.builder()
          .partitionKey(request.partitionKey())
          .data(request.data())
          .explicitHashKey(request.explicitHashKey())
          .build();
      long size = validateEntry(entry, "");
      BigInteger hashKey = hashKeyOf(entry);
      EntryFailure fault = nextEntryFault(entry);
      if (fault != null) {
        throw error(fault.errorCode, fault.errorMessage);
      }
      Instant now = clock.instant();
      FakeShard shard = s.openShardFor(hashKey);
      if (enforceShardLimits && !shard.tryAcquire(size, now)) {
        throw error(PROVISIONED_THROUGHPUT_EXCEEDED, rateExceededMessage(shard.id, s.name, accountId));
      }
      StoredRecord r = s.store(shard, entry.partitionKey(), entry.explicitHashKey(), entry.data(), now);
      return PutRecordResponse.builder()
          .shardId(r.shardId())
          .sequenceNumber(r.sequenceNumber())
          .encryptionType(EncryptionType.NONE)
          .build();
    });
  }

  // Caller holds lock.
  private PutRecordsResponse doPutRecords(PutRecordsRequest request) {
    FakeStream s = stream(request.streamName(), request.streamARN());
    List<PutRecordsRequestEntry> entries = request.hasRecords() ? request.records() : List.of();
    if (entries.isEmpty()) {
      throw validation("1 validation error detected: Value '[]' at 'records' failed to satisfy constraint: "
          + "Member must have length greater than or equal to 1");
    }
    int max = batchLimits.maxRecordsPerRequest();
    if (entries.size() > max) {
      throw validation("1 validation error detected: Value of " + entries.size() + " records at 'records' "
          + "failed to satisfy constraint: Member must have length less than or equal to " + max);
    }
    long[] sizes = new long[entries.size()];
    BigInteger[] hashKeys = new BigInteger[entries.size()];
    long total = 0;
    for (int i = 0; i < entries.size(); i++) {
      PutRecordsRequestEntry entry = entries.get(i);
      sizes[i] = validateEntry(entry, "records." + (i + 1) + ".member.");
      hashKeys[i] = hashKeyOf(entry);
      total += sizes[i];
    }
    if (total > batchLimits.maxRequestBytes()) {
      throw invalidArgument("Records size of " + total + " bytes (data and partition keys) exceeds the "
          + "request limit of " + batchLimits.maxRequestBytes() + " bytes.");
    }
    Instant now = clock.instant();
    List<PutRecordsResultEntry> results = new ArrayList<>(entries.size());
    int failed = 0;
    for (int i = 0; i < entries.size(); i++) {
      PutRecordsRequestEntry entry = entries.get(i);
      EntryFailure fault = nextEntryFault(entry);
      if (fault != null) {
        results.add(PutRecordsResultEntry.builder().errorCode(fault.errorCode).errorMessage(fault.errorMessage).build());
        failed++;
        continue;
      }
      FakeShard shard = s.openShardFor(hashKeys[i]);
      if (enforceShardLimits && !shard.tryAcquire(sizes[i], now)) {
        results.add(PutRecordsResultEntry.builder()
            .errorCode(PROVISIONED_THROUGHPUT_EXCEEDED)
            .errorMessage(rateExceededMessage(shard.id, s.name, accountId))
            .build());
        failed++;
        continue;
      }
      StoredRecord r = s.store(shard, entry.partitionKey(), entry.explicitHashKey(), entry.data(), now);
      results.add(PutRecordsResultEntry.builder().shardId(r.shardId()).sequenceNumber(r.sequenceNumber()).build());
    }
    return PutRecordsResponse.builder()
        .failedRecordCount(failed)
        .records(results)
        .encryptionType(EncryptionType.NONE)
        .build();
  }

  /** Validates one entry; returns its size (data plus partition key UTF-8 bytes). Caller holds lock. */
  private long validateEntry(PutRecordsRequestEntry entry, String path) {
    String key = entry.partitionKey();
    if (key == null) {
      throw validation("1 validation error detected: Value null at '" + path + "partitionKey' failed to "
          + "satisfy constraint: Member must not be null");
    }
    int chars = key.codePointCount(0, key.length());
    if (chars < BatchLimits.MIN_PARTITION_KEY_CHARS || chars > BatchLimits.MAX_PARTITION_KEY_CHARS) {
      throw validation("1 validation error detected: Value of " + chars + " characters at '" + path
          + "partitionKey' failed to satisfy constraint: Member must have length between "
          + BatchLimits.MIN_PARTITION_KEY_CHARS + " and " + BatchLimits.MAX_PARTITION_KEY_CHARS);
    }
    SdkBytes data = entry.data();
    if (data == null) {
      throw validation("1 validation error detected: Value null at '" + path + "data' failed to satisfy "
          + "constraint: Member must not be null");
    }
    long size = (long) data.asByteArrayUnsafe().length + key.getBytes(StandardCharsets.UTF_8).length;
    if (size > batchLimits.maxRecordBytes()) {
      throw invalidArgument("Record size of " + size + " bytes (data and partition key) at '" + path
          + "data' exceeds the record limit of " + batchLimits.maxRecordBytes() + " bytes.");
    }
    String ehk = entry.explicitHashKey();
    if (ehk != null
        && (!HASH_KEY.matcher(ehk).matches() || new BigInteger(ehk).compareTo(BatchLimits.MAX_HASH_KEY) > 0)) {
      throw invalidArgument("Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. "
          + "Specified value was " + ehk);
    }
    return size;
  }

  /** Caller holds lock. */
  private BigInteger hashKeyOf(PutRecordsRequestEntry entry) {
    String ehk = entry.explicitHashKey();
    if (ehk != null) {
      return new BigInteger(ehk);
    }
    // Its own digest, not core's HashKeys: the fake checks the producer's routing, so it must not share
    // its code (or its cache). One instance, reused under the lock: MessageDigest.getInstance per entry
    // looked the provider up every time.
    return new BigInteger(1, md5.digest(entry.partitionKey().getBytes(StandardCharsets.UTF_8)));
  }

  private static MessageDigest newMd5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is required of every Java platform", e);
    }
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
    return invoke("GetShardIterator", () -> {
      FakeStream s = stream(request.streamName(), request.streamARN());
      String shardId = request.shardId();
      FakeShard shard = shardId == null ? null : s.shard(shardId);
      if (shard == null) {
        throw error("ResourceNotFoundException", "Shard " + shardId + " in stream " + s.name
            + " under account " + accountId + " does not exist");
      }
      ShardIteratorType type = request.shardIteratorType();
      if (type == null || type == ShardIteratorType.UNKNOWN_TO_SDK_VERSION) {
        throw validation("1 validation error detected: Value '" + request.shardIteratorTypeAsString()
            + "' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: "
            + "[AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, TRIM_HORIZON, LATEST, AT_TIMESTAMP]");
      }
      int position;
      switch (type) {
        case TRIM_HORIZON:
          position = 0;
          break;
        case LATEST:
          position = shard.records.size();
          break;
        case AT_SEQUENCE_NUMBER:
        case AFTER_SEQUENCE_NUMBER:
          position = positionOfSequence(shard, request.startingSequenceNumber(), type == ShardIteratorType.AFTER_SEQUENCE_NUMBER);
          break;
        case AT_TIMESTAMP:
          Instant ts = request.timestamp();
          if (ts == null) {
            throw invalidArgument("Timestamp must be provided for an AT_TIMESTAMP shard iterator.");
          }
          position = shard.records.size();
          for (int i = 0; i < shard.records.size(); i++) {
            if (!shard.records.get(i).approximateArrivalTimestamp().isBefore(ts)) {
              position = i;
              break;
            }
          }
          break;
        default:
          throw new IllegalStateException("unhandled iterator type " + type);
      }
      return GetShardIteratorResponse.builder().shardIterator(encodeIterator(s, shard, position)).build();
    });
  }

  private int positionOfSequence(FakeShard shard, @Nullable String sequenceNumber, boolean after) {
    if (sequenceNumber == null || !SEQUENCE_NUMBER.matcher(sequenceNumber).matches()) {
      throw invalidArgument("StartingSequenceNumber " + sequenceNumber + " used in GetShardIterator on shard "
          + shard.id + " is invalid.");
    }
    BigInteger wanted = new BigInteger(sequenceNumber);
    for (int i = 0; i < shard.records.size(); i++) {
      int c = new BigInteger(shard.records.get(i).sequenceNumber()).compareTo(wanted);
      if (after ? c > 0 : c >= 0) {
        return i;
      }
    }
    return shard.records.size();
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
    return invoke("GetRecords", () -> {
      int limit = request.limit() == null ? MAX_GET_RECORDS_LIMIT : request.limit();
      if (limit < 1 || limit > MAX_GET_RECORDS_LIMIT) {
        throw validation("1 validation error detected: Value '" + limit + "' at 'limit' failed to satisfy "
            + "constraint: Member must have value between 1 and " + MAX_GET_RECORDS_LIMIT);
      }
      IteratorPosition it = decodeIterator(request.shardIterator());
      FakeStream s = streams.get(it.streamName);
      if (s == null || s.incarnation != it.incarnation) {
        throw error("ResourceNotFoundException", "Stream " + it.streamName + " under account " + accountId
            + " not found.");
      }
      FakeShard shard = s.shard(it.shardId);
      if (shard == null) {
        throw invalidArgument("Invalid ShardIterator.");
      }
      List<Record> out = new ArrayList<>();
      int position = Math.min(it.position, shard.records.size());
      long bytes = 0;
      while (position < shard.records.size() && out.size() < limit) {
        StoredRecord r = shard.records.get(position);
        if (!out.isEmpty() && bytes + r.sizeBytes() > MAX_GET_RECORDS_BYTES) {
          break;
        }
        bytes += r.sizeBytes();
        out.add(Record.builder()
            .sequenceNumber(r.sequenceNumber())
            .approximateArrivalTimestamp(r.approximateArrivalTimestamp())
            .data(r.data())
            .partitionKey(r.partitionKey())
            .encryptionType(EncryptionType.NONE)
            .build());
        position++;
      }
      boolean atEnd = position >= shard.records.size();
      long behind = atEnd
          ? 0
          : Math.max(0, Duration.between(shard.records.get(position).approximateArrivalTimestamp(), clock.instant()).toMillis());
      GetRecordsResponse.Builder response = GetRecordsResponse.builder().records(out).millisBehindLatest(behind);
      if (atEnd && !shard.isOpen()) {
        List<ChildShard> children = new ArrayList<>();
        for (FakeShard child : s.children(shard)) {
          List<String> parents = new ArrayList<>();
          parents.add(Objects.requireNonNull(child.parentShardId));
          if (child.adjacentParentShardId != null) {
            parents.add(child.adjacentParentShardId);
          }
          children.add(ChildShard.builder().shardId(child.id).parentShards(parents).hashKeyRange(child.hashKeyRange()).build());
        }
        response.nextShardIterator(null).childShards(children);
      } else {
        response.nextShardIterator(encodeIterator(s, shard, position));
      }
      return response.build();
    });
  }

  // ================================================================== tokens and iterators

  private static String encodeToken(String kind, String payload) {
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString((kind + "|" + payload).getBytes(StandardCharsets.UTF_8));
  }

  // Caller holds lock.
  private String decodeToken(String token, String kind) {
    try {
      String decoded = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      if (decoded.startsWith(kind + "|")) {
        return decoded.substring(kind.length() + 1);
      }
    } catch (IllegalArgumentException e) {
      // falls through to the service's error
    }
    throw invalidArgument("Invalid NextToken.");
  }

  private static String encodeIterator(FakeStream s, FakeShard shard, int position) {
    return encodeToken("Iterator", s.incarnation + "|" + position + "|" + shard.id + "|" + s.name);
  }

  // Caller holds lock.
  private IteratorPosition decodeIterator(@Nullable String iterator) {
    if (iterator == null) {
      throw validation("1 validation error detected: Value null at 'shardIterator' failed to satisfy "
          + "constraint: Member must not be null");
    }
    String payload;
    try {
      payload = decodeToken(iterator, "Iterator");
    } catch (KinesisException e) {
      throw invalidArgument("Invalid ShardIterator.");
    }
    String[] parts = payload.split("\\|", 4);
    try {
      return new IteratorPosition(Long.parseLong(parts[0]), Integer.parseInt(parts[1]), parts[2], parts[3]);
    } catch (RuntimeException e) {
      throw invalidArgument("Invalid ShardIterator.");
    }
  }

  private static final class IteratorPosition {
    final long incarnation;
    final int position;
    final String shardId;
    final String streamName;

    IteratorPosition(long incarnation, int position, String shardId, String streamName) {
      this.incarnation = incarnation;
      this.position = position;
      this.shardId = shardId;
      this.streamName = streamName;
    }
  }

  private static final class CountedEntryFault {
    int remaining;
    final String errorCode;
    final String errorMessage;

    CountedEntryFault(int remaining, String errorCode, String errorMessage) {
      this.remaining = remaining;
      this.errorCode = errorCode;
      this.errorMessage = errorMessage;
    }
  }

  private static final class PredicateEntryFault {
    final Predicate<PutRecordsRequestEntry> predicate;
    final String errorCode;
    final String errorMessage;

    PredicateEntryFault(Predicate<PutRecordsRequestEntry> predicate, String errorCode, String errorMessage) {
      this.predicate = predicate;
      this.errorCode = errorCode;
      this.errorMessage = errorMessage;
    }
  }

  private static final class EntryFailure {
    final String errorCode;
    final String errorMessage;

    EntryFailure(String errorCode, String errorMessage) {
      this.errorCode = errorCode;
      this.errorMessage = errorMessage;
    }
  }

  private static final class CallFault {
    int remaining;
    final Supplier<? extends Throwable> failures;

    CallFault(int remaining, Supplier<? extends Throwable> failures) {
      this.remaining = remaining;
      this.failures = failures;
    }
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
      if (shardCount < 1 || shardCount > MAX_SHARD_COUNT) {
        throw new IllegalArgumentException("shardCount must be in 1.." + MAX_SHARD_COUNT + ", was " + shardCount);
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
      return "FakeKinesisAsyncClient[account=" + accountId + ", region=" + region + ", streams=" + streams.keySet()
          + ", enforceShardLimits=" + enforceShardLimits + ", closed=" + closed + "]";
    }
  }
}
