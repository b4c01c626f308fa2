package dev.kinesisresilient.core.internal;

import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Congestion episodes seen by all writers and producers that share one client (one endpoint): when a
 * request of any of them shows congestion, every {@link CongestionWindow} attached here halves its
 * bound when it next looks, not only the one whose request it was. Each episode is counted once: a
 * signal from a request sent before the last episode began is ignored. Growth stays per window.
 *
 * <p>Thread-safe (one atomic counter). Instances are kept per client instance, weakly: a client that is
 * no longer referenced takes its entry with it.
 */
public final class EndpointCongestion {
  private static final Map<Object, EndpointCongestion> BY_CLIENT = new WeakHashMap<>();

  private final AtomicLong episodes = new AtomicLong();

  /** A standalone instance (tests, or a window that shares with nobody). */
  public EndpointCongestion() {}

  /**
   * The instance shared by every user of this client.
   *
   * @param client the client (its identity keys the instance)
   * @return the shared instance
   */
  public static EndpointCongestion of(Object client) {
    synchronized (BY_CLIENT) {
      return BY_CLIENT.computeIfAbsent(client, c -> new EndpointCongestion());
    }
  }

  /**
   * The number of episodes so far: record it with each request when it is sent.
   *
   * @return the episode count
   */
  public long episodes() {
    return episodes.get();
  }

  /**
   * A request sent when {@code episodes()} was {@code sentAt} showed congestion: a new episode unless
   * one began since it was sent.
   *
   * @param sentAt {@link #episodes()} when the request was sent
   * @return whether this began a new episode
   */
  public boolean onCongestion(long sentAt) {
    return episodes.compareAndSet(sentAt, sentAt + 1);
  }
}
