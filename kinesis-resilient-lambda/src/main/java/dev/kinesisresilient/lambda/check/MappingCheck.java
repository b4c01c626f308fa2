package dev.kinesisresilient.lambda.check;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Checks Kinesis event source mapping settings against the risks of Lambda's defaults and returns
 * one {@link Finding} per risky setting (see {@link MappingRule} and docs/lambda.md for every rule).
 * Immutable and thread-safe; no I/O, no dependency.
 *
 * <p>What a mapping cannot say (record sizes, time per record, whether producers aggregate) comes from
 * the assumptions set on the builder; the findings quote them.
 *
 * <pre>{@code
 * List<Finding> findings = MappingCheck.builder()
 *     .averageRecordSizeBytes(2_048)
 *     .perRecordTime(Duration.ofMillis(20))
 *     .build()
 *     .check("orders-mapping", settings);
 * if (Finding.worst(findings).filter(s -> s == Severity.ERROR).isPresent()) {
 *   findings.forEach(f -> log.error(f.format()));
 * }
 * }</pre>
 *
 * <p>It never throws for a mapping's values, however wrong: those are findings.
 *
 * @since 0.1.0
 */
public final class MappingCheck {

  /** Lambda's synchronous invocation payload limit, 6 MB (6 MiB, as the ESM simulator uses). */
  public static final long MAX_PAYLOAD_BYTES = 6L * 1024 * 1024;

  /**
   * Estimated bytes of one record's JSON in a Kinesis event besides its base64 data: sequence number,
   * event id, ARNs, region, timestamps and keys.
   */
  public static final long RECORD_EVENT_OVERHEAD_BYTES = 500;

  /** Lambda's default function timeout when a known function sets none. */
  public static final Duration DEFAULT_FUNCTION_TIMEOUT = Duration.ofSeconds(3);

  /** Memory at which Lambda gives a function one full vCPU (1,769 MB); CPU share scales with memory. */
  private static final long ONE_VCPU_MEMORY_BYTES = 1769L * 1024 * 1024;

  /** Lambda's maximum function timeout. */
  private static final Duration MAX_FUNCTION_TIMEOUT = Duration.ofMinutes(15);

  private static final int DEFAULT_BATCH_SIZE = 100;
  /** Filters per mapping: 5 by default, up to 10 after a quota increase (invocation-eventfiltering). */
  private static final int DEFAULT_FILTER_QUOTA = 5;
  private static final int MAX_FILTERS_RAISED_QUOTA = 10;
  private static final String REPORT_BATCH_ITEM_FAILURES = "ReportBatchItemFailures";
  private static final Pattern DATA_KEY = Pattern.compile("\"data\"\\s*:");
  private static final Pattern EFO_CONSUMER_ARN = Pattern.compile("stream/[^/]+/consumer/");

  /**
   * Whether the stream's producers aggregate user records (KPL format), which the mapping cannot tell.
   *
   * @since 0.1.0
   */
  public enum ProducerAggregation {
    /** Not known: rules that depend on it report at INFO level. */
    UNKNOWN,
    /** Producers aggregate (the KPL, or kinesis-resilient's producer with aggregation on). */
    AGGREGATED,
    /** Producers write one user record per Kinesis record. */
    NOT_AGGREGATED
  }

  private final @Nullable Long averageRecordSizeBytes;
  private final Duration perRecordTime;
  private final Duration safetyMargin;
  private final ProducerAggregation producerAggregation;

  private MappingCheck(Builder b) {
    this.averageRecordSizeBytes = b.averageRecordSizeBytes;
    this.perRecordTime = b.perRecordTime;
    this.safetyMargin = b.safetyMargin;
    this.producerAggregation = b.producerAggregation;
  }

  /**
   * A check with the default assumptions: record size unknown, 100 ms per record, a 1 s safety
   * margin, producer aggregation unknown.
   *
   * @return the check
   */
  public static MappingCheck defaults() {
    return builder().build();
  }

  /**
   * A builder with the default assumptions.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Checks one mapping.
   *
   * @param resource the mapping's name in findings (a template logical id, a Terraform address, a UUID)
   * @param s the mapping's settings
   * @return the findings, worst rule first in {@link MappingRule} order; empty when nothing is risky
   * @throws NullPointerException when an argument is null
   */
  public List<Finding> check(String resource, EventSourceMappingSettings s) {
    Objects.requireNonNull(resource, "resource");
    Objects.requireNonNull(s, "s");
    return new Run(resource, s).run();
  }

