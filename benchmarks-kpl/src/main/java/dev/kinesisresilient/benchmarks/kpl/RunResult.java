package dev.kinesisresilient.benchmarks.kpl;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One measured run, as a child JVM reports it on a line of its standard output
 * ({@code RESULT key=value ...}).
 *
 * @param records records offered in the measured part
 * @param acknowledged records acknowledged in it
 * @param failed records failed in it
 * @param seconds wall time of the measured part
 * @param cpuTicks CPU ticks of the JVM and its descendants in the measured part
 * @param clockTicksPerSecond {@code getconf CLK_TCK}
 */
record RunResult(long records, long acknowledged, long failed, double seconds, long cpuTicks, long clockTicksPerSecond) {
  static final String PREFIX = "RESULT ";

  double recordsPerSecond() {
    return acknowledged / seconds;
  }

  double cpuSeconds() {
    return (double) cpuTicks / clockTicksPerSecond;
  }

  /** CPU-seconds per million offered records. */
  double cpuSecondsPerMillion() {
    return cpuSeconds() / records * 1_000_000;
  }

  String toLine() {
    return String.format(Locale.ROOT, "%srecords=%d acknowledged=%d failed=%d seconds=%.6f cpuTicks=%d clkTck=%d", PREFIX,
        records, acknowledged, failed, seconds, cpuTicks, clockTicksPerSecond);
  }

  /**
   * Parses a line written by {@link #toLine()}.
   *
   * @param line the line
   * @return the result
   * @throws IllegalArgumentException when the line is not a result line
   */
  static RunResult parse(String line) {
    if (!line.startsWith(PREFIX)) {
      throw new IllegalArgumentException("not a result line: " + line);
    }
    Map<String, String> kv = new LinkedHashMap<>();
    for (String part : line.substring(PREFIX.length()).trim().split("\\s+")) {
      int eq = part.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("not a result line (" + part + "): " + line);
      }
      kv.put(part.substring(0, eq), part.substring(eq + 1));
    }
    try {
      return new RunResult(Long.parseLong(kv.get("records")), Long.parseLong(kv.get("acknowledged")),
          Long.parseLong(kv.get("failed")), Double.parseDouble(kv.get("seconds")), Long.parseLong(kv.get("cpuTicks")),
          Long.parseLong(kv.get("clkTck")));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a result line: " + line, e);
    }
  }
}
