package dev.kinesisresilient.benchmarks.kpl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * CPU time of processes from Linux's {@code /proc/<pid>/stat} (proc(5)), in clock ticks.
 *
 * <p>A process's own time is {@code utime + stime} (fields 14 and 15); {@code cutime + cstime} (16 and 17)
 * is the time of its children that have exited and been waited for. The second field, the command name,
 * is in parentheses and may itself contain spaces and parentheses, so fields are counted from the last
 * {@code ')'}.
 */
final class ProcStat {
  private ProcStat() {}

  /** The CPU fields of one stat line, in clock ticks. */
  record Times(long utime, long stime, long cutime, long cstime) {
    long own() {
      return utime + stime;
    }

    long children() {
      return cutime + cstime;
    }
  }

  /**
   * Parses one {@code /proc/<pid>/stat} line.
   *
   * @param line the file's content
   * @return its CPU fields
   * @throws IllegalArgumentException when the line is not a stat line
   */
  static Times parse(String line) {
    int close = line.lastIndexOf(')');
    if (close < 0 || line.indexOf('(') < 0) {
      throw new IllegalArgumentException("not a /proc/<pid>/stat line (no command name in parentheses): " + line);
    }
    String[] f = line.substring(close + 1).trim().split("\\s+");
    // f[0] is field 3 (state), so field n is f[n - 3].
    if (f.length < 15) {
      throw new IllegalArgumentException("not a /proc/<pid>/stat line (" + (f.length + 2) + " fields): " + line);
    }
    try {
      return new Times(Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13]), Long.parseLong(f[14]));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a /proc/<pid>/stat line (CPU fields not numbers): " + line, e);
    }
  }

  /**
   * Reads a process's stat file.
   *
   * @param pid the process, or {@code -1} for this one ({@code /proc/self})
   * @return its CPU fields, or empty when it has gone
   */
  static Optional<Times> read(long pid) {
    Path p = Path.of("/proc", pid < 0 ? "self" : Long.toString(pid), "stat");
    try {
      return Optional.of(parse(Files.readString(p)));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      // A process that exits while being read gives ESRCH on some kernels.
      if (pid >= 0 && !Files.exists(p)) {
        return Optional.empty();
      }
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A snapshot of this JVM's CPU time and that of each of its living descendants (the KPL's native
   * binary is one).
   *
   * @param self this process's fields
   * @param descendants own time ({@code utime + stime}) of each living descendant by pid
   */
  record Sample(Times self, Map<Long, Long> descendants) {
    Sample {
      descendants = Map.copyOf(descendants);
    }

    static Sample now() {
      Times self = read(-1).orElseThrow(() -> new IllegalStateException("/proc/self/stat is missing"));
      Map<Long, Long> d = new HashMap<>();
      ProcessHandle.current().descendants().forEach(h -> read(h.pid()).ifPresent(t -> d.put(h.pid(), t.own())));
      return new Sample(self, d);
    }
  }

  /**
   * CPU ticks spent between two samples by this process and all its descendants: its own time, plus its
   * children that exited and were waited for ({@code cutime + cstime}, their whole lives), plus the
   * living descendants' time since the first sample. A descendant seen at the start that has since
   * exited is in {@code cutime} with its whole life, so its time before the start is taken out.
   *
   * @param start the first sample
   * @param end the later sample
   * @return clock ticks
   */
  static long ticksBetween(Sample start, Sample end) {
    long ticks = end.self().own() - start.self().own() + end.self().children() - start.self().children();
    for (Map.Entry<Long, Long> e : end.descendants().entrySet()) {
      ticks += e.getValue() - start.descendants().getOrDefault(e.getKey(), 0L);
    }
    for (Map.Entry<Long, Long> e : start.descendants().entrySet()) {
      if (!end.descendants().containsKey(e.getKey())) {
        ticks -= e.getValue();
      }
    }
    return ticks;
  }

  /**
   * The 1-minute load average from a {@code /proc/loadavg} line.
   *
   * @param line the file's content, e.g. {@code 0.52 0.58 0.59 1/467 12345}
   * @return the first field
   */
  static double parseLoadAverage(String line) {
    String[] f = line.trim().split("\\s+");
    try {
      return Double.parseDouble(f[0]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a /proc/loadavg line: " + line, e);
    }
  }

  /**
   * The 1-minute load average now.
   *
   * @return the load, or NaN where {@code /proc/loadavg} cannot be read
   */
  static double loadAverage() {
    try {
      return parseLoadAverage(Files.readString(Path.of("/proc/loadavg")));
    } catch (IOException | IllegalArgumentException e) {
      return Double.NaN;
    }
  }
}
