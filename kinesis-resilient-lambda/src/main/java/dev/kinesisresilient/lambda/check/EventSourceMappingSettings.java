package dev.kinesisresilient.lambda.check;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The settings of one Kinesis event source mapping as configured, plus what is known of its function,
 * for {@link MappingCheck}. Immutable and thread-safe; build it with {@link #builder()}.
 *
 * <p>A {@code null} setting is <em>absent</em>: Lambda then applies its default (shown below), and the
 * check judges that default. Values are <em>not</em> range-checked here: this type describes a mapping
 * as written, and {@link MappingCheck} reports values the Lambda API would reject as {@link
 * MappingRule#INVALID_VALUE}. Times that are mapping properties keep the API's integer seconds (and its
 * {@code -1} sentinel), so a finding can quote the value as written.
 *
 * <pre>{@code
 * EventSourceMappingSettings settings = EventSourceMappingSettings.builder()
 *     .startingPosition("TRIM_HORIZON")
 *     .batchSize(100)
 *     .maximumRetryAttempts(3)
 *     .functionTimeout(Duration.ofSeconds(60))
 *     .build();
 * List<Finding> findings = MappingCheck.defaults().check("OrdersMapping", settings);
 * }</pre>
 *
 * @param eventSourceArn the stream or stream consumer ARN, or null when unknown
 * @param batchSize {@code BatchSize}; absent means 100; the API accepts 1..10,000
 * @param maximumBatchingWindowInSeconds {@code MaximumBatchingWindowInSeconds}; absent means 0; the
 *     API accepts 0..300
 * @param parallelizationFactor {@code ParallelizationFactor}; absent means 1; the API accepts 1..10
 * @param startingPosition {@code StartingPosition}: {@code LATEST}, {@code TRIM_HORIZON} or {@code
 *     AT_TIMESTAMP}; required for Kinesis
 * @param maximumRetryAttempts {@code MaximumRetryAttempts}; absent means -1 (infinite); the API
 *     accepts -1..10,000
 * @param maximumRecordAgeInSeconds {@code MaximumRecordAgeInSeconds}; absent means -1 (infinite); the
 *     API accepts -1 or 60..604,800
 * @param bisectBatchOnFunctionError {@code BisectBatchOnFunctionError}; absent means false
 * @param functionResponseTypes {@code FunctionResponseTypes}; empty when absent; the API accepts only
 *     {@code ReportBatchItemFailures}
 * @param onFailureDestination {@code DestinationConfig.OnFailure.Destination} (an ARN or an expression
 *     standing for one), or null when absent
 * @param tumblingWindowInSeconds {@code TumblingWindowInSeconds}; absent means 0 (no window); the API
 *     accepts 0..900
 * @param filterPatterns the {@code Pattern} of each {@code FilterCriteria.Filters} entry, as JSON text;
 *     empty when absent; the API accepts up to 5
 * @param functionTimeout the function's {@code Timeout}, or null when the function is not known; a
 *     known function without a Timeout has Lambda's 3 s
 * @param functionMemorySizeBytes the function's memory size in bytes, or null when not known
 * @param functionHandler the function's handler (class and method), or null when not known
 * @param unresolvedProperties names of the properties above (as the API spells them, e.g. {@code
 *     BatchSize}) that are set by an expression whose value is not known; rules that need them are
 *     skipped and reported as {@link MappingRule#UNRESOLVED}
 * @since 0.1.0
 */
public record EventSourceMappingSettings(
    @Nullable String eventSourceArn,
    @Nullable Integer batchSize,
    @Nullable Integer maximumBatchingWindowInSeconds,
    @Nullable Integer parallelizationFactor,
    @Nullable String startingPosition,
    @Nullable Integer maximumRetryAttempts,
    @Nullable Integer maximumRecordAgeInSeconds,
    @Nullable Boolean bisectBatchOnFunctionError,
    List<String> functionResponseTypes,
    @Nullable String onFailureDestination,
    @Nullable Integer tumblingWindowInSeconds,
    List<String> filterPatterns,
    @Nullable Duration functionTimeout,
    @Nullable Long functionMemorySizeBytes,
    @Nullable String functionHandler,
    Set<String> unresolvedProperties) {

  /**
   * Copies the collections.
   *
   * @throws NullPointerException when a collection, or an element of one, is null
   */
  public EventSourceMappingSettings {
    functionResponseTypes = List.copyOf(Objects.requireNonNull(functionResponseTypes, "functionResponseTypes"));
    filterPatterns = List.copyOf(Objects.requireNonNull(filterPatterns, "filterPatterns"));
    unresolvedProperties = Set.copyOf(Objects.requireNonNull(unresolvedProperties, "unresolvedProperties"));
  }

  /**
   * A builder with every setting absent.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Builds {@link EventSourceMappingSettings}. Not thread-safe. A setter called again replaces the
   * earlier value; {@code null} makes a setting absent again.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private @Nullable String eventSourceArn;
    private @Nullable Integer batchSize;
    private @Nullable Integer maximumBatchingWindowInSeconds;
    private @Nullable Integer parallelizationFactor;
    private @Nullable String startingPosition;
    private @Nullable Integer maximumRetryAttempts;
    private @Nullable Integer maximumRecordAgeInSeconds;
    private @Nullable Boolean bisectBatchOnFunctionError;
    private final List<String> functionResponseTypes = new ArrayList<>();
    private @Nullable String onFailureDestination;
    private @Nullable Integer tumblingWindowInSeconds;
    private final List<String> filterPatterns = new ArrayList<>();
    private @Nullable Duration functionTimeout;
    private @Nullable Long functionMemorySizeBytes;
    private @Nullable String functionHandler;
    private final Set<String> unresolvedProperties = new LinkedHashSet<>();

    private Builder() {}

    /**
     * The event source ARN.
     *
     * @param value the ARN, or null when unknown
     * @return this builder
     */
    public Builder eventSourceArn(@Nullable String value) {
      this.eventSourceArn = value;
      return this;
    }

    /**
     * {@code BatchSize}.
     *
     * @param value records per batch, or null for the default 100
     * @return this builder
     */
    public Builder batchSize(@Nullable Integer value) {
      this.batchSize = value;
      return this;
    }

    /**
     * {@code MaximumBatchingWindowInSeconds}.
     *
     * @param value seconds, or null for the default 0
     * @return this builder
     */
    public Builder maximumBatchingWindowInSeconds(@Nullable Integer value) {
      this.maximumBatchingWindowInSeconds = value;
      return this;
    }

    /**
     * {@code ParallelizationFactor}.
     *
     * @param value concurrent batches per shard, or null for the default 1
     * @return this builder
     */
    public Builder parallelizationFactor(@Nullable Integer value) {
      this.parallelizationFactor = value;
      return this;
    }

    /**
     * {@code StartingPosition}.
     *
     * @param value {@code LATEST}, {@code TRIM_HORIZON} or {@code AT_TIMESTAMP}, or null when absent
     * @return this builder
     */
    public Builder startingPosition(@Nullable String value) {
      this.startingPosition = value;
      return this;
    }

    /**
     * {@code MaximumRetryAttempts}.
     *
     * @param value -1 (infinite) or 0..10,000, or null for the default -1
     * @return this builder
     */
    public Builder maximumRetryAttempts(@Nullable Integer value) {
      this.maximumRetryAttempts = value;
      return this;
    }

    /**
     * {@code MaximumRecordAgeInSeconds}.
     *
     * @param value -1 (infinite) or 60..604,800 seconds, or null for the default -1
     * @return this builder
     */
    public Builder maximumRecordAgeInSeconds(@Nullable Integer value) {
      this.maximumRecordAgeInSeconds = value;
      return this;
    }

    /**
     * {@code BisectBatchOnFunctionError}.
     *
     * @param value whether to split a failing batch, or null for the default false
     * @return this builder
     */
    public Builder bisectBatchOnFunctionError(@Nullable Boolean value) {
      this.bisectBatchOnFunctionError = value;
      return this;
    }

    /**
     * Adds an entry of {@code FunctionResponseTypes}.
     *
     * @param value for example {@code ReportBatchItemFailures}
     * @return this builder
     */
    public Builder addFunctionResponseType(String value) {
      functionResponseTypes.add(Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * {@code DestinationConfig.OnFailure.Destination}.
     *
     * @param value the destination ARN (or the expression standing for it), or null when absent
     * @return this builder
     */
    public Builder onFailureDestination(@Nullable String value) {
      this.onFailureDestination = value;
      return this;
    }

    /**
     * {@code TumblingWindowInSeconds}.
     *
     * @param value seconds, or null for the default 0 (no window)
     * @return this builder
     */
    public Builder tumblingWindowInSeconds(@Nullable Integer value) {
      this.tumblingWindowInSeconds = value;
      return this;
    }

    /**
     * Adds a {@code FilterCriteria} pattern.
     *
     * @param jsonPattern the pattern as JSON text, e.g. {@code {"data": {"type": ["created"]}}}
     * @return this builder
     */
    public Builder addFilterPattern(String jsonPattern) {
      filterPatterns.add(Objects.requireNonNull(jsonPattern, "jsonPattern"));
      return this;
    }

    /**
     * The function's {@code Timeout}.
     *
     * @param value the timeout, or null when the function is not known
     * @return this builder
     */
    public Builder functionTimeout(@Nullable Duration value) {
      this.functionTimeout = value;
      return this;
    }

    /**
     * The function's memory size.
     *
     * @param value bytes (a template's {@code MemorySize: 1024} is 1024 MiB), or null when not known
     * @return this builder
     */
    public Builder functionMemorySizeBytes(@Nullable Long value) {
      this.functionMemorySizeBytes = value;
      return this;
    }

    /**
     * The function's handler.
     *
     * @param value for example {@code com.example.OrdersHandler::handleRequest}, or null
     * @return this builder
     */
    public Builder functionHandler(@Nullable String value) {
      this.functionHandler = value;
      return this;
    }

    /**
     * Marks a property as set by an expression whose value is not known.
     *
     * @param property the property's API name, e.g. {@code BatchSize}
     * @return this builder
     */
    public Builder unresolved(String property) {
      unresolvedProperties.add(Objects.requireNonNull(property, "property"));
      return this;
    }

    /**
     * Builds the settings.
     *
     * @return the settings
     */
    public EventSourceMappingSettings build() {
      return new EventSourceMappingSettings(eventSourceArn, batchSize, maximumBatchingWindowInSeconds,
          parallelizationFactor, startingPosition, maximumRetryAttempts, maximumRecordAgeInSeconds,
          bisectBatchOnFunctionError, functionResponseTypes, onFailureDestination, tumblingWindowInSeconds,
          filterPatterns, functionTimeout, functionMemorySizeBytes, functionHandler, unresolvedProperties);
    }
  }
}