  @Override
  public String toString() {
    return "MappingCheck{averageRecordSizeBytes=" + averageRecordSizeBytes + ", perRecordTime=" + perRecordTime
        + ", safetyMargin=" + safetyMargin + ", producerAggregation=" + producerAggregation + "}";
  }

  /** One check of one mapping. */
  private final class Run {
    private final String resource;
    private final EventSourceMappingSettings s;
    private final List<Finding> out = new ArrayList<>();

    Run(String resource, EventSourceMappingSettings s) {
      this.resource = resource;
      this.s = s;
    }

    List<Finding> run() {
      retries();
      recordAge();
      partialResponse();
      onFailure();
      bisect();
      startingPosition();
      payload();
      timeout();
      parallelization();
      tumblingWindow();
      filters();
      batchingCost();
      ranges();
      for (String p : s.unresolvedProperties()) {
        add(MappingRule.UNRESOLVED, Severity.INFO, p,
            "the value comes from an expression this check cannot resolve (a parameter without default, a"
                + " condition, an import); rules that need it were skipped",
            "check it by hand, or give the parameter a Default");
      }
      out.sort((a, b) -> a.severity() != b.severity()
          ? a.severity().compareTo(b.severity())
          : a.rule().compareTo(b.rule()));
      return List.copyOf(out);
    }

    private void add(MappingRule rule, Severity severity, String property, String message, String fix) {
      out.add(new Finding(rule, severity, resource, property, message, fix));
    }

    private boolean known(String property) {
      return !s.unresolvedProperties().contains(property);
    }

    private int batchSize() {
      Integer b = s.batchSize();
      return b == null || b < 1 ? DEFAULT_BATCH_SIZE : b;
    }

    private int factor() {
      Integer p = s.parallelizationFactor();
      return p == null || p < 1 ? 1 : p;
    }

    private boolean retriesBounded() {
      Integer r = s.maximumRetryAttempts();
      return !known("MaximumRetryAttempts") || (r != null && r >= 0);
    }

    private boolean ageBounded() {
      Integer a = s.maximumRecordAgeInSeconds();
      return !known("MaximumRecordAgeInSeconds") || (a != null && a >= 0);
    }

    private void retries() {
      Integer r = s.maximumRetryAttempts();
      if (known("MaximumRetryAttempts") && (r == null || r == -1)) {
        add(MappingRule.RETRY_INFINITE, Severity.ERROR, "MaximumRetryAttempts",
            (r == null ? "absent, so -1" : "-1") + " (infinite): Lambda retries a failing batch until its records"
                + " expire, so one poison pill blocks its shard for up to the stream's retention (24 hours by"
                + " default, up to 365 days) while the iterator age grows",
            "set MaximumRetryAttempts to a bound such as 10 (N means N+1 invocations; with bisect on, isolating"
                + " a poison pill takes up to 1+log2(BatchSize-1) failed invocations, 7 for BatchSize 100), with an"
                + " OnFailure destination");
      }
    }

    private void recordAge() {
      Integer a = s.maximumRecordAgeInSeconds();
      if (known("MaximumRecordAgeInSeconds") && (a == null || a == -1)) {
        add(MappingRule.RECORD_AGE_INFINITE, Severity.WARNING, "MaximumRecordAgeInSeconds",
            (a == null ? "absent, so -1" : "-1") + " (no limit): a stuck or slow shard keeps processing records of"
                + " any age, up to the stream's retention, and a backlog is never shed",
            "set MaximumRecordAgeInSeconds to how old a record may still be useful, e.g. 21600 (6 hours;"
                + " 60..604800), above the backlog you expect to recover from and well below the stream's"
                + " retention");
      }
    }

    private void partialResponse() {
      if (known("FunctionResponseTypes") && !s.functionResponseTypes().contains(REPORT_BATCH_ITEM_FAILURES)) {
        String handler = s.functionHandler() == null ? "the handler" : "the handler " + s.functionHandler();
        add(MappingRule.NO_PARTIAL_RESPONSE, Severity.ERROR, "FunctionResponseTypes",
            "no ReportBatchItemFailures: Lambda ignores the batchItemFailures that " + handler + " returns, so a"
                + " record reported as failed is treated as processed and never retried (silent loss), or the"
                + " whole batch must be thrown and reprocessed",
            "set FunctionResponseTypes: [ReportBatchItemFailures] (or build KinesisBatchProcessor with"
                + " partialBatchResponse(false) so failures throw)");
      }
    }

