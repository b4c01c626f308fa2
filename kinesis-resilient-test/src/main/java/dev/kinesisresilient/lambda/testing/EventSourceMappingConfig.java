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
 * @param filters {@code FilterCriteria} patterns (OR-ed), at most {@code filterQuota}; default none
 * @param onFailureDestination the kind of on-failure destination; default NONE
 * @param filterQuota the account's quota of filters per event source mapping; default 5, range 5..10
 *     (AWS raises it to at most 10 on request:
 *     https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html)
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
    DestinationType onFailureDestination,
    int filterQuota) {

  /** The default quota of filters per event source mapping, 5. */
  public static final int DEFAULT_FILTER_QUOTA = 5;

  /** The highest quota of filters per event source mapping AWS grants on request, 10. */
  public static final int MAX_FILTER_QUOTA = 10;

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
    if (filterQuota < DEFAULT_FILTER_QUOTA || filterQuota > MAX_FILTER_QUOTA) {
      throw new IllegalArgumentException("filterQuota (filters per event source mapping) must be in "
          + DEFAULT_FILTER_QUOTA + ".." + MAX_FILTER_QUOTA + ", was " + filterQuota);
    }
    if (filters.size() > filterQuota) {
      throw new IllegalArgumentException("FilterCriteria allows at most " + filterQuota + " filters (the filter "
          + "quota; the default is 5 and AWS raises it to at most 10 on request), was " + filters.size());
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
   * The settings this library recommends (docs/lambda.md, "Recommended mapping settings"): 100 records,
   * ReportBatchItemFailures on, BisectBatchOnFunctionError on, 10 retries, 6 hours (21,600 s) maximum
   * age, an SQS on-failure destination. With {@code KinesisBatchProcessor} and no working quarantine
   * sink, these send only a poison record to the on-failure destination: the processor fails the
   * invocation when the record is first in its batch, so the mapping bisects down to it. 10 retries
   * keep that true even if a split used a retry attempt (AWS documents that it does not) for batches
   * of up to 1,024 records: isolating the record takes at most {@code 1 + floor(log2(BatchSize - 1))}
   * failed invocations before it is alone.
   *
   * @return a builder holding the recommended settings
   */
  public static Builder recommended() {
    return builder().batchSize(100).reportBatchItemFailures(true).bisectBatchOnFunctionError(true)
        .maximumRetryAttempts(RECOMMENDED_MAXIMUM_RETRY_ATTEMPTS)
        .maximumRecordAgeInSeconds(RECOMMENDED_MAXIMUM_RECORD_AGE_SECONDS)
        .onFailureDestination(DestinationType.SQS);
  }

  /** MaximumRetryAttempts of {@link #recommended()}: 10. */
  public static final int RECOMMENDED_MAXIMUM_RETRY_ATTEMPTS = 10;

  /**
   * MaximumRecordAgeInSeconds of {@link #recommended()}: 21,600 (6 hours). Long enough that an outage of
   * the function or its dependencies of a few hours does not make the mapping discard healthy records
   * by age; well inside the stream's default 24-hour retention, so that a range named by an on-failure
   * record can still be read back from the stream for 18 hours.
   */
  public static final int RECOMMENDED_MAXIMUM_RECORD_AGE_SECONDS = 21_600;

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
    private int filterQuota = DEFAULT_FILTER_QUOTA;

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
     * The account's quota of filters per event source mapping (a Lambda service quota, not a mapping
     * setting): 5 by default, raised by AWS on request to at most 10.
     *
     * @param quota default 5; range 5..10
     * @return this builder
     */
    public Builder filterQuota(int quota) {
      this.filterQuota = quota;
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
          startingPositionTimestamp, filters, destination, filterQuota);
    }
  }
}
