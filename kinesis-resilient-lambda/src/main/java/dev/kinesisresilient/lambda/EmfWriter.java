package dev.kinesisresilient.lambda;

import dev.kinesisresilient.lambda.internal.Json;
import java.io.PrintStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Writes each invocation's metrics as one CloudWatch Embedded Metric Format (EMF) line, the way to get
 * Lambda metrics without API calls: Lambda ships stdout to CloudWatch Logs, which extracts the
 * metrics. The processor calls {@link #write} at the end of every invocation that had records.
 *
 * <p>One line per invocation, for example:
 *
 * <pre>{@code
 * {"_aws":{"Timestamp":1767225600000,"CloudWatchMetrics":[{"Namespace":"Orders",
 *   "Dimensions":[["Stream","Shard"],["Stream"]],"Metrics":[{"Name":"RecordsSucceeded","Unit":"Count"},...]}]},
 *  "Stream":"orders","Shard":"shardId-000000000000","RecordsSucceeded":99,"RecordsFailed":1,...,
 *  "IteratorAge":1250,"BatchDuration":840}
 * }</pre>
 *
 * <p>Metrics (unit): {@code BatchSize} (Kinesis records), {@code UserRecords} (what the handler was
 * given: sub-records of KPL aggregates count one each; {@code UserRecords / BatchSize} is the mean
 * number of user records per Kinesis record), {@code RecordsSucceeded}, {@code RecordsFailed}, {@code
 * RecordsQuarantined}, {@code RecordsFiltered}, {@code RecordsExpired} (skipped or quarantined for
 * age), {@code RecordsNotProcessed}, {@code RecordRetries}, {@code DeadlineStops}, {@code
 * FailureStops} (Count); {@code IteratorAge}, {@code BatchDuration} (Milliseconds). The {@code
 * Records*} counts are of user records.
 *
 * <p>Thread-safe: each line is built first and printed with one {@code println}. Does not own or
 * close the stream.
 *
 * @since 0.1.0
 */
public final class EmfWriter {

  private static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9./#:_\\-]{1,255}");

  private final String namespace;
  private final PrintStream out;
  private final Clock clock;
  private final boolean shardLevel;
  private final Map<String, String> dimensions;

  private EmfWriter(Builder b) {
    this.namespace = Objects.requireNonNull(b.namespace);
    this.out = b.out == null ? System.out : b.out;
    this.clock = b.clock == null ? Clock.systemUTC() : b.clock;
    this.shardLevel = b.shardLevel;
    this.dimensions = Map.copyOf(b.dimensions);
  }

  /**
   * A builder for a writer to the given CloudWatch namespace.
   *
   * @param namespace the CloudWatch namespace, 1..255 characters of letters, digits and
   *     {@code . / # : _ -}
   * @return a new builder
   * @throws IllegalArgumentException when the namespace is not valid
   */
  public static Builder builder(String namespace) {
    return new Builder(namespace);
  }

  /**
   * Writes one invocation's metrics as one EMF line.
   *
   * @param m the invocation's metrics
   */
  public void write(InvocationMetrics m) {
    out.println(line(m));
    out.flush();
  }

  /**
   * The EMF line for one invocation (without the newline).
   *
   * @param m the invocation's metrics
   * @return the JSON document
   */
  public String line(InvocationMetrics m) {
    Map<String, @Nullable Object> metrics = new LinkedHashMap<>();
    metrics.put("BatchSize", m.batchSize());
    metrics.put("UserRecords", m.userRecords());
    metrics.put("RecordsSucceeded", m.count(RecordOutcome.SUCCEEDED));
    metrics.put("RecordsFailed", m.count(RecordOutcome.FAILED));
    metrics.put("RecordsQuarantined",
        m.count(RecordOutcome.QUARANTINED) + m.count(RecordOutcome.EXPIRED_QUARANTINED));
    metrics.put("RecordsFiltered", m.count(RecordOutcome.FILTERED));
    metrics.put("RecordsExpired",
        m.count(RecordOutcome.EXPIRED_SKIPPED) + m.count(RecordOutcome.EXPIRED_QUARANTINED));
    metrics.put("RecordsNotProcessed", m.count(RecordOutcome.NOT_PROCESSED));
    metrics.put("RecordRetries", m.retries());
    metrics.put("DeadlineStops", m.stopReason() == StopReason.DEADLINE ? 1 : 0);
    metrics.put("FailureStops", m.stopReason() == StopReason.RECORD_FAILED ? 1 : 0);
    metrics.put("IteratorAge", m.iteratorAge().toMillis());
    metrics.put("BatchDuration", m.duration().toMillis());

    List<Map<String, String>> definitions = new ArrayList<>();
    for (String name : metrics.keySet()) {
      String unit = name.equals("IteratorAge") || name.equals("BatchDuration") ? "Milliseconds" : "Count";
      definitions.add(Map.of("Name", name, "Unit", unit));
    }
    List<String> extra = new ArrayList<>(dimensions.keySet());
    extra.sort(null);
    List<List<String>> dimensionSets = new ArrayList<>();
    if (shardLevel) {
      List<String> withShard = new ArrayList<>(extra);
      withShard.add("Stream");
      withShard.add("Shard");
      dimensionSets.add(withShard);
    }
    List<String> streamOnly = new ArrayList<>(extra);
    streamOnly.add("Stream");
    dimensionSets.add(streamOnly);

    Map<String, @Nullable Object> directive = new LinkedHashMap<>();
    directive.put("Namespace", namespace);
    directive.put("Dimensions", dimensionSets);
    directive.put("Metrics", definitions);
    Map<String, @Nullable Object> aws = new LinkedHashMap<>();
    aws.put("Timestamp", clock.millis());
    aws.put("CloudWatchMetrics", List.of(directive));

    Map<String, @Nullable Object> doc = new LinkedHashMap<>();
    doc.put("_aws", aws);
    for (String d : extra) {
      doc.put(d, dimensions.get(d));
    }
    doc.put("Stream", m.streamName());
    if (shardLevel) {
      doc.put("Shard", m.shardId());
    }
    doc.putAll(metrics);
    return Json.write(doc);
  }

  /** Lists the settings. */
  @Override
  public String toString() {
    return "EmfWriter[namespace=" + namespace + ", shardLevel=" + shardLevel + ", dimensions="
        + dimensions.keySet() + "]";
  }

  /**
   * Builds an {@link EmfWriter}. Not thread-safe.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private final String namespace;
    private @Nullable PrintStream out;
    private @Nullable Clock clock;
    private boolean shardLevel = true;
    private final Map<String, String> dimensions = new LinkedHashMap<>();

    private Builder(String namespace) {
      Objects.requireNonNull(namespace, "namespace");
      if (!NAMESPACE.matcher(namespace).matches() || namespace.startsWith("AWS/")) {
        throw new IllegalArgumentException(
            "namespace must be 1..255 characters of [A-Za-z0-9./#:_-] and not start with AWS/, was '"
                + namespace + "'");
      }
      this.namespace = namespace;
    }

    /**
     * Where lines go.
     *
     * @param out default {@code System.out} (Lambda sends it to CloudWatch Logs); not closed
     * @return this builder
     */
    public Builder out(PrintStream out) {
      this.out = Objects.requireNonNull(out, "out");
      return this;
    }

    /**
     * The clock for the {@code Timestamp}.
     *
     * @param clock default {@link Clock#systemUTC()}
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Whether metrics are also published per shard ({@code [Stream, Shard]} as well as
     * {@code [Stream]}). Each shard is a separate CloudWatch metric, which is billed.
     *
     * @param enabled default {@code true}
     * @return this builder
     */
    public Builder shardLevel(boolean enabled) {
      this.shardLevel = enabled;
      return this;
    }

    /**
     * Adds a dimension to every dimension set, for example {@code FunctionName}.
     *
     * @param name the dimension name, not {@code Stream} or {@code Shard}
     * @param value its value
     * @return this builder
     * @throws IllegalArgumentException for a reserved or repeated name, or more than 28 dimensions
     */
    public Builder dimension(String name, String value) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
      if (name.isEmpty() || name.equals("Stream") || name.equals("Shard") || name.equals("_aws")
          || dimensions.containsKey(name)) {
        throw new IllegalArgumentException("dimension name '" + name + "' is reserved or already set");
      }
      if (dimensions.size() >= 28) {
        throw new IllegalArgumentException("at most 28 extra dimensions (CloudWatch allows 30 per set)");
      }
      dimensions.put(name, value);
      return this;
    }

    /**
     * Builds the writer.
     *
     * @return the writer
     */
    public EmfWriter build() {
      return new EmfWriter(this);
    }
  }
}