    private void onFailure() {
      if (known("DestinationConfig.OnFailure") && s.onFailureDestination() == null) {
        boolean discards = retriesBounded() || ageBounded();
        add(MappingRule.NO_ON_FAILURE, discards ? Severity.ERROR : Severity.WARNING, "DestinationConfig.OnFailure",
            discards
                ? "no on-failure destination: when retries or the record age run out, Lambda discards the batch"
                    + " and nothing records which shard and sequence numbers were lost"
                : "no on-failure destination: once retries or the record age are bounded, discarded batches"
                    + " will leave no trace of which shard and sequence numbers were lost",
            "set DestinationConfig.OnFailure.Destination to an SQS queue, SNS topic or S3 bucket (S3 also"
                + " keeps the records)");
      }
    }

    private void bisect() {
      Boolean b = s.bisectBatchOnFunctionError();
      if (known("BisectBatchOnFunctionError") && (b == null || !b)) {
        add(MappingRule.NO_BISECT, Severity.WARNING, "BisectBatchOnFunctionError",
            (b == null ? "absent, so false" : "false") + ": when the function throws, times out or crashes,"
                + " the whole batch is retried as it was, so one bad record uses up the retries of every"
                + " record with it and takes them to the on-failure destination. KinesisBatchProcessor and"
                + " TumblingWindowProcessor fail the invocation for a record they give up on first in its batch"
                + " (no working quarantine sink) and rely on bisect to isolate it",
            "set BisectBatchOnFunctionError: true (splitting does not use retry attempts)");
      }
    }

    private void startingPosition() {
      String p = s.startingPosition();
      if (known("StartingPosition") && p != null && p.equalsIgnoreCase("LATEST")) {
        add(MappingRule.STARTING_LATEST, Severity.WARNING, "StartingPosition",
            "LATEST: records written before the mapping exists are never processed. It matters when the stream"
                + " already holds data or producers start first, and whenever the mapping is re-created (a"
                + " replacing update, a new stack): what arrived in between is skipped",
            "use TRIM_HORIZON (processes what the stream retains, once) or AT_TIMESTAMP with the time to"
                + " start from");
      }
    }

    /** Records per batch that fit the 6 MB payload at the stated record size, or null when unknown. */
    private @Nullable Long payloadFit() {
      if (averageRecordSizeBytes == null) {
        return null;
      }
      long base64 = (averageRecordSizeBytes + 2) / 3 * 4;
      return Math.max(1, MAX_PAYLOAD_BYTES / (base64 + RECORD_EVENT_OVERHEAD_BYTES));
    }

    private void payload() {
      Long fits = payloadFit();
      if (fits == null || !known("BatchSize")) {
        return;
      }
      int batch = batchSize();
      if (batch > fits) {
        long perRecord = (averageRecordSizeBytes + 2) / 3 * 4 + RECORD_EVENT_OVERHEAD_BYTES;
        add(MappingRule.PAYLOAD_CAP, Severity.INFO, "BatchSize",
            "BatchSize " + batch + " cannot fit the 6 MB invocation payload at " + averageRecordSizeBytes
                + " bytes per record (about " + perRecord + " bytes in the event, base64 plus metadata): Lambda"
                + " sends batches of about " + fits + " records, so per-batch costs and timeouts are sized for"
                + " a batch that never comes",
            "set BatchSize to " + fits + " or less, or size the function for " + fits + " records per invocation");
      }
    }

    private void timeout() {
      Duration t = s.functionTimeout();
      if (t == null || !known("Timeout") || !known("BatchSize")) {
        return;
      }
      Long fits = payloadFit();
      long batch = fits == null ? batchSize() : Math.min(batchSize(), fits);
      Duration needed = perRecordTime.multipliedBy(batch).plus(safetyMargin);
      if (t.compareTo(needed) < 0) {
        String aggregated = producerAggregation == ProducerAggregation.AGGREGATED
            ? "; with aggregated producers BatchSize counts aggregates, each holding many user records, so it"
                + " is worse"
            : "";
        long maxBatch = Math.max(1, t.minus(safetyMargin).toMillis() / Math.max(1, perRecordTime.toMillis()));
        String raise = needed.compareTo(MAX_FUNCTION_TIMEOUT) <= 0
            ? "raise Timeout to at least " + seconds(needed) + " or lower BatchSize to " + maxBatch
            : "lower BatchSize to " + maxBatch + " (no Timeout up to 15 min fits " + batch + " records)";
        add(MappingRule.TIMEOUT_SHORT, Severity.WARNING, "Timeout",
            "function Timeout " + seconds(t) + " is shorter than " + batch + " records (BatchSize"
                + (fits != null && fits < batchSize() ? " " + batchSize() + ", capped by the 6 MB payload" : "")
                + ") x " + millis(perRecordTime) + " per record + a " + seconds(safetyMargin) + " safety margin = "
                + seconds(needed) + ": a full batch times out, the whole batch is retried (duplicates) and the"
                + " timeout uses a retry attempt" + aggregated + cpu(),
            raise + "; with KinesisBatchProcessor keep safetyMargin so it stops and reports before the timeout");
      }
    }

