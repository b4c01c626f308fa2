package dev.kinesisresilient.producer.internal;

import dev.kinesisresilient.core.internal.LatencyEstimator;
import java.time.Duration;
import java.time.Instant;

/**
 * How long answers take now, and so which records are too late to send: a record whose deadline
 * passes before an answer to a request sent now can be expected is failed {@code DEADLINE_EXCEEDED} instead of
 * sent. Sender thread only.
 */
final class SendMargin {
  private final LatencyEstimator latency = new LatencyEstimator();
  /**
   * The most time left that can make a record too late to send: twice the attempt timeout (no answer
   * is waited for longer) and half of what a record has left when its linger ends, so that a record
   * sent on time always goes whatever the estimate (no starvation when answers were once very slow).
   */
  private final Duration maxMargin;
  /** The time left below which a record is not sent now (the latency estimate, capped). */
  private Duration margin = Duration.ZERO;
  /** Records whose deadline is at or before this are not sent: they would expire in flight. */
  private Instant cutoff = Instant.MIN;

  SendMargin(ProducerSettings settings) {
    Duration twice = settings.attemptTimeout().multipliedBy(2);
    Duration half = settings.deliveryTimeout().minus(settings.lingerTime()).dividedBy(2);
    this.maxMargin = twice.compareTo(half) < 0 ? twice : half;
  }

  /** Records how long an answered request took. */
  void sample(Duration elapsed) {
    latency.sample(elapsed);
  }

  /** Sets the margin and cutoff for the requests about to be assembled at {@code now}. */
  void update(Instant now) {
    Duration estimate = latency.estimate();
    margin = estimate.compareTo(maxMargin) < 0 ? estimate : maxMargin;
    cutoff = now.plus(margin);
  }

  /**
   * Whether a record is too late to send: its deadline passes before an answer to a request sent now
   * can be expected (the smoothed latency of recent answers plus one deviation, capped). Sending it
   * would spend the service's capacity on a record that expires in flight (and may be stored although
   * reported failed); it fails {@code DEADLINE_EXCEEDED} instead, never sent (again).
   */
  boolean tooLate(PendingRecord r) {
    return !cutoff.isBefore(r.deadline);
  }

  /** The margin of the last {@link #update}, for failure messages. */
  Duration margin() {
    return margin;
  }
}
