package dev.kinesisresilient.lambda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kinesisresilient.core.testing.ManualClock;
import dev.kinesisresilient.lambda.internal.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * EmfWriter's validation (each rule, accept and reject side) and the structure of the lines it writes,
 * checked against the EMF specification's JSON schema and rules:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 * and the Dimension API: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_Dimension.html
 */
final class EmfWriterTest {

  private final ManualClock clock = ManualClock.create();

  private static InvocationMetrics metrics(String stream, String shard) {
    return new InvocationMetrics(stream, shard, 5, Map.of(RecordOutcome.SUCCEEDED, 4, RecordOutcome.FAILED, 1), 2,
        Duration.ofMillis(1250), Duration.ofMillis(840), StopReason.RECORD_FAILED);
  }

  // --- namespace -------------------------------------------------------------------------------

  @Test
  void namespace_cloudWatchCharactersIncludingSpace_accepted() {
    for (String ns : List.of("Orders", "Orders Consumer", "a.b-c_d/e#f:g", "x".repeat(255), "A", "AWSX/ok")) {
      assertThatCode(() -> EmfWriter.builder(ns).build()).as(ns).doesNotThrowAnyException();
    }
  }

  @Test
  void namespace_breakingARule_rejectedNamingTheRule() {
    assertThatThrownBy(() -> EmfWriter.builder("")).hasMessageContaining("1..255 characters");
    assertThatThrownBy(() -> EmfWriter.builder("x".repeat(256))).hasMessageContaining("1..255 characters");
    assertThatThrownBy(() -> EmfWriter.builder("Orders!")).hasMessageContaining("may only contain");
    assertThatThrownBy(() -> EmfWriter.builder("Bestellungen\u00e4")).hasMessageContaining("may only contain");
    assertThatThrownBy(() -> EmfWriter.builder("   ")).hasMessageContaining("not a space");
    assertThatThrownBy(() -> EmfWriter.builder(":Orders")).hasMessageContaining("must not start with ':'");
    assertThatThrownBy(() -> EmfWriter.builder("AWS/Lambda")).hasMessageContaining("AWS/");
    assertThatThrownBy(() -> EmfWriter.builder("Orders\t")).isInstanceOf(IllegalArgumentException.class);
  }

  // --- dimension names ----------------------------------------------------------------------------

  @Test
  void dimensionName_printableAscii_accepted() {
    for (String name : List.of("FunctionName", "a", "with space", "x:y", "n".repeat(255), "~!@#$%^&*()")) {
      assertThatCode(() -> EmfWriter.builder("ns").dimension(name, "v").build()).as(name)
          .doesNotThrowAnyException();
    }
  }

  @Test
  void dimensionName_breakingARule_rejectedNamingTheRule() {
    assertThatThrownBy(() -> EmfWriter.builder("ns").dimension("", "v")).hasMessageContaining("1..255");
    assertThatThrownBy(() -> EmfWriter.builder("ns").dimension("n".repeat(256), "v")).hasMessageContaining("1..255");
    assertThatThrownBy(() -> EmfWriter.builder("ns").dimension(":Fn", "v"))
        .hasMessageContaining("must not start with ':'");
    assertThatThrownBy(() -> EmfWriter.builder("ns").dimension("Funktionsname\u00fc", "v"))
        .hasMessageContaining("only ASCII");
    assertThatThrownBy(() -> EmfWriter.builder("ns").dimension("a\nb", "v")).hasMessageContaining("control");
    assertThatThrownBy(() -> EmfWriter.builder("ns").dimension("  ", "v")).hasMessageContaining("not whitespace");
  }

  @Test
  void dimensionName_sharedWithAMetricOrTheWritersOwn_rejected() {
    for (String name : EmfWriter.METRIC_NAMES) {
      assertThatThrownBy(() -> EmfWriter.builder("ns").dimension(name, "x")).as(name)
          .hasMessageContaining("both a dimension and a metric");
    }
    for (String name : List.of("Stream", "Shard", "_aws")) {
      assertThatThrownBy(() -> EmfWriter.builder("ns").dimension(name, "x")).as(name)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> EmfWriter.builder("ns").dimension("Fn", "a").dimension("Fn", "b"))
        .hasMessageContaining("already added");
  }

  // --- dimension values --------------------------------------------------------------------------

  @Test
  void dimensionValue_printableAsciiUpTo1024_accepted() {
    for (String value : List.of("orders-consumer", "v", "$LATEST", "v".repeat(1024), " padded ")) {
      assertThatCode(() -> EmfWriter.builder("ns").dimension("Fn", value).build()).doesNotThrowAnyException();
    }
  }