    /** A note on CPU share when the function's memory is below one vCPU's worth (1,769 MB). */
    private String cpu() {
      Long bytes = s.functionMemorySizeBytes();
      if (bytes == null || bytes >= ONE_VCPU_MEMORY_BYTES) {
        return "";
      }
      long mib = bytes / (1024 * 1024);
      return String.format(Locale.ROOT, "; MemorySize %d MB gives about %.2f of a vCPU, so measure the per-record"
          + " time at that size", mib, (double) bytes / ONE_VCPU_MEMORY_BYTES);
    }

    private void parallelization() {
      int pf = factor();
      if (known("ParallelizationFactor") && pf > 1) {
        boolean aggregated = producerAggregation == ProducerAggregation.AGGREGATED;
        add(MappingRule.PARALLELIZATION, aggregated ? Severity.WARNING : Severity.INFO, "ParallelizationFactor",
            "ParallelizationFactor " + pf + ": up to " + pf + " batches of one shard run at once and order is"
                + " kept only per partition key, so the handler must tolerate records of different keys"
                + " processed concurrently and out of shard order, and shared state must be thread-safe across"
                + " invocations"
                + (aggregated
                    ? "; with aggregated producers it spreads by the aggregate's key only, so one user key's"
                        + " records can run concurrently out of order (AWS: it does not work with KPL"
                        + " aggregation)"
                    : ""),
            aggregated
                ? "keep ParallelizationFactor: 1 and use KinesisBatchProcessor's orderedParallelism"
                : "make the handler idempotent and order-independent across keys, or keep ParallelizationFactor: 1"
                    + " and use KinesisBatchProcessor's orderedParallelism");
      }
    }

    private void tumblingWindow() {
      Integer w = s.tumblingWindowInSeconds();
      if (!known("TumblingWindowInSeconds") || w == null || w <= 0) {
        return;
      }
      add(MappingRule.TUMBLING_WINDOW, Severity.INFO, "TumblingWindowInSeconds",
          "a " + w + " s tumbling window: the function gets KinesisTimeWindowEvent and every response must"
              + " carry the window's state (a TimeWindowEventResponse), or the invocation fails; the state is"
              + " limited to 1 MB per shard. KinesisBatchProcessor handles KinesisEvent only",
          "handle KinesisTimeWindowEvent with TumblingWindowProcessor (it returns the state with"
              + " batchItemFailures, keeps it under the limit and opens KPL aggregates)");
      Integer bw = s.maximumBatchingWindowInSeconds();
      if (known("MaximumBatchingWindowInSeconds") && bw != null && bw >= w) {
        add(MappingRule.TUMBLING_WINDOW, Severity.WARNING, "MaximumBatchingWindowInSeconds",
            "MaximumBatchingWindowInSeconds " + bw + " is not shorter than the " + w + " s tumbling window:"
                + " gathering a batch can take a whole window, so windows close late and hold few invocations",
            "set MaximumBatchingWindowInSeconds well below TumblingWindowInSeconds (or 0)");
      }
      if (producerAggregation == ProducerAggregation.AGGREGATED) {
        add(MappingRule.TUMBLING_WINDOW, Severity.INFO, "TumblingWindowInSeconds",
            "windows are assigned by the Kinesis record's arrival time, and Lambda does not open aggregates:"
                + " the window state must be built from the user records inside them",
            "use TumblingWindowProcessor with deaggregate on (the default), or open aggregates yourself (core's"
                + " KplAggregation) before updating the state");
      }
    }

