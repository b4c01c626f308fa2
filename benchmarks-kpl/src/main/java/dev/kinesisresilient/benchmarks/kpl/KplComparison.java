package dev.kinesisresilient.benchmarks.kpl;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The KPL comparison (docs/benchmarks.md, "Against the KPL"): starts kinesalite, runs every producer
 * setup over every protocol, record size and mode in child JVMs, and writes the medians as a table into
 * docs/benchmarks.md (between {@link Report#BEGIN} and {@link Report#END}) and as a chart into
 * docs/benchmarks-kpl.svg.
 *
 * <p>Run {@code --help} for the options.
 */
public final class KplComparison {
  static final int SHARDS = 4;
  private static final String USAGE = """
      KplComparison [options]
        --records N        records per measured steady-state run, each size (default 1000000)
        --warmup N         warm-up records before it, same JVM (default records/4, at most 250000)
        --fresh-records N  records per fresh-JVM run of 100-byte records; 1 KB runs send half (default 100000)
        --rounds N         runs of each, order alternating between rounds (default 3)
        --modes LIST       steady,fresh (default both)
        --sizes LIST       record sizes in bytes (default 100,1024)
        --only LIST        what to run: setups (kpl-agg kpl-plain sdk-loop ours-agg-default ours-agg-raised
                           ours-plain-raised ours-plain-default), setup/protocol (sdk-loop/http) or a
                           protocol (/http, /https); default everything
        --no-docs          print the table, do not write docs/
        --repo DIR         the repository root (set by the Maven command)
      """;

  private KplComparison() {}

  private record Run(Setup setup, String protocol) {
    String name() {
      return setup.id() + "/" + protocol;
    }
  }

  /**
   * Runs the comparison.
   *
   * @param args see {@code --help}
   * @throws Exception when a step fails
   */
  public static void main(String[] args) throws Exception {
    Map<String, String> opt = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("help")) {
        System.out.print(USAGE);
        return;
      }
      if (a.equals("--no-docs")) {
        opt.put("no-docs", "true");
      } else if (a.startsWith("--") && i + 1 < args.length) {
        opt.put(a.substring(2), args[++i]);
      } else {
        throw new IllegalArgumentException("unknown argument " + a + "\n" + USAGE);
      }
    }
    int records = Integer.parseInt(opt.getOrDefault("records", "1000000"));
    int warmup = Integer.parseInt(opt.getOrDefault("warmup", Integer.toString(Math.min(250_000, Math.max(1, records / 4)))));
    int freshRecords = Integer.parseInt(opt.getOrDefault("fresh-records", "100000"));
    int rounds = Integer.parseInt(opt.getOrDefault("rounds", "3"));
    List<String> modes = List.of(opt.getOrDefault("modes", "steady,fresh").split(","));
    List<Integer> sizes = Arrays.stream(opt.getOrDefault("sizes", "100,1024").split(",")).map(Integer::parseInt).toList();
    List<String> only = opt.containsKey("only") ? List.of(opt.get("only").split(",")) : List.of();
    Path repo = Path.of(opt.getOrDefault("repo", "..")).toAbsolutePath().normalize();
    Path moduleDir = repo.resolve("benchmarks-kpl");
    Path out = moduleDir.resolve("target/kpl-comparison");
    Files.createDirectories(out);
    for (String m : modes) {
      if (!m.equals("steady") && !m.equals("fresh")) {
        throw new IllegalArgumentException("--modes: steady and/or fresh, was " + m);
      }
    }

    List<Run> runs = new ArrayList<>();
    for (Setup s : Setup.values()) {
      for (String p : s.protocols()) {
        Run r = new Run(s, p);
        if (only.isEmpty() || only.stream().anyMatch(o -> o.equals(r.name()) || o.equals(s.id())
            || (o.startsWith("/") && r.name().endsWith(o)))) {
          runs.add(r);
        }
      }
    }
    if (runs.isEmpty()) {
      throw new IllegalArgumentException("--only " + only + " matches no setup");
    }
    Kinesalite.install(moduleDir);
    long clkTck = clockTicksPerSecond();
    System.err.printf(Locale.ROOT, "KPL comparison: %d setups x %s x %s, %d rounds; logs in %s%n", runs.size(), modes, sizes,
        rounds, out);

    // results[mode][size][run] = results of the rounds
    Map<String, List<RunResult>> results = new LinkedHashMap<>();
    Map<String, List<Double>> loadBefore = new LinkedHashMap<>();
    Map<String, List<Double>> loadAfter = new LinkedHashMap<>();
    Map<String, Integer> missing = new LinkedHashMap<>();
    Instant started = Instant.now();
    int seq = 0;
    try (PrintWriter csv = new PrintWriter(Files.newBufferedWriter(out.resolve("runs.csv"), StandardCharsets.UTF_8))) {
      csv.println("mode,bytes,setup,protocol,round,records,acknowledged,failed,seconds,records_per_s,cpu_s,cpu_s_per_1M,"
          + "load_before,load_after,server_cpu_s_whole_run");
      for (String mode : modes) {
        for (int size : sizes) {
          int n = mode.equals("steady") ? records : (size >= 1024 ? freshRecords / 2 : freshRecords);
          int w = mode.equals("steady") ? warmup : 0;
          for (int round = 1; round <= rounds; round++) {
            List<Run> order = new ArrayList<>(runs);
            if (round % 2 == 0) {
              Collections.reverse(order);
            }
            for (Run run : order) {
              String key = mode + "|" + size + "|" + run.name();
              double before = ProcStat.loadAverage();
              seq++;
              Path log = out.resolve(String.format(Locale.ROOT, "%03d-%s-%s-%d-%s.log", seq, mode, run.setup().id(), size,
                  run.protocol()));
              long serverTicks = -1;
              Optional<RunResult> r;
              try (Kinesalite server = Kinesalite.start(moduleDir, run.protocol().equals("https"), log)) {
                String stream = "bench";
                server.createStream(stream, SHARDS);
                ProcStat.Times s0 = ProcStat.read(server.pid()).orElseThrow();
                r = child(run, server.endpoint().toString(), stream, size, n, w, clkTck, log, moduleDir);
                serverTicks = ProcStat.read(server.pid()).map(t -> t.own() - s0.own()).orElse(-1L);
              } catch (IOException | RuntimeException e) {
                System.err.println("run " + key + " failed: " + e);
                StringWriter trace = new StringWriter();
                e.printStackTrace(new PrintWriter(trace));
                Files.writeString(log, "harness: " + trace + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
                r = Optional.empty();
              }
              double after = ProcStat.loadAverage();
              loadBefore.computeIfAbsent(key, k -> new ArrayList<>()).add(before);
              loadAfter.computeIfAbsent(key, k -> new ArrayList<>()).add(after);
              results.computeIfAbsent(key, k -> new ArrayList<>());
              if (r.isEmpty()) {
                missing.merge(key, 1, Integer::sum);
                System.err.printf(Locale.ROOT, "%-8s %5d B %-26s round %d: NO RESULT (log %s)%n", mode, size, run.name(),
                    round, log);
                continue;
              }
              RunResult x = r.get();
              results.get(key).add(x);
              double serverCpu = serverTicks < 0 ? Double.NaN : (double) serverTicks / clkTck;
              csv.printf(Locale.ROOT, "%s,%d,%s,%s,%d,%d,%d,%d,%.3f,%.0f,%.3f,%.2f,%.2f,%.2f,%.3f%n", mode, size,
                  run.setup().id(), run.protocol(), round, x.records(), x.acknowledged(), x.failed(), x.seconds(),
                  x.recordsPerSecond(), x.cpuSeconds(), x.cpuSecondsPerMillion(), before, after, serverCpu);
              csv.flush();
              System.err.printf(Locale.ROOT,
                  "%-6s %5d B %-26s round %d: %,9.0f records/s  %6.1f CPU-s/1M  failed %d  load %.1f -> %.1f  (server %.1f CPU-s)%n",
                  mode, size, run.name(), round, x.recordsPerSecond(), x.cpuSecondsPerMillion(), x.failed(), before, after,
                  serverCpu);
            }
          }
        }
      }
    }

    List<Report.Cell> cells = new ArrayList<>();
    for (String mode : modes) {
      for (Run run : runs) {
        for (int size : sizes) {
          String key = mode + "|" + size + "|" + run.name();
          List<RunResult> rs = results.getOrDefault(key, List.of());
          cells.add(new Report.Cell(run.setup().label(), run.protocol(), mode, size,
              Stats.median(rs.stream().map(RunResult::recordsPerSecond).toList()),
              Stats.median(rs.stream().map(RunResult::cpuSecondsPerMillion).toList()),
              rs.stream().mapToLong(RunResult::failed).sum(), rs.size(), missing.getOrDefault(key, 0),
              Stats.median(loadBefore.getOrDefault(key, List.of())), Stats.median(loadAfter.getOrDefault(key, List.of()))));
        }
      }
    }
    Map<String, String> tableTitles = new LinkedHashMap<>();
    Map<String, String> chartTitles = new LinkedHashMap<>();
    tableTitles.put("steady", String.format(Locale.ROOT,
        "**Steady state**: %,d records per measured run, after %,d warm-up records through the same producer in the same "
            + "JVM; medians of %d runs.", records, warmup, rounds));
    chartTitles.put("steady", "steady state");
    tableTitles.put("fresh", String.format(Locale.ROOT,
        "**Fresh JVM**: each run in a JVM of its own, %,d records of 100 B or %,d of 1 KB, producer start-up included; "
            + "medians of %d runs.", freshRecords, freshRecords / 2, rounds));
    chartTitles.put("fresh", "fresh JVM");
    tableTitles.keySet().retainAll(modes);
    chartTitles.keySet().retainAll(modes);

    String generated = String.format(Locale.ROOT,
        "Generated by KplComparison on %s (%s; %d CPUs; %s %s); %d shards; took %d min. Arguments: `%s`.%n%n",
        Instant.now().truncatedTo(ChronoUnit.MINUTES), cpuModel(), Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name"), System.getProperty("java.version"), SHARDS,
        java.time.Duration.between(started, Instant.now()).toMinutes(), String.join(" ", args).replaceAll("--repo \\S+ ?", "").trim());
    String table = generated + Report.markdown(cells, tableTitles)
        + "![records/s and CPU per million records, by producer](benchmarks-kpl.svg)\n";
    System.out.println(table);
    Files.writeString(out.resolve("table.md"), table);
    String svg = Report.svg(cells, chartTitles);
    Files.writeString(out.resolve("benchmarks-kpl.svg"), svg);
    if (!opt.containsKey("no-docs")) {
      Path page = repo.resolve("docs/benchmarks.md");
      Files.writeString(page, Report.replaceBetweenMarkers(Files.readString(page), table));
      Files.writeString(repo.resolve("docs/benchmarks-kpl.svg"), svg);
      System.err.println("wrote " + page + " and docs/benchmarks-kpl.svg");
    }
  }

  /** Runs one child JVM; its standard error goes to the log. */
  private static Optional<RunResult> child(Run run, String endpoint, String stream, int size, int records, int warmup,
      long clkTck, Path log, Path moduleDir) throws IOException {
    Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> cmd = List.of(javaBin.toString(), "-Daws.cborEnabled=false", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
        "-cp", System.getProperty("java.class.path"), KplBenchRunner.class.getName(), run.setup().id(), endpoint, stream,
        Integer.toString(size), Integer.toString(records), Integer.toString(warmup), Long.toString(clkTck));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(moduleDir.toFile())
        .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().put("CBOR_ENABLED", "false");
    pb.environment().put("AWS_CBOR_DISABLE", "true");
    Process p = pb.start();
    @Nullable RunResult result = null;
    long timeoutSeconds = 60 + (records + warmup) / 1000L;
    Thread killer = new Thread(() -> {
      try {
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
          System.err.println("run " + run.name() + " timed out after " + timeoutSeconds + " s (thread dump in its log)");
          new ProcessBuilder("kill", "-QUIT", Long.toString(p.pid())).start().waitFor();
          Thread.sleep(2000);
          p.descendants().forEach(ProcessHandle::destroyForcibly);
          p.destroyForcibly();
        }
      } catch (IOException e) {
        p.destroyForcibly();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    killer.setDaemon(true);
    killer.start();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        if (line.startsWith(RunResult.PREFIX)) {
          result = RunResult.parse(line);
        } else {
          Files.writeString(log, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        }
      }
    }
    try {
      p.waitFor();
      killer.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return Optional.ofNullable(result);
  }

  private static long clockTicksPerSecond() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
      p.waitFor();
      return Long.parseLong(s);
    } catch (IOException | NumberFormatException e) {
      return 100;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 100;
    }
  }

  private static String cpuModel() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown CPU");
    } catch (IOException e) {
      return "unknown CPU";
    }
  }
}
