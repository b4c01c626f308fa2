package dev.kinesisresilient.lambda.lean;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kinesisresilient.core.KinesisRecord;
import dev.kinesisresilient.core.aggregation.KplAggregation;
import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A processor-only function needs no AWS SDK, Micrometer, resilience4j or HTTP client (docs/lambda.md,
 * "Deployment size"): runs {@link LeanFunctionProbe} on a class loader holding the module's runtime class
 * path without them, whose parent is the platform class loader (so nothing leaks in from the test's own
 * class path). A processor that touched one of their classes fails here with NoClassDefFoundError.
 */
final class LeanClassPathTest {

  /**
   * What a function using only kinesis-resilient-lambda does not get: the optional dependencies of this
   * module and of core (the SDK comes with the Kinesis quarantine sink, Micrometer with MetricsOptions),
   * with everything they bring.
   */
  private static final List<String> NOT_DEPLOYED = List.of("/software/amazon/awssdk/", "/io/micrometer/",
      "/org/hdrhistogram/", "/org/latencyutils/", "/io/github/resilience4j/", "/io/netty/",
      "/org/apache/httpcomponents/", "/org/reactivestreams/");

  /** The target for a processor-only function's dependencies, in bytes. */
  private static final long MAX_DEPENDENCY_BYTES = 3_000_000;

  private static List<Path> leanDependencies() throws IOException {
    Path file = Path.of("target", "runtime-classpath.txt");
    assertThat(file).as("written by maven-dependency-plugin:build-classpath in generate-test-resources").exists();
    List<Path> out = new ArrayList<>();
    for (String entry : Files.readString(file).trim().split(File.pathSeparator)) {
      String unix = entry.replace(File.separatorChar, '/');
      if (!entry.isBlank() && NOT_DEPLOYED.stream().noneMatch(unix::contains)) {
        out.add(Path.of(entry));
      }
    }
    return out;
  }

  private static URLClassLoader leanFunction() throws IOException {
    List<URL> urls = new ArrayList<>();
    urls.add(Path.of("target", "classes").toUri().toURL());
    urls.add(Path.of("target", "test-classes").toUri().toURL());
    for (Path p : leanDependencies()) {
      urls.add(p.toUri().toURL());
    }
    return new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
  }

  @Test
  @SuppressWarnings("unchecked")
  void processorOnlyFunction_runsWithoutSdkMicrometerResilience4jOrHttpClient() throws Exception {
    byte[] aggregate = KplAggregation.encode(List.of(KinesisRecord.of("sub-a", "x".getBytes(StandardCharsets.UTF_8)),
        KinesisRecord.of("sub-b", "y".getBytes(StandardCharsets.UTF_8))));

    try (URLClassLoader function = leanFunction()) {
      assertThat(function.getResource("software/amazon/awssdk/core/SdkBytes.class")).isNull();
      assertThat(function.getResource("io/micrometer/core/instrument/MeterRegistry.class")).isNull();
      assertThat(function.getResource("io/github/resilience4j/retry/RetryConfig.class")).isNull();
      Class<?> probe = Class.forName(LeanFunctionProbe.class.getName(), true, function);
      assertThat(probe.getClassLoader()).isSameAs(function);

      Object seen = probe.getMethod("run", byte[].class).invoke(null, (Object) aggregate);

      assertThat((List<Object>) seen).containsExactly("plain:0:hello", "sub-a:0:x", "sub-b:1:y", "flaky:0:again",
          "batchItemFailures=0");
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void tumblingWindowFunction_runsWithoutSdkMicrometerResilience4jOrHttpClient() throws Exception {
    byte[] aggregate = KplAggregation.encode(List.of(KinesisRecord.of("sub-a", "x".getBytes(StandardCharsets.UTF_8)),
        KinesisRecord.of("sub-a", "y".getBytes(StandardCharsets.UTF_8))));

    try (URLClassLoader function = leanFunction()) {
      Class<?> probe = Class.forName(LeanFunctionProbe.class.getName(), true, function);

      Object seen = probe.getMethod("runWindow", byte[].class).invoke(null, (Object) aggregate);

      assertThat((List<Object>) seen).containsExactly("end {plain=2, sub-a=2}", "batchItemFailures=0");
    }
  }

  @Test
  void processorOnlyDependencies_stayWithinTheTarget() throws IOException {
    long bytes = 0;
    for (Path p : leanDependencies()) {
      if (Files.isRegularFile(p)) {
        bytes += Files.size(p);
      }
    }
    // The library's own jars (about 0.3 MB) come on top; core arrives here as a reactor directory.
    assertThat(bytes).as("runtime dependencies of a processor-only function, in bytes")
        .isLessThanOrEqualTo(MAX_DEPENDENCY_BYTES);
  }
}