    private void filters() {
      if (!known("FilterCriteria") || producerAggregation == ProducerAggregation.NOT_AGGREGATED) {
        return;
      }
      for (String p : s.filterPatterns()) {
        if (DATA_KEY.matcher(p).find()) {
          boolean aggregated = producerAggregation == ProducerAggregation.AGGREGATED;
          String ifAggregated = aggregated ? "" : "if producers aggregate records (the KPL, or kinesis-resilient's"
              + " producer with aggregation on): ";
          if (enhancedFanOut()) {
            add(MappingRule.FILTER_AGGREGATED, Severity.INFO, "FilterCriteria",
                ifAggregated + "the mapping reads through an enhanced fan-out consumer, the one case in which AWS"
                    + " documents filtering of aggregated records (with-kinesis-filtering, 'Filtering Kinesis"
                    + " aggregated records'); the pattern must then match the user records' JSON, and the mapping"
                    + " loses it if it is moved to the stream's standard iterator",
                "check the pattern against your user records; keep the mapping on the consumer ARN, or filter"
                    + " with the processor's filter");
          } else {
            add(MappingRule.FILTER_AGGREGATED, aggregated ? Severity.ERROR : Severity.INFO, "FilterCriteria",
                ifAggregated + "the EventSourceArn is not an enhanced fan-out consumer, and AWS documents"
                    + " filtering of aggregated records for those consumers only (with-kinesis-filtering,"
                    + " 'Filtering Kinesis aggregated records'): through the standard iterator an aggregate's bytes"
                    + " are not JSON, so a data pattern never matches it and Lambda drops every aggregate without"
                    + " invoking the function and without retry",
                aggregated
                    ? "remove the data filter and filter per user record with the processor's filter (or read"
                        + " through an enhanced fan-out consumer)"
                    : "keep it only if no producer aggregates; otherwise filter with the processor's filter");
          }
          return;
        }
      }
    }

    /** Whether the mapping's source is an enhanced fan-out consumer ARN ({@code .../stream/S/consumer/C:T}). */
    private boolean enhancedFanOut() {
      String arn = s.eventSourceArn();
      return arn != null && EFO_CONSUMER_ARN.matcher(arn).find();
    }

    private void batchingCost() {
      if (!known("BatchSize") || !known("MaximumBatchingWindowInSeconds")) {
        return;
      }
      int batch = batchSize();
      int pf = factor();
      Integer bw = s.maximumBatchingWindowInSeconds();
      int window = bw == null ? 0 : bw;
      String perShard = pf > 1 ? " (x" + pf + " with ParallelizationFactor " + pf + ")" : "";
      if (batch < 10) {
        add(MappingRule.BATCHING_COST, Severity.INFO, "BatchSize",
            "BatchSize " + batch + ": a shard writing 1,000 records/s (its limit) needs up to " + (1000 / batch)
                + " invocations per second" + perShard + ", each paying the per-invocation cost and overhead",
            "raise BatchSize (e.g. 100) and set MaximumBatchingWindowInSeconds so batches fill");
      } else if (window == 0 && batch >= 100) {
        add(MappingRule.BATCHING_COST, Severity.INFO, "MaximumBatchingWindowInSeconds",
            (bw == null ? "absent, so 0" : "0") + " with BatchSize " + batch + ": Lambda invokes on every poll"
                + " (about once per second per shard) with whatever arrived, so a shard below " + batch
                + " records/s costs about one invocation per second" + perShard + " whatever BatchSize says",
            "set MaximumBatchingWindowInSeconds (1..300, e.g. 1-5) so batches fill up to BatchSize, if that"
                + " latency is acceptable");
      }
    }

    private void ranges() {
      range("BatchSize", s.batchSize(), 1, 10_000);
      range("MaximumBatchingWindowInSeconds", s.maximumBatchingWindowInSeconds(), 0, 300);
      range("ParallelizationFactor", s.parallelizationFactor(), 1, 10);
      range("MaximumRetryAttempts", s.maximumRetryAttempts(), -1, 10_000);
      range("TumblingWindowInSeconds", s.tumblingWindowInSeconds(), 0, 900);
      Integer age = s.maximumRecordAgeInSeconds();
      if (age != null && known("MaximumRecordAgeInSeconds") && age != -1 && (age < 60 || age > 604_800)) {
        invalid("MaximumRecordAgeInSeconds", age + " is outside -1 or 60..604800");
      }
      String p = s.startingPosition();
      if (known("StartingPosition")) {
        if (p == null) {
          invalid("StartingPosition", "is required for a Kinesis mapping");
        } else if (!List.of("LATEST", "TRIM_HORIZON", "AT_TIMESTAMP").contains(p.toUpperCase(Locale.ROOT))) {
          invalid("StartingPosition", "'" + p + "' is not LATEST, TRIM_HORIZON or AT_TIMESTAMP");
        }
      }
      for (String t : s.functionResponseTypes()) {
        if (!t.equals(REPORT_BATCH_ITEM_FAILURES)) {
          invalid("FunctionResponseTypes", "'" + t + "' is not ReportBatchItemFailures (the only value, case"
              + " sensitive)");
        }
      }
      int filters = s.filterPatterns().size();
      if (filters > MAX_FILTERS_RAISED_QUOTA) {
        invalid("FilterCriteria", filters + " filters; the limit is 5, or 10 with a raised quota");
      } else if (filters > DEFAULT_FILTER_QUOTA) {
        add(MappingRule.INVALID_VALUE, Severity.WARNING, "FilterCriteria", "FilterCriteria " + filters
                + " filters: above the default quota of 5 per mapping, so the Lambda API rejects it and the"
                + " deployment fails unless the account's quota was raised (up to 10)",
            "request the quota increase for every account and region it deploys to, or combine patterns");
      }
    }

