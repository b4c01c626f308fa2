package dev.kinesisresilient.lambda;

import dev.kinesisresilient.lambda.internal.Json;
import java.io.PrintStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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
 * <p><b>Validation.</b> Names and values are checked where they are given, against the EMF
 * specification and CloudWatch's own limits, so that CloudWatch never drops a line:
 * <ul>
 *   <li>namespace (<a href="https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Namespace">CloudWatch
 *       namespaces</a>, PutMetricData): 1..255 ASCII characters out of letters, digits, {@code . - _ / # :}
 *       and space, at least one not a space, not starting with {@code :} or {@code AWS/};
 *   <li>dimension name (<a href="https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_Dimension.html">Dimension</a>):
 *       1..255 printable ASCII characters, at least one not whitespace, not starting with {@code :},
 *       and not a name the writer already uses ({@code Stream}, {@code Shard}, {@code _aws} or a metric
 *       name such as {@code BatchSize}: one root member cannot be both a dimension and a metric);
 *   <li>dimension value (Dimension): 1..1024 printable ASCII characters, at least one not whitespace;
 *   <li>at most 30 dimensions per dimension set (the writer adds {@code Stream} and, with shard level
 *       on, {@code Shard}) and at most 100 metrics per line
 *       (<a href="https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html">EMF
 *       specification</a>).
 * </ul>
 * The stream and shard values come from the event; one that breaks the value rule makes {@link #line}
 * throw, which the processor logs (metrics are then missing for that invocation, processing is not
 * affected).
 *
 * <p>Thread-safe: each line is built first and printed with one {@code println}. Does not own or
 * close the stream.
 *
 * @since 0.1.0
 */
public final class EmfWriter {

  /** The metrics of every line, in order: a dimension may not use one of these names. */
  static final List<String> METRIC_NAMES = List.of("BatchSize", "UserRecords", "RecordsSucceeded",
      "RecordsFailed", "RecordsQuarantined", "RecordsFiltered", "RecordsExpired", "RecordsNotProcessed",
      "RecordRetries", "DeadlineStops", "FailureStops", "IteratorAge", "BatchDuration");

  /** CloudWatch: at most 30 dimensions per metric, so per EMF dimension set. */
  static final int MAX_DIMENSIONS_PER_SET = 30;
  /** EMF specification: at most 100 metric definitions per directive. */
  static final int MAX_METRICS_PER_DIRECTIVE = 100;
  static final int MAX_NAMESPACE_LENGTH = 255;
  static final int MAX_DIMENSION_NAME_LENGTH = 255;
  static final int MAX_DIMENSION_VALUE_LENGTH = 1024;

  private static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9./#:_ \\-]+");
  private static final Set<String> RESERVED = reserved();

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

  private static Set<String> reserved() {
    Set<String> r = new HashSet<>(METRIC_NAMES);
    r.add("Stream");
    r.add("Shard");
    r.add("_aws");
    return Set.copyOf(r);
  }

  /**
   * A builder for a writer to the given CloudWatch namespace.
   *
   * @param namespace the CloudWatch namespace: 1..255 characters out of letters, digits, {@code . - _
   *     / # :} and space, at least one not a space, not starting with {@code :} or {@code AWS/}
   * @return a new builder
   * @throws IllegalArgumentException when the namespace breaks one of these rules (the message names it)
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
    checkDimensionValue("Stream", m.streamName());
    if (shardLevel) {
      checkDimensionValue("Shard", m.shardId());
    }
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
    if (!metrics.keySet().equals(new java.util.LinkedHashSet<>(METRIC_NAMES))
        || metrics.size() > MAX_METRICS_PER_DIRECTIVE) {
      throw new IllegalStateException("EMF metrics " + metrics.keySet() + " differ from " + METRIC_NAMES
          + " or exceed " + MAX_METRICS_PER_DIRECTIVE + " per line");
    }

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

  static String checkNamespace(String namespace) {
    Objects.requireNonNull(namespace, "namespace");
    String rule = null;
    if (namespace.isEmpty() || namespace.length() > MAX_NAMESPACE_LENGTH) {
      rule = "must be 1.." + MAX_NAMESPACE_LENGTH + " characters long (it is " + namespace.length() + ")";
    } else if (!NAMESPACE.matcher(namespace).matches()) {
      rule = "may only contain ASCII letters, digits, '.', '-', '_', '/', '#', ':' and space";
    } else if (namespace.isBlank()) {
      rule = "must contain at least one character that is not a space";
    } else if (namespace.startsWith(":")) {
      rule = "must not start with ':'";
    } else if (namespace.startsWith("AWS/")) {
      rule = "must not start with 'AWS/' (reserved for AWS services)";
    }
    if (rule != null) {
      throw new IllegalArgumentException("CloudWatch namespace " + rule + ", was '" + printable(namespace) + "'");
    }
    return namespace;
  }

  static void checkDimensionName(String name) {
    Objects.requireNonNull(name, "name");
    String rule = asciiRule(name, MAX_DIMENSION_NAME_LENGTH);
    if (rule == null && name.startsWith(":")) {
      rule = "must not start with ':'";
    }
    if (rule != null) {
      throw new IllegalArgumentException("CloudWatch dimension name " + rule + ", was '" + printable(name) + "'");
    }
  }

  static void checkDimensionValue(String name, String value) {
    Objects.requireNonNull(value, "value");
    String rule = asciiRule(value, MAX_DIMENSION_VALUE_LENGTH);
    if (rule != null) {
      throw new IllegalArgumentException("CloudWatch dimension value of '" + printable(name) + "' " + rule
          + ", was '" + printable(value) + "'");
    }
  }

  /** The Dimension API's rules for a name or value, or null when it keeps them. */
  private static @Nullable String asciiRule(String s, int maxLength) {
    if (s.isEmpty() || s.length() > maxLength) {
      return "must be 1.." + maxLength + " characters long (it is " + s.length() + ")";
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c > 0x7e) {
        return "must contain only ASCII characters (found U+" + String.format("%04X", (int) c) + " at index " + i + ")";
      }
      if (c < 0x20 || c == 0x7f) {
        return "must not contain ASCII control characters (found 0x" + String.format("%02X", (int) c)
            + " at index " + i + ")";
      }
    }
    if (s.isBlank()) {
      return "must contain at least one character that is not whitespace";
    }
    return null;
  }

  /** At most 80 characters of the input for a message, control characters escaped. */
  private static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && b.length() < 80; i++) {
      char c = s.charAt(i);
      b.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c));
    }
    return s.length() > 80 ? b + "..." : b.toString();
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
      this.namespace = checkNamespace(namespace);
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
     * @param name the dimension name: 1..255 printable ASCII characters, at least one not whitespace,
     *     not starting with {@code :}, not {@code Stream}, {@code Shard}, {@code _aws} or a metric name
     *     of the line (such as {@code BatchSize}), and not added before
     * @param value its value: 1..1024 printable ASCII characters, at least one not whitespace
     * @return this builder
     * @throws IllegalArgumentException when the name or value breaks one of these rules, or this would be
     *     the 30th dimension (the writer adds {@code Stream} to every set; CloudWatch allows 30); the
     *     message names the rule
     */
    public Builder dimension(String name, String value) {
      checkDimensionName(name);
      checkDimensionValue(name, value);
      if (RESERVED.contains(name)) {
        throw new IllegalArgumentException("dimension name '" + name + "' is used by the writer itself (Stream, "
            + "Shard, _aws and the metric names " + METRIC_NAMES + "): a root member of an EMF line cannot be "
            + "both a dimension and a metric");
      }
      if (dimensions.containsKey(name)) {
        throw new IllegalArgumentException("dimension name '" + name + "' was already added");
      }
      if (dimensions.size() + 1 > MAX_DIMENSIONS_PER_SET - 1) {
        throw new IllegalArgumentException("at most " + (MAX_DIMENSIONS_PER_SET - 1) + " extra dimensions: "
            + "CloudWatch allows " + MAX_DIMENSIONS_PER_SET + " per dimension set and the writer adds Stream");
      }
      dimensions.put(name, value);
      return this;
    }

    /**
     * Builds the writer.
     *
     * @return the writer
     * @throws IllegalStateException when shard level is on and more than 28 dimensions were added (with
     *     {@code Stream} and {@code Shard}, a set would hold more than 30)
     */
    public EmfWriter build() {
      if (shardLevel && dimensions.size() > MAX_DIMENSIONS_PER_SET - 2) {
        throw new IllegalStateException("with shardLevel on, at most " + (MAX_DIMENSIONS_PER_SET - 2)
            + " extra dimensions: CloudWatch allows " + MAX_DIMENSIONS_PER_SET + " per dimension set and the "
            + "writer adds Stream and Shard; " + dimensions.size() + " were added");
      }
      return new EmfWriter(this);
    }
  }
}