  @Test
  void dimensionValue_breakingARule_rejectedNamingTheRule() {
    assertThatThrownBy(() -> EmfWriter.builder("ns").dimension("Fn", "")).hasMessageContaining("1..1024");
    assertThatThrownBy(() -> EmfWriter.builder("ns").dimension("Fn", "v".repeat(2000)))
        .hasMessageContaining("1..1024");
    assertThatThrownBy(() -> EmfWriter.builder("ns").dimension("Fn", "caf\u00e9")).hasMessageContaining("only ASCII");
    assertThatThrownBy(() -> EmfWriter.builder("ns").dimension("Fn", "a\u0000b")).hasMessageContaining("control");
    assertThatThrownBy(() -> EmfWriter.builder("ns").dimension("Fn", " \t")).isInstanceOf(
        IllegalArgumentException.class);
    assertThatThrownBy(() -> EmfWriter.builder("ns").dimension("Fn", "   ")).hasMessageContaining("not whitespace");
  }

  @Test
  void line_streamOrShardValueBreakingTheValueRule_throwsNamingTheDimension() {
    EmfWriter w = EmfWriter.builder("ns").clock(clock).build();
    assertThatThrownBy(() -> w.line(metrics("", "shardId-000000000000"))).hasMessageContaining("'Stream'");
    assertThatThrownBy(() -> w.line(metrics("orders", "shard\u00e9"))).hasMessageContaining("'Shard'");
    EmfWriter streamOnly = EmfWriter.builder("ns").clock(clock).shardLevel(false).build();
    assertThatCode(() -> streamOnly.line(metrics("orders", ""))).doesNotThrowAnyException();
  }

  // --- dimension counts -------------------------------------------------------------------------

  @Test
  void dimensions_upTo30PerSet_acceptedAndOneMoreRejected() {
    EmfWriter.Builder shardLevel = EmfWriter.builder("ns");
    for (int i = 0; i < 28; i++) {
      shardLevel.dimension("D" + i, "v");
    }
    EmfWriter w = shardLevel.build();
    assertThat(dimensionSets(w.line(metrics("orders", "shardId-0")))).allSatisfy(set -> assertThat(set.size())
        .isLessThanOrEqualTo(30)).first().satisfies(set -> assertThat(set).hasSize(30));

    EmfWriter.Builder streamOnly = EmfWriter.builder("ns").shardLevel(false);
    for (int i = 0; i < 29; i++) {
      streamOnly.dimension("D" + i, "v");
    }
    assertThat(dimensionSets(streamOnly.build().line(metrics("orders", "s"))).get(0)).hasSize(30);
    assertThatThrownBy(() -> streamOnly.dimension("D29", "v")).hasMessageContaining("30 per dimension set");

    EmfWriter.Builder tooMany = EmfWriter.builder("ns");
    for (int i = 0; i < 29; i++) {
      tooMany.dimension("D" + i, "v");
    }
    assertThatThrownBy(tooMany::build).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("with shardLevel on, at most 28");
  }

  @Test
  void line_metricsPerLine_withinTheSpecificationsHundred() {
    assertThat(EmfWriter.METRIC_NAMES).hasSizeLessThanOrEqualTo(EmfWriter.MAX_METRICS_PER_DIRECTIVE)
        .doesNotHaveDuplicates();
  }

