package dev.kinesisresilient.esmcheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Runs the packaged runnable jar as README says: {@code java -jar .../esm-check.jar FILE...}. */
final class EsmCheckJarIT {

  private static final Path JAR = Path.of(System.getProperty("esm-check.jar", "target/esm-check.jar"));

  @Test
  void javaJar_exampleTemplate_exits0WithoutErrorOrWarning() throws Exception {
    Process p = start(Cli.REPO.resolve("examples/lambda/template.yaml").toString());
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
    assertThat(out).doesNotContain("ERROR ").doesNotContain("WARNING ");
  }

  @Test
  void javaJar_everythingWrongAndMalformed_exits3AndStillReportsTheTemplate() throws Exception {
    Process p = start(Cli.resource("sam/everything-wrong.yaml"), Cli.resource("malformed/unclosed-flow.yaml"));
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(3);
    assertThat(out).contains("ERROR ESM-RETRY-INFINITE ClicksConsumer.Events.Clicks.MaximumRetryAttempts");
  }

  private static Process start(String... files) throws IOException {
    assertThat(JAR).as("run `mvn package` first").exists();
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", JAR.toString()));
    cmd.addAll(List.of(files));
    return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
  }
}
