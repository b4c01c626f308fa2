package dev.kinesisresilient.core.internal;

import java.time.Duration;

/**
 * The smoothed time PutRecords requests take to be answered, as TCP estimates its round-trip time
 * (RFC 6298: a moving average and a moving mean deviation, gains 1/8 and 1/4). {@link #estimate()} is
 * the average plus one deviation: how long an answer to a request sent now can be expected to take.
 * Not thread-safe: confine to one thread.
 */
public final class LatencyEstimator {
  private long smoothedNanos = -1;
  private long deviationNanos;

  /** Creates an estimator with no sample yet. */
  public LatencyEstimator() {}

  /**
   * Adds the time one answered request took.
   *
   * @param latency from sending to the answer
   */
  public void sample(Duration latency) {
    long r = Math.max(0, latency.toNanos());
    if (smoothedNanos < 0) {
      smoothedNanos = r;
      deviationNanos = r / 2;
      return;
    }
    deviationNanos = deviationNanos - deviationNanos / 4 + Math.abs(smoothedNanos - r) / 4;
    smoothedNanos = smoothedNanos - smoothedNanos / 8 + r / 8;
  }

  /**
   * The expected time to an answer: the smoothed latency plus one mean deviation.
   *
   * @return zero before the first sample
   */
  public Duration estimate() {
    return smoothedNanos < 0 ? Duration.ZERO : Duration.ofNanos(smoothedNanos + deviationNanos);
  }

  @Override
  public String toString() {
    return "LatencyEstimator[" + estimate() + "]";
  }
}
