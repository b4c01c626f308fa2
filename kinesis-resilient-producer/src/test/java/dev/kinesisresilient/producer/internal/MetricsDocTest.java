package dev.kinesisresilient.producer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kinesisresilient.core.MetricsOptions;
import dev.kinesisresilient.core.internal.WriterMetrics;
import com.sun.net.httpserver.HttpServer;
import dev.kinesisresilient.core.it.PrometheusNames;
import dev.kinesisresilient.core.testing.FakeKinesisAsyncClient;
import dev.kinesisresilient.producer.ResilientProducer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Prometheus names docs/metrics.md lists ("Exported names") for the writer's and the producer's meters
 * are exactly those a {@link PrometheusMeterRegistry} exports for the meters the code registers.
 */
final class MetricsDocTest {

  private static final Path METRICS_MD = Path.of("..", "docs", "metrics.md");
  private static final Pattern ROW = Pattern.compile(
      "^\\|\\s*`(kinesis\\.resilient\\.[a-z.]+)`\\s*\\|\\s*`(kinesis_resilient_[a-z_]+)`\\s*\\|\\s*$", Pattern.MULTILINE);

  private static final Pattern SERIES = Pattern.compile("kinesis_resilient_[a-z_]+");

  @Test
  void exportedNames_writerAndProducerMeters_matchWhatPrometheusExports() throws IOException {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Harness h = Harness.create(2, b -> b.lingerTime(Duration.ZERO).aggregation(true).retryPolicy(Harness.noJitter(2))
        .metrics(MetricsOptions.of(registry)));
    h.fake.failNextEntries(1, "ProvisionedThroughputExceededException", "Rate exceeded for shard");
    for (int i = 0; i < 20; i++) {
      h.send(Harness.record("k" + i));
    }
    drain(h);
    h.fake.failNextEntries(2, "InternalFailure", "Internal service failure."); // both attempts: failed
    h.send(Harness.record("failed"));
    drain(h);
    Map<String, String> code = new TreeMap<>();
    for (Meter m : registry.getMeters()) {
      code.put(m.getId().getName(), prometheusName(m.getId()));
    }
    assertThat(code).containsKey(WriterMetrics.RECORDS_FAILED);
    String scrape = registry.scrape();
    for (Meter m : registry.getMeters()) {
      assertThat(scrape).as("exported by the Prometheus registry").contains(code.get(m.getId().getName()));
    }
    // Registered on first use only, after a reshard misplaced an aggregate: rendered the same way, as the
    // unit-less counter it is.
    Meter.Id resent = new Meter.Id(ProducerMetrics.AGGREGATION_RESENT, Tags.empty(), null, null, Meter.Type.COUNTER);
    assertThat(code).doesNotContainKey(resent.getName());
    code.put(resent.getName(), prometheusName(resent));

    assertThat(documented(name -> !name.startsWith("kinesis.resilient.lambda."))).isEqualTo(code);
    // Every writer or producer series the hot-shard dashboard queries is one the registry exports.
    assertThat(dashboardSeries()).isNotEmpty().filteredOn(n -> !n.startsWith("kinesis_resilient_lambda_"))
        .allSatisfy(n -> assertThat(scrape).contains(n + "{"));
    h.producer.release();
  }

  /** docs/metrics.md's Prometheus wiring, as written there (port 0 instead of 9464). */
  @Test
  void prometheusWiring_asDocumented_servesTheProducersMeters() throws Exception {
    FakeKinesisAsyncClient kinesis = FakeKinesisAsyncClient.builder().stream("orders", 1).build();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ResilientProducer producer = ResilientProducer.builder(kinesis).streamName("orders")
        .metrics(MetricsOptions.of(registry)).build();

    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/metrics", exchange -> {
      byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    try {
      HttpResponse<String> scraped = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(scraped.statusCode()).isEqualTo(200);
      assertThat(scraped.body()).contains("kinesis_resilient_producer_buffer_limit_bytes{",
          "kinesis_resilient_putrecords_inflight_requests{");
    } finally {
      server.stop(0);
      producer.close();
    }
  }

  private static void drain(Harness h) {
    for (int i = 0; i < 100 && h.producer.stats().pending() > 0; i++) {
      Instant next = h.step();
      if (next.isBefore(Instant.MAX)) {
        h.clock.set(next);
      }
    }
    assertThat(h.producer.stats().pending()).isZero();
  }

  /** The series named in docs/metrics.md's "Dashboard: a hot shard" section. */
  static java.util.Set<String> dashboardSeries() throws IOException {
    String doc = Files.readString(METRICS_MD);
    int start = doc.indexOf("\n## Dashboard");
    assertThat(start).as("docs/metrics.md has a \"Dashboard\" section").isPositive();
    int end = doc.indexOf("\n## ", start + 1);
    Matcher m = SERIES.matcher(doc.substring(start, end < 0 ? doc.length() : end));
    java.util.Set<String> out = new java.util.TreeSet<>();
    while (m.find()) {
      out.add(m.group());
    }
    return out;
  }

  /** The name as exported: the convention's name, with {@code _total} for counters. */
  static String prometheusName(Meter.Id id) {
    String base = PrometheusNames.of(id);
    return id.getType() == Meter.Type.COUNTER ? base + "_total" : base;
  }

  /** The "Exported names" rows of docs/metrics.md whose Micrometer name passes {@code include}. */
  static Map<String, String> documented(java.util.function.Predicate<String> include) throws IOException {
    String doc = Files.readString(METRICS_MD);
    int start = doc.indexOf("\n## Exported names");
    assertThat(start).as("docs/metrics.md has an \"Exported names\" section").isPositive();
    int end = doc.indexOf("\n## ", start + 1);
    Matcher m = ROW.matcher(doc.substring(start, end < 0 ? doc.length() : end));
    Map<String, String> out = new TreeMap<>();
    while (m.find()) {
      if (include.test(m.group(1))) {
        assertThat(out.put(m.group(1), m.group(2))).as("listed once: %s", m.group(1)).isNull();
      }
    }
    return out;
  }
}
