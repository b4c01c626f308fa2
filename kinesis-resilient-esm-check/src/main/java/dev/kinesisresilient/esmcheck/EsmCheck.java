package dev.kinesisresilient.esmcheck;

import dev.kinesisresilient.lambda.check.Finding;
import dev.kinesisresilient.lambda.check.MappingCheck;
import dev.kinesisresilient.lambda.check.Severity;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * The {@code esm-check} command: {@code java -jar esm-check.jar [options] FILE...} checks every
 * Kinesis event source mapping in SAM / CloudFormation templates (YAML or JSON, CDK synth output
 * included), Terraform plan or state JSON and recorded Lambda {@code GetEventSourceMapping} / {@code
 * ListEventSourceMappings} responses, and prints one line per finding: {@code SEVERITY RULE-ID
 * resource.property: message (fix: ...)}.
 *
 * <p>Exit status: 0 when nothing is worse than INFO, 1 when the worst is a WARNING, 2 when there is an
 * ERROR, 3 when a file cannot be read or parsed (the other files are still checked) or the command line
 * is wrong. Not thread-safe; meant to be run as a program.
 *
 * @since 0.1.0
 */
public final class EsmCheck {

  static final int EXIT_CLEAN = 0;
  static final int EXIT_WARNING = 1;
  static final int EXIT_ERROR = 2;
  static final int EXIT_UNREADABLE = 3;

  private static final String USAGE = String.join(System.lineSeparator(),
      "usage: java -jar esm-check.jar [options] FILE...",
      "Checks the Kinesis event source mappings in SAM/CloudFormation templates (YAML or JSON, CDK synth",
      "output), Terraform plan/state JSON (terraform show -json) and Lambda API JSON",
      "(aws lambda list-event-source-mappings / get-event-source-mapping).",
      "options:",
      "  --format text|json         output format (default text)",
      "  --record-size-bytes N      average record size on the stream, for ESM-PAYLOAD-CAP (default: unknown)",
      "  --per-record-millis N      function time per Kinesis record, for ESM-TIMEOUT-SHORT (default 100)",
      "  --safety-margin-millis N   time kept free before the timeout (default 1000)",
      "  --aggregated               producers aggregate records (KPL format)",
      "  --not-aggregated           producers do not aggregate records",
      "exit status: 0 nothing worse than INFO, 1 WARNING, 2 ERROR, 3 a file could not be read or parsed");

  private EsmCheck() {}