  @Test
  void dimension_sameNameAsMetric_wasAcceptedAndOverwrittenBefore_nowTheLineKeepsTypes() {
    // Before validation, dimension("BatchSize", "x") was accepted and the metric overwrote its value,
    // so CloudWatch saw a number where a dimension needs a string. Now it is rejected at the call.
    assertThatThrownBy(() -> EmfWriter.builder("ns").dimension("BatchSize", "x"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // --- structure of produced lines against the EMF specification ---------------------------------

  @Test
  void line_seededVariety_conformsToTheEmfSpecification() {
    Random random = new Random(20261201L);
    for (int run = 0; run < 200; run++) {
      EmfWriter.Builder b = EmfWriter.builder(randomNamespace(random)).clock(clock).shardLevel(random.nextBoolean());
      int dims = random.nextInt(6);
      Set<String> used = new HashSet<>();
      for (int d = 0; d < dims; d++) {
        String name = "Dim" + random.nextInt(1000);
        if (used.add(name)) {
          b.dimension(name, randomAscii(random, 1 + random.nextInt(40)));
        }
      }
      String line = b.build().line(metrics("stream-" + random.nextInt(100), "shardId-00000000000" + random.nextInt(10)));
      assertThat(EmfSpec.violations(line)).as(line).isEmpty();
    }
  }

  @Test
  void emfSpec_checker_detectsBrokenDocuments() {
    // The checker must be able to fail: a number as a dimension value, a missing metric member, too many keys.
    assertThat(EmfSpec.violations("{\"_aws\":{\"Timestamp\":1,\"CloudWatchMetrics\":[{\"Namespace\":\"n\","
        + "\"Dimensions\":[[\"BatchSize\"]],\"Metrics\":[{\"Name\":\"BatchSize\",\"Unit\":\"Count\"}]}]},"
        + "\"BatchSize\":5}")).isNotEmpty();
    assertThat(EmfSpec.violations("{\"_aws\":{\"Timestamp\":1,\"CloudWatchMetrics\":[{\"Namespace\":\"n\","
        + "\"Dimensions\":[[]],\"Metrics\":[{\"Name\":\"X\",\"Unit\":\"Count\"}]}]}}")).isNotEmpty();
    assertThat(EmfSpec.violations("{\"_aws\":{\"Timestamp\":1.5,\"CloudWatchMetrics\":[]}}")).isNotEmpty();
    assertThat(EmfSpec.violations("{\"_aws\":{\"Timestamp\":1,\"CloudWatchMetrics\":[{\"Namespace\":\"n\","
        + "\"Dimensions\":[[]],\"Metrics\":[{\"Name\":\"X\",\"Unit\":\"Counts\"}]}]},\"X\":1}")).isNotEmpty();
    assertThat(EmfSpec.violations("{\"_aws\":{\"Timestamp\":1,\"CloudWatchMetrics\":[{\"Namespace\":\"n\","
        + "\"Dimensions\":[[]],\"Metrics\":[{\"Name\":\"X\",\"Unit\":\"Count\"}]}]},\"X\":1}")).isEmpty();
  }

  @Test
  void write_printsExactlyTheLine() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    EmfWriter w = EmfWriter.builder("Orders Consumer").clock(clock)
        .out(new PrintStream(out, true, StandardCharsets.UTF_8)).dimension("FunctionName", "orders").build();
    w.write(metrics("orders", "shardId-000000000001"));
    String printed = out.toString(StandardCharsets.UTF_8);
    assertThat(printed).isEqualTo(w.line(metrics("orders", "shardId-000000000001")) + System.lineSeparator());
    Map<String, Object> doc = Json.parseObject(printed.trim());
    assertThat(doc).containsEntry("FunctionName", "orders").containsEntry("BatchSize", new BigDecimal(5));
  }

  private static String randomNamespace(Random r) {
    String chars = "ABCabc019./#:_- ";
    StringBuilder b = new StringBuilder("N");
    int n = r.nextInt(30);
    for (int i = 0; i < n; i++) {
      b.append(chars.charAt(r.nextInt(chars.length())));
    }
    return b.toString();
  }

  private static String randomAscii(Random r, int length) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < length; i++) {
      b.append((char) (0x21 + r.nextInt(0x7e - 0x21 + 1)));
    }
    return b.toString();
  }

  @SuppressWarnings("unchecked")
  private static List<List<String>> dimensionSets(String line) {
    Map<String, Object> aws = (Map<String, Object>) Json.parseObject(line).get("_aws");
    Map<String, Object> directive = ((List<Map<String, Object>>) aws.get("CloudWatchMetrics")).get(0);
    return (List<List<String>>) directive.get("Dimensions");
  }

  /**
   * The EMF specification's JSON schema and its rules written as checks (from
   * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html):
   * root object with {@code _aws}; {@code _aws} an object with an integer {@code Timestamp} and an array
   * {@code CloudWatchMetrics} of MetricDirectives; a MetricDirective has exactly {@code Namespace} (string
   * 1..255), {@code Dimensions} (at least one DimensionSet: an array of 0..30 strings of 1..255) and
   * {@code Metrics} (at most 100 MetricDefinitions: {@code Name} string 1..255, optional {@code Unit}
   * from the list, optional {@code StorageResolution} 1 or 60, nothing else); every reference is a root
   * member; a dimension target is a string (Dimension API: 1..1024 ASCII, not all whitespace), a metric
   * target a number or an array of at most 100 numbers; no root member is both.
   */
  static final class EmfSpec {
    private static final Pattern UNIT = Pattern.compile("Seconds|Microseconds|Milliseconds|Bytes|Kilobytes|Megabytes"
        + "|Gigabytes|Terabytes|Bits|Kilobits|Megabits|Gigabits|Terabits|Percent|Count|Bytes/Second"
        + "|Kilobytes/Second|Megabytes/Second|Gigabytes/Second|Terabytes/Second|Bits/Second|Kilobits/Second"
        + "|Megabits/Second|Gigabits/Second|Terabits/Second|Count/Second|None");

