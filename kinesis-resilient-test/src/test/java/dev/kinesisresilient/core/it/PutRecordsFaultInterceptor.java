package dev.kinesisresilient.core.it;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.kinesis.model.KinesisException;
import software.amazon.awssdk.services.kinesis.model.LimitExceededException;
import software.amazon.awssdk.services.kinesis.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;

/**
 * Injects PutRecords faults into one client, faithful to the service: kinesis-mock never throttles.
 *
 * <p><b>Per-entry faults.</b> Chosen entries fail with {@code ProvisionedThroughputExceededException}
 * ("Rate exceeded for shard shardId-… in stream NAME under account ACCOUNT.") or {@code
 * InternalFailure} ("Internal service failure."). They are <em>dropped</em> from the request before
 * it is sent ({@code modifyRequest}), so the server never stores them, exactly as the service does
 * not store a throttled record; synthetic failed entries are spliced back into the response at their
 * original indexes and {@code FailedRecordCount} is adjusted ({@code modifyResponse}). When every
 * entry of a request is chosen, one small placeholder entry is sent to a sink stream instead (a
 * PutRecords request needs at least one entry) and its result is discarded.
 *
 * <p><b>Whole-call faults.</b> Chosen attempts fail before transmission (nothing is stored) with the
 * exception the SDK would surface for the service's answer: {@link
 * ProvisionedThroughputExceededException} or {@link LimitExceededException} (400), or a {@link
 * KinesisException} {@code InternalFailure} (500) or {@code ServiceUnavailable} (503), each with
 * {@link AwsErrorDetails}, status code and request id. They are decided per attempt, so SDK retries
 * (when a test enables them) see fresh decisions.
 *
 * <p>Rules: per-entry rules are checked in the order added, the first that selects an entry wins; a
 * rule may be limited to the next N calls. Whole-call faults: a count of next attempts, or a
 * probability from a seeded {@link Random}. Counters report what was injected, for reconciliation.
 *
 * <pre>{@code
 * PutRecordsFaultInterceptor faults = kinesis.newFaultInterceptor()
 *     .failEntries(EntryError.THROTTLED, EntrySelector.withProbability(0.2, 42))
 *     .failNextCalls(CallError.SERVICE_UNAVAILABLE, 3);
 * try (KinesisAsyncClient client = kinesis.newClient(o -> o.addExecutionInterceptor(faults))) { … }
 * }</pre>
 *
 * <p>Thread-safe: configure and read counters from any thread while requests run. Per-execution
 * state lives in {@link ExecutionAttributes}. Add it to one client ({@code
 * ClientOverrideConfiguration.addExecutionInterceptor}), never as a global interceptor. Only
 * PutRecords is touched; other operations pass through.
 */
public final class PutRecordsFaultInterceptor implements ExecutionInterceptor {

  /** A per-entry error, as the service reports it in a PutRecords result entry. */
  public enum EntryError {
    /** {@code ProvisionedThroughputExceededException}: the shard's write limit was exceeded. */
    THROTTLED("ProvisionedThroughputExceededException"),
    /** {@code InternalFailure}: "Internal service failure." */
    INTERNAL_FAILURE("InternalFailure");

    private final String errorCode;

    EntryError(String errorCode) {
      this.errorCode = errorCode;
    }

    /** The {@code ErrorCode} of the result entry. */
    public String errorCode() {
      return errorCode;
    }
  }

  /** A whole-call error, as the SDK surfaces the service's error response. */
  public enum CallError {
    /** 400 {@code ProvisionedThroughputExceededException}. */
    THROTTLED(400, "ProvisionedThroughputExceededException"),
    /** 400 {@code LimitExceededException}. */
    LIMIT_EXCEEDED(400, "LimitExceededException"),
    /** 500 {@code InternalFailure}. */
    INTERNAL_FAILURE(500, "InternalFailure"),
    /** 503 {@code ServiceUnavailable}. */
    SERVICE_UNAVAILABLE(503, "ServiceUnavailable");

    private final int statusCode;
    private final String errorCode;

    CallError(int statusCode, String errorCode) {
      this.statusCode = statusCode;
      this.errorCode = errorCode;
    }

    /** The HTTP status code. */
    public int statusCode() {
      return statusCode;
    }

    /** The error code in {@link AwsErrorDetails#errorCode()}. */
    public String errorCode() {
      return errorCode;
    }
  }

  /** Chooses entries of one PutRecords request; implementations must be thread-safe. */
  @FunctionalInterface
  public interface EntrySelector {
    /**
     * Whether to fail this entry.
     *
     * @param index the entry's index in the request as the caller built it
     * @param entry the entry
     */
    boolean select(int index, PutRecordsRequestEntry entry);

