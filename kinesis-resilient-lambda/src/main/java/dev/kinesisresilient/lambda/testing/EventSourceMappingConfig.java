package dev.kinesisresilient.lambda.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The settings of a Kinesis event source mapping, validated with the ranges of the
 * CreateEventSourceMapping API, for the {@link EsmSimulator}.
 *
 * <p>Defaults are the service's defaults, which are dangerous in production (infinite retries, no
 * maximum age, no partial responses): tests of a production setup should set what the mapping sets.
 *
 * @param batchSize records per batch; default 100; range 1..10,000
 * @param maximumBatchingWindow how long to gather records before invoking; default 0; range 0..300 s
 * @param parallelizationFactor concurrent batches per shard; default 1; range 1..10
 * @param maximumRetryAttempts -1 (default: until the record expires) or 0..10,000; N means N+1
 *     invocations of a batch
 * @param maximumRecordAgeInSeconds -1 (default: no limit) or 60..604,800
 * @param bisectBatchOnFunctionError split a failing batch in two; default false
 * @param tumblingWindowInSeconds 0 (default) or up to 900; the simulator supports only 0
 * @param reportBatchItemFailures whether {@code FunctionResponseTypes} holds {@code
 *     ReportBatchItemFailures}; default false, as in the service
 * @param startingPosition where reading starts; default TRIM_HORIZON (the service requires one)
 * @param startingPositionTimestamp for AT_TIMESTAMP, else null
 * @param filters up to 5 {@code FilterCriteria} patterns (OR-ed); default none
 * @param onFailureDestination the kind of on-failure destination; default NONE
 * @since 0.1.0
 */
