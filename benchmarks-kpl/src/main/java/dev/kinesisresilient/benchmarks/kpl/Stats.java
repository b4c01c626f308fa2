package dev.kinesisresilient.benchmarks.kpl;

import java.util.Arrays;
import java.util.Collection;

/** Medians. */
final class Stats {
  private Stats() {}

  /**
   * The median; for an even count the mean of the two middle values. NaN values are left out.
   *
   * @param values the values
   * @return the median, or NaN when there is no value
   */
  static double median(Collection<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).filter(d -> !Double.isNaN(d)).toArray();
    if (v.length == 0) {
      return Double.NaN;
    }
    Arrays.sort(v);
    int mid = v.length / 2;
    return v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  }
}
