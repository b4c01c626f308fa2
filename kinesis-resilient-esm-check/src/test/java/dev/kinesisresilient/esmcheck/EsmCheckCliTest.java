package dev.kinesisresilient.esmcheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Options, output formats and exit codes. */
final class EsmCheckCliTest {

  @Test
  void run_worstIsWarning_exits1() {
    assertThat(Cli.run(Cli.resource("rules/ESM-NO-BISECT-triggers.yaml")).exit()).isEqualTo(EsmCheck.EXIT_WARNING);
  }

  @Test
  void run_worstIsError_exits2() {
    assertThat(Cli.run(Cli.resource("rules/ESM-RETRY-INFINITE-triggers.yaml")).exit()).isEqualTo(EsmCheck.EXIT_ERROR);
  }

  @Test
  void run_onlyInfo_exits0() {
    Cli.Result r = Cli.run(Cli.resource("rules/ESM-BATCHING-COST-triggers.yaml"));

    assertThat(r.exit()).isEqualTo(EsmCheck.EXIT_CLEAN);
    assertThat(r.lines()).singleElement().asString()
        .startsWith("INFO ESM-BATCHING-COST OrdersMapping.BatchSize: BatchSize 1: ")
        .contains(" (fix: raise BatchSize");
  }

  @Test
  void run_textFormat_printsOneLinePerFindingInTheDocumentedShape() {
    Cli.Result r = Cli.run(Cli.resource("rules/ESM-TUMBLING-WINDOW-triggers.yaml"));

    assertThat(r.lines()).hasSize(2)
        .allMatch(l -> l.matches("(ERROR|WARNING|INFO) ESM-[A-Z-]+ OrdersMapping\\.[A-Za-z.]+: .+ \\(fix: .+\\)"));
  }

  @Test
  void run_severalFiles_headsEachFilesFindings() {
    Cli.Result r = Cli.run(Cli.resource("rules/ESM-NO-BISECT-triggers.yaml"),
        Cli.resource("rules/ESM-RETRY-INFINITE-triggers.yaml"));

    assertThat(r.lines()).filteredOn(l -> l.startsWith("== ")).hasSize(2);
    assertThat(r.exit()).isEqualTo(EsmCheck.EXIT_ERROR);
  }

  @Test
  void run_jsonFormat_printsOneDocumentWithFindingsErrorsAndExitCode() {
    Cli.Result r = Cli.run("--format", "json", Cli.resource("rules/ESM-RETRY-INFINITE-triggers.yaml"),
        Cli.resource("missing.yaml"));

    Map<?, ?> doc = (Map<?, ?>) YamlLoader.load(r.out(), "out");
    assertThat(doc.get("exitCode")).isEqualTo(3L);
    List<?> findings = (List<?>) doc.get("findings");
    assertThat(findings).singleElement().isEqualTo(Map.of(
        "file", Cli.resource("rules/ESM-RETRY-INFINITE-triggers.yaml"),
        "ruleId", "ESM-RETRY-INFINITE",
        "severity", "ERROR",
        "resource", "OrdersMapping",
        "property", "MaximumRetryAttempts",
        "message", ((Map<?, ?>) findings.get(0)).get("message"),
        "fix", ((Map<?, ?>) findings.get(0)).get("fix")));
    assertThat((String) ((Map<?, ?>) findings.get(0)).get("message")).startsWith("-1 (infinite)");
    assertThat((List<?>) doc.get("files")).element(1).isEqualTo(Map.of(
        "file", Cli.resource("missing.yaml"), "error", "cannot read: no such file"));
  }

  @Test
  void run_assumptionOptions_changeTheJudgement() {
    String file = Cli.resource("rules/ESM-TIMEOUT-SHORT-triggers.yaml");

    assertThat(Cli.run(file).exit()).isEqualTo(EsmCheck.EXIT_WARNING);
    assertThat(Cli.run("--per-record-millis=20", file).exit()).isEqualTo(EsmCheck.EXIT_CLEAN);
    assertThat(Cli.run("--per-record-millis", "20", "--safety-margin-millis", "4000", file).exit())
        .isEqualTo(EsmCheck.EXIT_WARNING);
  }

  @Test
  void run_badCommandLine_exits3WithUsage() {
    for (String[] args : List.of(new String[] {}, new String[] {"--format", "xml", "a.yaml"},
        new String[] {"--record-size-bytes", "big", "a.yaml"}, new String[] {"--record-size-bytes", "0", "a.yaml"},
        new String[] {"--frobnicate", "a.yaml"}, new String[] {"--format"})) {
      Cli.Result r = Cli.run(args);

      assertThat(r.exit()).as(String.join(" ", args)).isEqualTo(EsmCheck.EXIT_UNREADABLE);
      assertThat(r.err()).contains("usage: java -jar esm-check.jar");
    }
  }

  @Test
  void run_templateLargerThanTheYamlParsersDefaultLimit_isChecked(@TempDir Path dir) throws IOException {
    // snakeyaml-engine stops at 3 MB by default; synthesized templates and Terraform plans get bigger.
    String template = Files.readString(Path.of(Cli.resource("rules/ESM-NO-BISECT-triggers.yaml")))
        + "Metadata:\n  Padding: " + "x".repeat(3 * 1024 * 1024 + 100_000) + "\n";

    Cli.Result r = Cli.run(Files.writeString(dir.resolve("big.yaml"), template).toString());

    assertThat(r.exit()).as(r.err()).isEqualTo(EsmCheck.EXIT_WARNING);
    assertThat(r.findingLines()).singleElement().asString().contains("ESM-NO-BISECT");
  }

  @Test
  void run_help_printsUsageAndExits0() {
    Cli.Result r = Cli.run("--help");

    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("--format text|json").contains("exit status");
  }
}