public record EventSourceMappingConfig(
    int batchSize,
    Duration maximumBatchingWindow,
    int parallelizationFactor,
    int maximumRetryAttempts,
    int maximumRecordAgeInSeconds,
    boolean bisectBatchOnFunctionError,
    int tumblingWindowInSeconds,
    boolean reportBatchItemFailures,
    StartingPosition startingPosition,
    @Nullable Instant startingPositionTimestamp,
    List<FilterPattern> filters,
    DestinationType onFailureDestination) {

  /**
   * {@code StartingPosition} of the mapping.
   *
   * @since 0.1.0
   */
  public enum StartingPosition {
    /** Only records written after the mapping starts. */
    LATEST,
    /** The oldest record in each shard. */
    TRIM_HORIZON,
    /** The first record at or after {@code startingPositionTimestamp}. */
    AT_TIMESTAMP
  }

  /**
   * The kind of {@code DestinationConfig.OnFailure} target.
   *
   * @since 0.1.0
   */
  public enum DestinationType {
    /** No destination: discarded batches leave only the trace. */
    NONE,
    /** An SQS queue: the JSON record without payload. */
    SQS,
    /** An SNS topic: the JSON record without payload (dropped over 256 KB). */
    SNS,
    /** An S3 bucket: the JSON record with {@code payload}, the batch's event. */
    S3
  }

  /**
   * Validates every setting, as CreateEventSourceMapping does.
   *
   * @throws IllegalArgumentException naming the setting, its value and its range
   */
  public EventSourceMappingConfig {
    Objects.requireNonNull(maximumBatchingWindow, "maximumBatchingWindow");
    Objects.requireNonNull(startingPosition, "startingPosition");
    Objects.requireNonNull(onFailureDestination, "onFailureDestination");
    filters = List.copyOf(Objects.requireNonNull(filters, "filters"));
    range("BatchSize", batchSize, 1, 10_000);
    if (maximumBatchingWindow.isNegative() || maximumBatchingWindow.compareTo(Duration.ofSeconds(300)) > 0) {
      throw new IllegalArgumentException("MaximumBatchingWindowInSeconds must be in 0..300, was "
          + maximumBatchingWindow.toSeconds());
    }
    range("ParallelizationFactor", parallelizationFactor, 1, 10);
    range("MaximumRetryAttempts", maximumRetryAttempts, -1, 10_000);
    if (maximumRecordAgeInSeconds != -1 && (maximumRecordAgeInSeconds < 60 || maximumRecordAgeInSeconds > 604_800)) {
      throw new IllegalArgumentException("MaximumRecordAgeInSeconds must be -1 or 60..604800, was "
          + maximumRecordAgeInSeconds);
    }
    range("TumblingWindowInSeconds", tumblingWindowInSeconds, 0, 900);
    if (filters.size() > 5) {
      throw new IllegalArgumentException("FilterCriteria allows at most 5 filters, was " + filters.size());
    }
    if ((startingPosition == StartingPosition.AT_TIMESTAMP) != (startingPositionTimestamp != null)) {
      throw new IllegalArgumentException("StartingPositionTimestamp is required with AT_TIMESTAMP and only then");
    }
  }

  private static void range(String name, int v, int min, int max) {
    if (v < min || v > max) {
      throw new IllegalArgumentException(name + " must be in " + min + ".." + max + ", was " + v);
    }
  }

  /**
   * The service's defaults (with TRIM_HORIZON).
   *
   * @return the default config
   */
  public static EventSourceMappingConfig defaults() {
    return builder().build();
  }

  /**
   * A builder starting from the service's defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The settings this library recommends (docs/lambda.md): 100 records, bisect on error, 3 retries,
   * 1 hour maximum age, ReportBatchItemFailures on, an SQS on-failure destination.
   *
   * @return a builder holding the recommended settings
   */
  public static Builder recommended() {
    return builder().bisectBatchOnFunctionError(true).maximumRetryAttempts(3)
        .maximumRecordAgeInSeconds(3600).reportBatchItemFailures(true)
        .onFailureDestination(DestinationType.SQS);
  }

  /**
   * Builds an {@link EventSourceMappingConfig}; {@link #build()} validates. Not thread-safe.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private int batchSize = 100;
    private Duration window = Duration.ZERO;
    private int parallelizationFactor = 1;
    private int maximumRetryAttempts = -1;
    private int maximumRecordAgeInSeconds = -1;
    private boolean bisect;
    private int tumblingWindowInSeconds;
    private boolean reportBatchItemFailures;
    private StartingPosition startingPosition = StartingPosition.TRIM_HORIZON;
    private @Nullable Instant startingPositionTimestamp;
    private final List<FilterPattern> filters = new ArrayList<>();
    private DestinationType destination = DestinationType.NONE;

    private Builder() {}

    /**
     * BatchSize.
     *
     * @param n default 100; range 1..10,000
     * @return this builder
     */
    public Builder batchSize(int n) {
      this.batchSize = n;
      return this;
    }

    /**
     * MaximumBatchingWindowInSeconds.
     *
     * @param window default 0; range 0..300 s
     * @return this builder
     */
    public Builder maximumBatchingWindow(Duration window) {
      this.window = Objects.requireNonNull(window, "window");
      return this;
    }

    /**
     * ParallelizationFactor.
     *
     * @param n default 1; range 1..10
     * @return this builder
     */
    public Builder parallelizationFactor(int n) {
      this.parallelizationFactor = n;
      return this;
    }

    /**
     * MaximumRetryAttempts.
     *
     * @param n default -1 (infinite); range -1..10,000
     * @return this builder
     */
    public Builder maximumRetryAttempts(int n) {
      this.maximumRetryAttempts = n;
      return this;
    }

    /**
     * MaximumRecordAgeInSeconds.
     *
     * @param seconds default -1 (no limit); -1 or 60..604,800
     * @return this builder
     */
    public Builder maximumRecordAgeInSeconds(int seconds) {
      this.maximumRecordAgeInSeconds = seconds;
      return this;
    }

    /**
     * BisectBatchOnFunctionError.
     *
     * @param enabled default false
     * @return this builder
     */
    public Builder bisectBatchOnFunctionError(boolean enabled) {
      this.bisect = enabled;
      return this;
    }

    /**
     * TumblingWindowInSeconds (validated; the simulator rejects any value but 0).
     *
     * @param seconds default 0; range 0..900
     * @return this builder
     */
    public Builder tumblingWindowInSeconds(int seconds) {
      this.tumblingWindowInSeconds = seconds;
      return this;
    }

    /**
     * FunctionResponseTypes: {@code ["ReportBatchItemFailures"]} when true, {@code []} when false.
     *
     * @param enabled default false
     * @return this builder
     */
    public Builder reportBatchItemFailures(boolean enabled) {
      this.reportBatchItemFailures = enabled;
      return this;
    }

    /**
     * StartingPosition LATEST or TRIM_HORIZON.
     *
     * @param position default TRIM_HORIZON
     * @return this builder
     * @throws IllegalArgumentException for AT_TIMESTAMP (use {@link #startingAt(Instant)})
     */
    public Builder startingPosition(StartingPosition position) {
      if (position == StartingPosition.AT_TIMESTAMP) {
        throw new IllegalArgumentException("use startingAt(Instant) for AT_TIMESTAMP");
      }
      this.startingPosition = Objects.requireNonNull(position, "position");
      this.startingPositionTimestamp = null;
      return this;
    }

    /**
     * StartingPosition AT_TIMESTAMP.
     *
     * @param timestamp the StartingPositionTimestamp
     * @return this builder
     */
    public Builder startingAt(Instant timestamp) {
      this.startingPosition = StartingPosition.AT_TIMESTAMP;
      this.startingPositionTimestamp = Objects.requireNonNull(timestamp, "timestamp");
      return this;
    }

    /**
     * Adds a FilterCriteria pattern.
     *
     * @param pattern the pattern JSON, for example {@code {"data":{"type":["order"]}}}
     * @return this builder
     * @throws IllegalArgumentException when the pattern is invalid or unsupported
     */
    public Builder filter(String pattern) {
      this.filters.add(FilterPattern.parse(pattern));
      return this;
    }

    /**
     * The kind of on-failure destination.
     *
     * @param type default NONE
     * @return this builder
     */
    public Builder onFailureDestination(DestinationType type) {
      this.destination = Objects.requireNonNull(type, "type");
      return this;
    }

    /**
     * Builds and validates the config.
     *
     * @return the config
     * @throws IllegalArgumentException when a setting is out of range
     */
    public EventSourceMappingConfig build() {
      return new EventSourceMappingConfig(batchSize, window, parallelizationFactor, maximumRetryAttempts,
          maximumRecordAgeInSeconds, bisect, tumblingWindowInSeconds, reportBatchItemFailures, startingPosition,
          startingPositionTimestamp, filters, destination);
    }
  }
}