  /**
   * Runs the command and exits with its status.
   *
   * @param args options and files, see the class description
   */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the command; returns the exit status. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    MappingCheck.Builder check = MappingCheck.builder();
    boolean json = false;
    List<String> files = new ArrayList<>();
    try {
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (a.equals("--")) {
          files.addAll(List.of(args).subList(i + 1, args.length));
          break;
        }
        String value = null;
        if (a.startsWith("--") && a.contains("=")) {
          value = a.substring(a.indexOf('=') + 1);
          a = a.substring(0, a.indexOf('='));
        }
        switch (a) {
          case "-h", "--help" -> {
            out.println(USAGE);
            return EXIT_CLEAN;
          }
          case "--format" -> {
            String f = value != null ? value : next(args, ++i, a);
            if (!f.equals("text") && !f.equals("json")) {
              throw new IllegalArgumentException("--format must be text or json, was '" + f + "'");
            }
            json = f.equals("json");
          }
          case "--record-size-bytes" -> check.averageRecordSizeBytes(number(value != null ? value : next(args, ++i, a), a));
          case "--per-record-millis" ->
              check.perRecordTime(Duration.ofMillis(number(value != null ? value : next(args, ++i, a), a)));
          case "--safety-margin-millis" ->
              check.safetyMargin(Duration.ofMillis(number(value != null ? value : next(args, ++i, a), a)));
          case "--aggregated" -> check.producerAggregation(MappingCheck.ProducerAggregation.AGGREGATED);
          case "--not-aggregated" -> check.producerAggregation(MappingCheck.ProducerAggregation.NOT_AGGREGATED);
          default -> {
            if (a.startsWith("-") && a.length() > 1) {
              throw new IllegalArgumentException("unknown option " + a);
            }
            files.add(args[i]);
          }
        }
      }
      if (files.isEmpty()) {
        throw new IllegalArgumentException("no FILE given");
      }
    } catch (IllegalArgumentException e) {
      err.println("esm-check: " + e.getMessage());
      err.println(USAGE);
      return EXIT_UNREADABLE;
    }
    return new Session(check.build(), json, out, err).run(files);
  }

  private static String next(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }

  private static long number(String s, String option) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " needs a whole number, was '" + s + "'", e);
    }
  }

  /** Why a file could not be checked. */
  static final class UnreadableFileException extends Exception {
    UnreadableFileException(String reason, @Nullable Throwable cause) {
      super(reason, cause);
    }
  }

  /** Reads a file and returns its mappings; throws with a one-line reason when it cannot. */
  static List<MappingSource> readMappings(Path path) throws UnreadableFileException {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .decode(ByteBuffer.wrap(Files.readAllBytes(path)))
          .toString();
    } catch (NoSuchFileException e) {
      throw new UnreadableFileException("cannot read: no such file", e);
    } catch (AccessDeniedException e) {
      throw new UnreadableFileException("cannot read: permission denied", e);
    } catch (CharacterCodingException e) {
      throw new UnreadableFileException("cannot read: not UTF-8 text", e);
    } catch (IOException e) {
      throw new UnreadableFileException("cannot read: " + (Files.isDirectory(path) ? "is a directory" : oneLine(e)), e);
    }
    Object root;
    try {
      root = YamlLoader.load(text, path.toString());
    } catch (YamlEngineException e) {
      throw new UnreadableFileException("cannot parse: " + oneLine(e), e);
    }
    if (!(root instanceof Map<?, ?> map)) {
      throw new UnreadableFileException("cannot parse: the top level is "
          + (root == null ? "empty" : "not an object") + ", not a template, plan or Lambda API response", null);
    }
    try {
      if (CloudFormationReader.accepts(map)) {
        return CloudFormationReader.read(map);
      }
      if (TerraformReader.accepts(map)) {
        return TerraformReader.read(map);
      }
      if (LambdaApiReader.accepts(map)) {
        return LambdaApiReader.read(map);
      }
    } catch (RuntimeException e) {
      // A structure no reader expected (a list where a map belongs...): report it, check the others.
      throw new UnreadableFileException("cannot parse: unexpected content (" + e.getClass().getSimpleName() + ": "
          + oneLine(e) + ")", e);
    }
    throw new UnreadableFileException("cannot parse: not a SAM/CloudFormation template (no Resources), Terraform JSON"
        + " (no format_version with planned_values or values) or Lambda API response (no EventSourceMappings or"
        + " UUID)", null);
  }

  private static String oneLine(Exception e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return m.replaceAll("\\s*\\R\\s*", " ").trim();
  }

  /** One run over the files. */
  private static final class Session {
    private final MappingCheck check;
    private final boolean json;
    private final PrintStream out;
    private final PrintStream err;

    Session(MappingCheck check, boolean json, PrintStream out, PrintStream err) {
      this.check = check;
      this.json = json;
      this.out = out;
      this.err = err;
    }

    int run(List<String> files) {
      boolean unreadable = false;
      List<Finding> all = new ArrayList<>();
      List<Map<String, Object>> jsonFindings = new ArrayList<>();
      List<Map<String, Object>> jsonFiles = new ArrayList<>();
      for (String file : files) {
        Map<String, Object> fileEntry = new LinkedHashMap<>();
        fileEntry.put("file", file);
        jsonFiles.add(fileEntry);
        List<MappingSource> mappings;
        try {
          mappings = readMappings(Path.of(file));
        } catch (UnreadableFileException | java.nio.file.InvalidPathException e) {
          unreadable = true;
          err.println("esm-check: " + file + ": " + e.getMessage());
          fileEntry.put("error", e.getMessage());
          continue;
        }
        fileEntry.put("mappings", mappings.size());
        if (mappings.isEmpty()) {
          err.println("esm-check: " + file + ": no Kinesis event source mapping found");
        }
        if (!json && files.size() > 1) {
          out.println("== " + file);
        }
        for (MappingSource m : mappings) {
          for (Finding f : check.check(m.resource(), m.settings())) {
            Finding located = f.withLocation(m.resource(), m.propertyName(f.property()));
            all.add(located);
            if (json) {
              Map<String, Object> j = new LinkedHashMap<>();
              j.put("file", file);
              j.put("ruleId", located.ruleId());
              j.put("severity", located.severity().name());
              j.put("resource", located.resource());
              j.put("property", located.property());
              j.put("message", located.message());
              j.put("fix", located.fix());
              jsonFindings.add(j);
            } else {
              out.println(located.format());
            }
          }
        }
      }
      Severity worst = Finding.worst(all).orElse(Severity.INFO);
      int exit = unreadable ? EXIT_UNREADABLE
          : worst == Severity.ERROR ? EXIT_ERROR : worst == Severity.WARNING ? EXIT_WARNING : EXIT_CLEAN;
      if (json) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("files", jsonFiles);
        doc.put("findings", jsonFindings);
        doc.put("exitCode", exit);
        out.println(Json.write(doc));
      }
      long errors = all.stream().filter(f -> f.severity() == Severity.ERROR).count();
      long warnings = all.stream().filter(f -> f.severity() == Severity.WARNING).count();
      err.println("esm-check: " + errors + " error(s), " + warnings + " warning(s), " + (all.size() - errors - warnings)
          + " info in " + files.size() + " file(s); exit " + exit);
      return exit;
    }
  }
}