    /** Every entry. */
    static EntrySelector all() {
      return (index, entry) -> true;
    }

    /** The entries at these indexes of each request. */
    static EntrySelector atIndexes(int... indexes) {
      Set<Integer> set = Set.copyOf(IntStream.of(indexes).boxed().toList());
      return (index, entry) -> set.contains(index);
    }

    /** Entries matching a predicate (for example on the partition key or data). */
    static EntrySelector matching(Predicate<PutRecordsRequestEntry> predicate) {
      Objects.requireNonNull(predicate, "predicate");
      return (index, entry) -> predicate.test(entry);
    }

    /** Each entry independently with this probability, from a {@link Random} with this seed. */
    static EntrySelector withProbability(double probability, long seed) {
      requireProbability(probability);
      Random random = new Random(seed);
      return (index, entry) -> {
        synchronized (random) {
          return random.nextDouble() < probability;
        }
      };
    }
  }

  private static final AtomicLong INSTANCES = new AtomicLong();
  private static final String MOCK_ACCOUNT_FALLBACK = "000000000000";

  private final ExecutionAttribute<Plan> planAttribute =
      new ExecutionAttribute<>("PutRecordsFaultInterceptor.plan." + INSTANCES.incrementAndGet());
  private final String sinkStream;
  private final String accountId;
  private final BiFunction<String, PutRecordsRequestEntry, String> shardIdResolver;

  private final List<EntryRule> entryRules = new CopyOnWriteArrayList<>();
  private final AtomicInteger nextCallFaults = new AtomicInteger();
  private volatile @Nullable CallError nextCallError;
  private volatile @Nullable ProbabilisticCallFault probabilisticCallFault;

  private final LongAdder putRecordsCalls = new LongAdder();
  private final LongAdder attempts = new LongAdder();
  private final LongAdder entriesSeen = new LongAdder();
  private final LongAdder sinkedCalls = new LongAdder();
  private final Map<EntryError, LongAdder> entryFaults = new EnumMap<>(EntryError.class);
  private final Map<CallError, LongAdder> callFaults = new EnumMap<>(CallError.class);

  private PutRecordsFaultInterceptor(
      String sinkStream,
      String accountId,
      BiFunction<String, PutRecordsRequestEntry, String> shardIdResolver) {
    this.sinkStream = sinkStream;
    this.accountId = accountId;
    this.shardIdResolver = shardIdResolver;
    for (EntryError e : EntryError.values()) {
      entryFaults.put(e, new LongAdder());
    }
    for (CallError e : CallError.values()) {
      callFaults.put(e, new LongAdder());
    }
  }

  /**
   * A new interceptor with no faults configured. {@link LocalKinesis#newFaultInterceptor()} gives
   * one set up for its endpoint.
   *
   * @param sinkStream an existing stream that takes the placeholder entry of a request whose every
   *     entry is failed
   * @param accountId the account named in throttling messages
   * @param shardIdResolver the shard named in a throttling message, from stream name and entry
   */
  public static PutRecordsFaultInterceptor create(
      String sinkStream,
      String accountId,
      BiFunction<String, PutRecordsRequestEntry, String> shardIdResolver) {
    return new PutRecordsFaultInterceptor(
        Objects.requireNonNull(sinkStream, "sinkStream"),
        Objects.requireNonNull(accountId, "accountId"),
        Objects.requireNonNull(shardIdResolver, "shardIdResolver"));
  }

  /**
   * A new interceptor for kinesis-mock's account whose throttling messages name {@code
   * shardId-000000000000} (the shard is unknown).
   */
  public static PutRecordsFaultInterceptor create(String sinkStream) {
    return create(sinkStream, MOCK_ACCOUNT_FALLBACK, (stream, entry) -> "shardId-000000000000");
  }

  /** Fails the entries {@code selector} chooses, in every later PutRecords call. */
  public PutRecordsFaultInterceptor failEntries(EntryError error, EntrySelector selector) {
    entryRules.add(new EntryRule(error, selector, new AtomicInteger(Integer.MAX_VALUE)));
    return this;
  }

  /** Fails the entries {@code selector} chooses, in the next {@code calls} PutRecords calls only. */
  public PutRecordsFaultInterceptor failEntries(
      EntryError error, EntrySelector selector, int calls) {
    if (calls < 1) {
      throw new IllegalArgumentException("calls must be at least 1: " + calls);
    }
    entryRules.add(new EntryRule(error, selector, new AtomicInteger(calls)));
    return this;
  }