    private EmfSpec() {}

    @SuppressWarnings("unchecked")
    static List<String> violations(String line) {
      List<String> v = new ArrayList<>();
      Object parsed = Json.parse(line);
      if (!(parsed instanceof Map<?, ?> root)) {
        return List.of("root is not an object");
      }
      if (!(root.get("_aws") instanceof Map<?, ?> aws)) {
        return List.of("_aws missing or not an object");
      }
      if (!(aws.get("Timestamp") instanceof BigDecimal ts) || ts.scale() > 0 && ts.stripTrailingZeros().scale() > 0) {
        v.add("_aws.Timestamp is not an integer");
      }
      if (!(aws.get("CloudWatchMetrics") instanceof List<?> directives)) {
        v.add("_aws.CloudWatchMetrics is not an array");
        return v;
      }
      Set<String> dimensionTargets = new HashSet<>();
      Set<String> metricTargets = new HashSet<>();
      for (Object o : directives) {
        if (!(o instanceof Map<?, ?> d)) {
          v.add("a MetricDirective is not an object");
          continue;
        }
        if (!Set.of("Namespace", "Dimensions", "Metrics").equals(d.keySet())) {
          v.add("MetricDirective members are " + d.keySet());
        }
        if (!(d.get("Namespace") instanceof String ns) || ns.isEmpty() || ns.length() > 255) {
          v.add("Namespace is not a string of 1..255");
        }
        if (!(d.get("Dimensions") instanceof List<?> sets) || sets.isEmpty()) {
          v.add("Dimensions is not an array with at least one DimensionSet");
        } else {
          for (Object set : sets) {
            if (!(set instanceof List<?> keys) || keys.size() > 30) {
              v.add("a DimensionSet is not an array of at most 30 keys: " + set);
              continue;
            }
            for (Object k : keys) {
              if (!(k instanceof String key) || key.isEmpty() || key.length() > 255) {
                v.add("a dimension reference is not a string of 1..255: " + k);
              } else {
                dimensionTargets.add(key);
              }
            }
          }
        }
        if (!(d.get("Metrics") instanceof List<?> defs) || defs.size() > 100) {
          v.add("Metrics is not an array of at most 100 MetricDefinitions");
        } else {
          for (Object def : defs) {
            if (!(def instanceof Map<?, ?> m) || !Set.of("Name", "Unit", "StorageResolution").containsAll(m.keySet())) {
              v.add("a MetricDefinition has unknown members: " + def);
              continue;
            }
            if (!(m.get("Name") instanceof String name) || name.isEmpty() || name.length() > 255) {
              v.add("a metric Name is not a string of 1..255: " + m.get("Name"));
            } else {
              metricTargets.add(name);
            }
            if (m.containsKey("Unit") && !(m.get("Unit") instanceof String u && UNIT.matcher(u).matches())) {
              v.add("a metric Unit is not a CloudWatch unit: " + m.get("Unit"));
            }
            if (m.containsKey("StorageResolution") && !(m.get("StorageResolution") instanceof BigDecimal sr
                && (sr.intValue() == 1 || sr.intValue() == 60))) {
              v.add("StorageResolution is not 1 or 60");
            }
          }
        }
      }
      for (String t : dimensionTargets) {
        Object value = root.get(t);
        if (!(value instanceof String s)) {
          v.add("dimension target '" + t + "' is not a string member of the root: " + value);
        } else if (s.isEmpty() || s.length() > 1024 || s.isBlank() || !s.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
          v.add("dimension value of '" + t + "' is not 1..1024 printable ASCII characters");
        }
        if (metricTargets.contains(t)) {
          v.add("'" + t + "' is both a dimension and a metric");
        }
      }
      for (String t : metricTargets) {
        Object value = root.get(t);
        boolean ok = value instanceof BigDecimal
            || value instanceof List<?> list && list.size() <= 100 && list.stream().allMatch(BigDecimal.class::isInstance);
        if (!ok) {
          v.add("metric target '" + t + "' is not a number or an array of at most 100 numbers: " + value);
        }
      }
      return v;
    }
  }
}
