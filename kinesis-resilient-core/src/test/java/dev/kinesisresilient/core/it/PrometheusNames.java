package dev.kinesisresilient.core.it;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.prometheusmetrics.PrometheusNamingConvention;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Renders meter names as Micrometer's Prometheus registry does and finds names that repeat their unit,
 * such as {@code ..._records_rejected_records_total} or {@code ..._early_stops_batches_total}. Shared
 * with the other modules' tests through core's test-jar.
 */
public final class PrometheusNames {
  private static final PrometheusNamingConvention CONVENTION = new PrometheusNamingConvention();
  /** Units of measure that Prometheus appends as a suffix by convention ({@code _bytes_total}). */
  private static final Set<String> MEASURES = Set.of(BaseUnits.BYTES, "seconds", "milliseconds");

  private PrometheusNames() {}

  /**
   * The Prometheus name of a meter, as the naming convention gives it (the Prometheus client adds
   * {@code _total} to counters when it writes them out).
   *
   * @param id the meter's id
   * @return for example {@code kinesis_resilient_records_acknowledged}
   */
  public static String of(Meter.Id id) {
    // The client replaces what the convention leaves that Prometheus names cannot hold (the dots of a
    // unit such as records.per.second) with underscores.
    return CONVENTION.name(id.getName(), id.getType(), id.getBaseUnit()).replaceAll("[^a-zA-Z0-9_:]", "_");
  }

  /**
   * The meters of {@code registry} whose Prometheus name repeats its unit: a word appears twice
   * (singular and plural count as one), or a counter's count unit (anything but bytes or a time unit) is
   * appended after another noun instead of being the name's last word.
   *
   * @param registry the registry
   * @return one line per offending meter: its name, unit and Prometheus name
   */
  public static List<String> repeatingUnits(MeterRegistry registry) {
    List<String> bad = new ArrayList<>();
    for (Meter m : registry.getMeters()) {
      Meter.Id id = m.getId();
      String prom = of(id);
      Set<String> seen = new HashSet<>();
      boolean repeated = false;
      for (String token : prom.split("_")) {
        String t = token.toLowerCase(Locale.ROOT);
        if (t.endsWith("s")) {
          t = t.substring(0, t.length() - 1);
        }
        if (!t.isEmpty() && !seen.add(t)) {
          repeated = true;
        }
      }
      String unit = id.getBaseUnit();
      if (id.getType() == Meter.Type.COUNTER && unit != null && !MEASURES.contains(unit)
          && !id.getName().endsWith("." + unit)) {
        repeated = true;
      }
      if (repeated) {
        bad.add(id.getName() + " [" + unit + "] -> " + prom);
      }
    }
    return bad;
  }
}
