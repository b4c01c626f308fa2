package dev.kinesisresilient.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import dev.kinesisresilient.core.MetricsOptions;
import dev.kinesisresilient.core.RetryPolicy;
import dev.kinesisresilient.core.it.PrometheusNames;
import dev.kinesisresilient.core.testing.ManualClock;
import dev.kinesisresilient.lambda.testing.FakeLambdaContext;
import dev.kinesisresilient.lambda.testing.KinesisEvents;
import io.micrometer.core.instrument.Meter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Prometheus names docs/metrics.md lists ("Exported names") for the Lambda wrapper's meters are
 * exactly those a {@link PrometheusMeterRegistry} exports for the meters the code registers.
 */
final class MetricsDocTest {

  private static final Path METRICS_MD = Path.of("..", "docs", "metrics.md");
  private static final Pattern ROW = Pattern.compile(
      "^\\|\\s*`(kinesis\\.resilient\\.[a-z.]+)`\\s*\\|\\s*`(kinesis_resilient_[a-z_]+)`\\s*\\|\\s*$", Pattern.MULTILINE);

  @Test
  void exportedNames_lambdaMeters_matchWhatPrometheusExports() throws IOException {
    ManualClock clock = ManualClock.create();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    KinesisBatchProcessor processor = KinesisBatchProcessor.builder(r -> {
          if (r.dataAsString().equals("bad")) {
            throw new IllegalStateException("always");
          }
        })
        .clock(clock).sleeper(clock::advance)
        .retryPolicy(RetryPolicy.builder().maxAttempts(2).build())
        .metrics(MetricsOptions.of(registry))
        .build();
    KinesisEvent event = KinesisEvents.builder().clock(clock)
        .streamArn("arn:aws:kinesis:eu-west-1:123456789012:stream/orders").shardId("shardId-000000000007")
        .record("k", "ok".getBytes(StandardCharsets.UTF_8), clock.instant().minusSeconds(3))
        .record("k", "bad".getBytes(StandardCharsets.UTF_8), clock.instant().minusSeconds(2))
        .build();
    processor.process(event, FakeLambdaContext.builder().clock(clock).build());

    Map<String, String> code = new TreeMap<>();
    String scrape = registry.scrape();
    for (Meter m : registry.getMeters()) {
      String name = PrometheusNames.of(m.getId()) + (m.getId().getType() == Meter.Type.COUNTER ? "_total" : "");
      assertThat(scrape).as("exported by the Prometheus registry").contains(name);
      code.put(m.getId().getName(), name);
    }
    assertThat(code).hasSize(8);
    assertThat(documented()).isEqualTo(code);
    // Every Lambda series the hot-shard dashboard queries is one the registry exports.
    String doc = Files.readString(METRICS_MD);
    int start = doc.indexOf("\n## Dashboard");
    assertThat(start).as("docs/metrics.md has a \"Dashboard\" section").isPositive();
    Matcher series = Pattern.compile("kinesis_resilient_lambda_[a-z_]+").matcher(doc.substring(start));
    int n = 0;
    while (series.find()) {
      assertThat(scrape).contains(series.group() + "{");
      n++;
    }
    assertThat(n).isPositive();
  }

  /** The "Exported names" rows of docs/metrics.md for the Lambda wrapper's meters. */
  private static Map<String, String> documented() throws IOException {
    String doc = Files.readString(METRICS_MD);
    int start = doc.indexOf("\n## Exported names");
    assertThat(start).as("docs/metrics.md has an \"Exported names\" section").isPositive();
    int end = doc.indexOf("\n## ", start + 1);
    Matcher m = ROW.matcher(doc.substring(start, end < 0 ? doc.length() : end));
    Map<String, String> out = new TreeMap<>();
    while (m.find()) {
      if (m.group(1).startsWith("kinesis.resilient.lambda.")) {
        assertThat(out.put(m.group(1), m.group(2))).as("listed once: %s", m.group(1)).isNull();
      }
    }
    return out;
  }
}
