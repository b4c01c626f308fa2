package dev.kinesisresilient.lambda;

import java.time.Duration;

/**
 * Waits between in-process retries. The Lambda module is synchronous by design and may block, but
 * only within the invocation's deadline. Inject a sleeper that moves a manual clock in unit tests.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface Sleeper {

  /**
   * Blocks for the given time.
   *
   * @param duration how long; never negative
   * @throws InterruptedException when the thread is interrupted while waiting
   */
  void sleep(Duration duration) throws InterruptedException;

  /**
   * The real sleeper: {@link Thread#sleep(long, int)}.
   *
   * @return a sleeper that blocks the calling thread
   */
  static Sleeper system() {
    return d -> {
      long nanos = d.toNanos();
      if (nanos > 0) {
        Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
      }
    };
  }
}