  /** Fails the next {@code count} PutRecords attempts whole, replacing any count set before. */
  public PutRecordsFaultInterceptor failNextCalls(CallError error, int count) {
    if (count < 0) {
      throw new IllegalArgumentException("count must not be negative: " + count);
    }
    nextCallError = Objects.requireNonNull(error, "error");
    nextCallFaults.set(count);
    return this;
  }

  /**
   * Fails each PutRecords attempt whole with this probability, from a {@link Random} with this
   * seed, replacing any probability set before. Counted faults ({@link #failNextCalls}) go first.
   */
  public PutRecordsFaultInterceptor failCalls(CallError error, double probability, long seed) {
    requireProbability(probability);
    probabilisticCallFault =
        new ProbabilisticCallFault(Objects.requireNonNull(error, "error"), probability, seed);
    return this;
  }

  /** Removes every configured fault; counters are kept. */
  public PutRecordsFaultInterceptor clearFaults() {
    entryRules.clear();
    nextCallFaults.set(0);
    probabilisticCallFault = null;
    return this;
  }

  /** PutRecords executions seen (one per {@code putRecords} call, whatever the SDK retried). */
  public long putRecordsCalls() {
    return putRecordsCalls.sum();
  }

  /** PutRecords attempts about to be transmitted, faulted ones included. */
  public long attempts() {
    return attempts.sum();
  }

  /** Entries in the PutRecords requests seen, before any was dropped. */
  public long entriesSeen() {
    return entriesSeen.sum();
  }

  /** Entries failed with this error (dropped before sending, failed in the response). */
  public long entriesFailed(EntryError error) {
    return entryFaults.get(error).sum();
  }

  /** Entries failed with any error. */
  public long entriesFailed() {
    return entryFaults.values().stream().mapToLong(LongAdder::sum).sum();
  }

  /** Attempts failed whole with this error. */
  public long callsFailed(CallError error) {
    return callFaults.get(error).sum();
  }

  /** Attempts failed whole with any error. */
  public long callsFailed() {
    return callFaults.values().stream().mapToLong(LongAdder::sum).sum();
  }

  /** Requests whose every entry was failed, sent to the sink stream as a placeholder. */
  public long sinkedCalls() {
    return sinkedCalls.sum();
  }

