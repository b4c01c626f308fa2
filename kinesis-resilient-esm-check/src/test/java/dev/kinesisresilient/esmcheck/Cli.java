package dev.kinesisresilient.esmcheck;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** Runs {@link EsmCheck} in process and captures its output. */
final class Cli {
  /** The module's test resources. */
  static final Path RESOURCES = Path.of("src/test/resources");
  /** The repository root (tests run in the module directory). */
  static final Path REPO = Path.of("..");

  private Cli() {}

  record Result(int exit, String out, String err) {
    List<String> lines() {
      return out.isBlank() ? List.of() : Arrays.asList(out.strip().split("\\R"));
    }

    List<String> findingLines() {
      return lines().stream().filter(l -> !l.startsWith("== ")).toList();
    }
  }

  static Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      exit = EsmCheck.run(args, o, e);
    }
    return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static String resource(String name) {
    return RESOURCES.resolve(name).toString();
  }
}