    private void range(String property, @Nullable Integer value, int min, int max) {
      if (value != null && known(property) && (value < min || value > max)) {
        invalid(property, value + " is outside " + min + ".." + max);
      }
    }

    private void invalid(String property, String what) {
      add(MappingRule.INVALID_VALUE, Severity.ERROR, property, property + " " + what
              + ": the Lambda API rejects it and the deployment fails",
          "set a value the API accepts (see CreateEventSourceMapping)");
    }
  }

  private static String seconds(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? (ms / 1000) + " s" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
  }

  private static String millis(Duration d) {
    return d.toMillis() + " ms";
  }

  /**
   * Builds a {@link MappingCheck}. Not thread-safe.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private @Nullable Long averageRecordSizeBytes;
    private Duration perRecordTime = Duration.ofMillis(100);
    private Duration safetyMargin = Duration.ofSeconds(1);
    private ProducerAggregation producerAggregation = ProducerAggregation.UNKNOWN;

    private Builder() {}

    /**
     * The average size of a Kinesis record's data on the stream, for {@link MappingRule#PAYLOAD_CAP}.
     * Default: unknown, and that rule is skipped.
     *
     * @param bytes 1..10 MiB (10,485,760)
     * @return this builder
     * @throws IllegalArgumentException when out of range
     */
    public Builder averageRecordSizeBytes(long bytes) {
      if (bytes < 1 || bytes > 10L * 1024 * 1024) {
        throw new IllegalArgumentException("averageRecordSizeBytes must be 1..10485760 bytes, was " + bytes);
      }
      this.averageRecordSizeBytes = bytes;
      return this;
    }

    /**
     * How long the function takes per Kinesis record, for {@link MappingRule#TIMEOUT_SHORT}. Default
     * 100 ms.
     *
     * @param value 1 ms..15 min
     * @return this builder
     * @throws IllegalArgumentException when out of range
     */
    public Builder perRecordTime(Duration value) {
      Objects.requireNonNull(value, "perRecordTime");
      if (value.toMillis() < 1 || value.compareTo(Duration.ofMinutes(15)) > 0) {
        throw new IllegalArgumentException("perRecordTime must be 1 ms..15 min, was " + value);
      }
      this.perRecordTime = value;
      return this;
    }

    /**
     * Time the function keeps free before its timeout (KinesisBatchProcessor's {@code safetyMargin}),
     * for {@link MappingRule#TIMEOUT_SHORT}. Default 1 s, the processor's default.
     *
     * @param value 0..15 min
     * @return this builder
     * @throws IllegalArgumentException when out of range
     */
    public Builder safetyMargin(Duration value) {
      Objects.requireNonNull(value, "safetyMargin");
      if (value.isNegative() || value.compareTo(Duration.ofMinutes(15)) > 0) {
        throw new IllegalArgumentException("safetyMargin must be 0..15 min, was " + value);
      }
      this.safetyMargin = value;
      return this;
    }

    /**
     * Whether producers aggregate records. Default {@link ProducerAggregation#UNKNOWN}.
     *
     * @param value what is known
     * @return this builder
     */
    public Builder producerAggregation(ProducerAggregation value) {
      this.producerAggregation = Objects.requireNonNull(value, "producerAggregation");
      return this;
    }

    /**
     * Builds the check.
     *
     * @return the check
     */
    public MappingCheck build() {
      return new MappingCheck(this);
    }
  }
}