  @Override
  public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
    if (!(context.request() instanceof PutRecordsRequest request)) {
      return context.request();
    }
    putRecordsCalls.increment();
    List<PutRecordsRequestEntry> entries = request.records();
    entriesSeen.add(entries.size());
    List<EntryRule> rules = new ArrayList<>();
    for (EntryRule rule : entryRules) {
      if (rule.remainingCalls.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
        rules.add(rule);
      }
    }
    entryRules.removeIf(rule -> rule.remainingCalls.get() <= 0);
    if (rules.isEmpty() || entries.isEmpty()) {
      return request;
    }
    EntryError[] failures = new EntryError[entries.size()];
    List<PutRecordsRequestEntry> kept = new ArrayList<>(entries.size());
    int failed = 0;
    for (int i = 0; i < entries.size(); i++) {
      for (EntryRule rule : rules) {
        if (rule.selector.select(i, entries.get(i))) {
          failures[i] = rule.error;
          failed++;
          break;
        }
      }
      if (failures[i] == null) {
        kept.add(entries.get(i));
      }
    }
    if (failed == 0) {
      return request;
    }
    String stream = streamName(request);
    String[] messages = new String[entries.size()];
    for (int i = 0; i < entries.size(); i++) {
      if (failures[i] != null) {
        entryFaults.get(failures[i]).increment();
        messages[i] =
            failures[i] == EntryError.THROTTLED
                ? "Rate exceeded for shard "
                    + shardIdResolver.apply(stream, entries.get(i))
                    + " in stream "
                    + stream
                    + " under account "
                    + accountId
                    + "."
                : "Internal service failure.";
      }
    }
    boolean sinked = kept.isEmpty();
    attributes.putAttribute(planAttribute, new Plan(failures, messages, sinked));
    if (sinked) {
      sinkedCalls.increment();
      return request.toBuilder()
          .streamName(sinkStream)
          .streamARN(null)
          .records(
              PutRecordsRequestEntry.builder()
                  .partitionKey("fault-injection-placeholder")
                  .data(SdkBytes.fromByteArray(new byte[] {0}))
                  .build())
          .build();
    }
    return request.toBuilder().records(kept).build();
  }

  @Override
  public void beforeTransmission(
      Context.BeforeTransmission context, ExecutionAttributes attributes) {
    if (!(context.request() instanceof PutRecordsRequest request)) {
      return;
    }
    attempts.increment();
    CallError error = nextCallFault();
    if (error != null) {
      callFaults.get(error).increment();
      throw serviceException(error, streamName(request));
    }
  }

  @Override
  public SdkResponse modifyResponse(Context.ModifyResponse context, ExecutionAttributes attributes) {
    Plan plan = attributes.getAttribute(planAttribute);
    if (plan == null || !(context.response() instanceof PutRecordsResponse response)) {
      return context.response();
    }
    List<PutRecordsResultEntry> fromServer = plan.sinked ? List.of() : response.records();
    int expected = 0;
    for (EntryError f : plan.failures) {
      if (f == null) {
        expected++;
      }
    }
    if (fromServer.size() != expected) {
      throw new IllegalStateException(
          "PutRecords answered " + fromServer.size() + " entries for " + expected + " sent");
    }
    List<PutRecordsResultEntry> merged = new ArrayList<>(plan.failures.length);
    int next = 0;
    int failedCount = 0;
    for (int i = 0; i < plan.failures.length; i++) {
      EntryError failure = plan.failures[i];
      if (failure == null) {
        PutRecordsResultEntry entry = fromServer.get(next++);
        if (entry.errorCode() != null) {
          failedCount++;
        }
        merged.add(entry);
      } else {
        failedCount++;
        merged.add(
            PutRecordsResultEntry.builder()
                .errorCode(failure.errorCode())
                .errorMessage(plan.messages[i])
                .build());
      }
    }
    return response.toBuilder().records(merged).failedRecordCount(failedCount).build();
  }

  private @Nullable CallError nextCallFault() {
    if (nextCallFaults.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
      return nextCallError;
    }
    ProbabilisticCallFault probabilistic = probabilisticCallFault;
    return probabilistic != null && probabilistic.fires() ? probabilistic.error : null;
  }

  private AwsServiceException serviceException(CallError error, String stream) {
    String requestId = UUID.randomUUID().toString();
    String message =
        switch (error) {
          case THROTTLED, LIMIT_EXCEEDED ->
              "Rate exceeded for stream " + stream + " under account " + accountId + ".";
          case INTERNAL_FAILURE -> "Internal service failure.";
          case SERVICE_UNAVAILABLE -> "Service Unavailable";
        };
    AwsErrorDetails details =
        AwsErrorDetails.builder()
            .errorCode(error.errorCode())
            .errorMessage(message)
            .serviceName("Kinesis")
            .sdkHttpResponse(
                SdkHttpResponse.builder()
                    .statusCode(error.statusCode())
                    .putHeader("x-amzn-RequestId", requestId)
                    .putHeader("x-amzn-ErrorType", error.errorCode())
                    .build())
            .build();
    AwsServiceException.Builder builder =
        switch (error) {
          case THROTTLED -> ProvisionedThroughputExceededException.builder();
          case LIMIT_EXCEEDED -> LimitExceededException.builder();
          case INTERNAL_FAILURE, SERVICE_UNAVAILABLE -> KinesisException.builder();
        };
    return builder
        .awsErrorDetails(details)
        .statusCode(error.statusCode())
        .requestId(requestId)
        .message(message)
        .build();
  }

  private static String streamName(PutRecordsRequest request) {
    if (request.streamName() != null) {
      return request.streamName();
    }
    if (request.streamARN() != null) {
      // arn:aws:kinesis:REGION:ACCOUNT:stream/NAME
      String arn = request.streamARN();
      return arn.substring(arn.lastIndexOf('/') + 1);
    }
    return "unknown";
  }

  private static void requireProbability(double probability) {
    if (!(probability >= 0.0 && probability <= 1.0)) {
      throw new IllegalArgumentException("probability must be in [0, 1]: " + probability);
    }
  }

  private record EntryRule(EntryError error, EntrySelector selector, AtomicInteger remainingCalls) {
    EntryRule {
      Objects.requireNonNull(error, "error");
      Objects.requireNonNull(selector, "selector");
    }
  }

  /** What one execution dropped: failures[i] is null for entries sent to the server. */
  private record Plan(@Nullable EntryError[] failures, @Nullable String[] messages, boolean sinked) {}

  private static final class ProbabilisticCallFault {
    private final CallError error;
    private final double probability;
    private final Random random;

    ProbabilisticCallFault(CallError error, double probability, long seed) {
      this.error = error;
      this.probability = probability;
      this.random = new Random(seed);
    }

    synchronized boolean fires() {
      return random.nextDouble() < probability;
    }
  }
}
