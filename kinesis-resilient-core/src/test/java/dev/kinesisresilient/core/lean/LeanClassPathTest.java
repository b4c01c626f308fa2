package dev.kinesisresilient.core.lean;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Micrometer, resilience4j and the HTTP clients are optional dependencies of core (docs/lambda.md,
 * "Deployment size"): runs {@link LeanWriterProbe} on a class loader holding core's runtime class path
 * without them, whose parent is the platform class loader (nothing leaks in from the test's class path).
 */
final class LeanClassPathTest {

  /** Core's optional dependencies and what they bring. */
  private static final List<String> OPTIONAL = List.of("/io/micrometer/", "/org/hdrhistogram/",
      "/org/latencyutils/", "/io/github/resilience4j/", "/io/netty/", "/software/amazon/awssdk/netty-nio-client/",
      "/software/amazon/awssdk/apache5-client/", "/software/amazon/awssdk/apache-client/",
      "/org/apache/httpcomponents/");

  private static URLClassLoader withoutOptionalDependencies() throws IOException {
    Path file = Path.of("target", "runtime-classpath.txt");
    assertThat(file).as("written by maven-dependency-plugin:build-classpath in generate-test-resources").exists();
    List<URL> urls = new ArrayList<>();
    urls.add(Path.of("target", "classes").toUri().toURL());
    urls.add(Path.of("target", "test-classes").toUri().toURL());
    for (String entry : Files.readString(file).trim().split(File.pathSeparator)) {
      String unix = entry.replace(File.separatorChar, '/');
      if (!entry.isBlank() && OPTIONAL.stream().noneMatch(unix::contains)) {
        urls.add(Path.of(entry).toUri().toURL());
      }
    }
    return new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
  }

  private static String call(String method) throws Exception {
    try (URLClassLoader loader = withoutOptionalDependencies()) {
      assertThat(loader.getResource("io/micrometer/core/instrument/MeterRegistry.class")).isNull();
      assertThat(loader.getResource("io/github/resilience4j/retry/RetryConfig.class")).isNull();
      assertThat(loader.getResource("software/amazon/awssdk/http/nio/netty/NettyNioAsyncHttpClient.class")).isNull();
      assertThat(loader.getResource("software/amazon/awssdk/services/kinesis/KinesisAsyncClient.class")).isNotNull();
      Class<?> probe = Class.forName(LeanWriterProbe.class.getName(), true, loader);
      assertThat(probe.getClassLoader()).isSameAs(loader);
      return (String) probe.getMethod(method).invoke(null);
    }
  }

  @Test
  void writerWithoutMetrics_runsWithoutMicrometerResilience4jOrHttpClient() throws Exception {
    assertThat(call("writeWithoutMetrics")).isEqualTo("acknowledged=2 failed=0");
  }

  @Test
  void clientFactoryWithoutNetty_saysWhatToAdd() throws Exception {
    assertThat(call("factory"))
        .startsWith(IllegalStateException.class.getName() + ": KinesisClientFactory builds a Netty HTTP client")
        .contains("software.amazon.awssdk:netty-nio-client");
  }
}
