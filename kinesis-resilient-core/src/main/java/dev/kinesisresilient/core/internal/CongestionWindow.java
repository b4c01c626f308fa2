package dev.kinesisresilient.core.internal;

import java.util.Set;

/**
 * An AIMD limit on the PutRecords requests one writer or producer keeps in flight, as TCP's congestion
 * window: it starts at the configured maximum, is halved when a request shows congestion (an attempt
 * timeout, a 5xx, a connection error; see {@link #isCongestion}), never below 1, and grows back by one
 * request per window's worth of successful requests, never above the maximum.
 *
 * <p>One congestion episode is counted once: each request takes the window's {@linkplain #epoch()
 * epoch} when it is sent, and a signal from a request sent before the last decrease is ignored (the
 * decrease already answered it). A request keeps its slot until {@link #release()}: a caller that gives
 * up on a request the service may still be working on keeps the slot accounted until the service has
 * answered or a bound has passed, so that giving up never makes room for more work on a server that is
 * already behind.
 *
 * <p>Windows of writers and producers that share a client share its {@link EndpointCongestion}: an
 * episode seen by any of them halves each of them (once, when it next looks at its window).
 *
 * <p>With {@code adaptive} false the window stays at its maximum (a fixed in-flight bound).
 *
 * <p>Not thread-safe: confine to one thread (the producer's sender thread) or to the tasks of one
 * serial executor (the writer).
 */
public final class CongestionWindow {
  /** The factor applied to the window on congestion. */
  public static final double DECREASE = 0.5;

  private static final Set<String> CONGESTION_CODES = Set.of(DefaultErrorClassifier.ATTEMPT_TIMEOUT,
      DefaultErrorClassifier.CALL_TIMEOUT, DefaultErrorClassifier.IO_ERROR, DefaultErrorClassifier.SERVER_ERROR,
      "InternalFailure", "ServiceUnavailable");
  private static final Set<String> TIMEOUT_CODES = Set.of(DefaultErrorClassifier.ATTEMPT_TIMEOUT,
      DefaultErrorClassifier.CALL_TIMEOUT);

  private final int max;
  private final boolean adaptive;
  private double window;
  private int inFlight;
  private long epoch;
  private long decreases;
  private int successes;
  private final EndpointCongestion endpoint;
  private long endpointSeen;

  /**
   * A window at its maximum.
   *
   * @param max the most requests in flight, at least 1
   * @param adaptive whether congestion shrinks it
   */
  public CongestionWindow(int max, boolean adaptive) {
    this(max, adaptive, new EndpointCongestion());
  }

  /**
   * A window at its maximum that shares congestion episodes with the other windows of an endpoint.
   *
   * @param max the most requests in flight, at least 1
   * @param adaptive whether congestion shrinks it
   * @param endpoint the episodes of the endpoint (see {@link EndpointCongestion#of})
   */
  public CongestionWindow(int max, boolean adaptive, EndpointCongestion endpoint) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be at least 1, was " + max);
    }
    this.max = max;
    this.adaptive = adaptive;
    this.window = max;
    this.endpoint = endpoint;
    this.endpointSeen = endpoint.episodes();
  }

  /** Applies episodes that other windows of the endpoint began since this one last looked (once). */
  private void catchUp() {
    long e = endpoint.episodes();
    if (e != endpointSeen) {
      endpointSeen = e;
      if (adaptive) {
        decrease();
      }
    }
  }

  private void decrease() {
    epoch++;
    decreases++;
    window = Math.max(1.0, window * DECREASE);
    successes = 0;
  }

  /**
   * Whether a request-level failure with this metric code is a sign of congestion: an attempt or call
   * timeout, an IO error, a 5xx (InternalFailure, ServiceUnavailable, other 5xx). Throttling is not: the
   * per-shard rate limits answer it.
   *
   * @param metricCode the classified metric code of the failure
   * @return true for congestion
   */
  public static boolean isCongestion(String metricCode) {
    return CONGESTION_CODES.contains(metricCode);
  }

  /**
   * Whether a request-level failure with this metric code is a timeout: the service may still be
   * working on the request.
   *
   * @param metricCode the classified metric code of the failure
   * @return true for an attempt or call timeout
   */
  public static boolean isTimeout(String metricCode) {
    return TIMEOUT_CODES.contains(metricCode);
  }

  /**
   * Whether another request may be sent now.
   *
   * @return true when fewer requests than the window are in flight
   */
  public boolean hasRoom() {
    catchUp();
    return inFlight < limit();
  }

  /**
   * Takes a slot if there is room.
   *
   * @return whether a slot was taken
   */
  public boolean tryAcquire() {
    if (!hasRoom()) {
      return false;
    }
    inFlight++;
    return true;
  }

  /** Takes a slot even if the window is full (a request the caller must send anyway). */
  public void acquire() {
    inFlight++;
  }

  /** Gives a slot back: the request was answered, or the caller stopped accounting for it. */
  public void release() {
    if (inFlight > 0) {
      inFlight--;
    }
  }

  /**
   * The ticket to record with a request sent now: this window's decreases so far (high 32 bits) and
   * the endpoint's episodes so far (low 32 bits).
   *
   * @return the ticket
   */
  public long epoch() {
    return (epoch << 32) | (endpoint.episodes() & 0xFFFF_FFFFL);
  }

  /**
   * A request sent at {@code sentEpoch} showed congestion: halve the window, unless this episode was
   * already answered.
   *
   * @param sentEpoch the request's {@link #epoch()} when it was sent
   * @return whether the window was decreased
   */
  public boolean onCongestion(long sentEpoch) {
    if (!adaptive) {
      return false;
    }
    catchUp();
    long sentEndpoint = sentEpoch & 0xFFFF_FFFFL;
    if (endpoint.onCongestion(sentEndpoint)) {
      endpointSeen = sentEndpoint + 1;
    }
    if ((sentEpoch >>> 32) < epoch) {
      return false; // this episode (or a later one) was already answered here
    }
    decrease();
    return true;
  }

  /** A request succeeded: after a window's worth of successes (limit() of them), grow by one request. */
  public void onSuccess() {
    if (adaptive && window < max && ++successes >= limit()) {
      successes = 0;
      window = Math.min(max, window + 1);
    }
  }

  /**
   * The current limit on requests in flight.
   *
   * @return 1..max
   */
  public int limit() {
    catchUp();
    return (int) Math.floor(window);
  }

  /**
   * Requests counted in flight now, including those given up on whose slot is still held.
   *
   * @return the count
   */
  public int inFlight() {
    return inFlight;
  }

  /**
   * How often the window was decreased.
   *
   * @return the number of decreases
   */
  public long decreases() {
    return decreases;
  }

  /**
   * The configured maximum.
   *
   * @return the maximum
   */
  public int max() {
    return max;
  }

  @Override
  public String toString() {
    return "CongestionWindow[limit=" + limit() + "/" + max + ", inFlight=" + inFlight + (adaptive ? "" : ", fixed")
        + "]";
  }
}
