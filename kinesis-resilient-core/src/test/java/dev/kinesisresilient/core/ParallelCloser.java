package dev.kinesisresilient.core;

import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * Closes SDK clients at the end of a test class, all at once. Closing a Netty-based client blocks for
 * about 2 s (its event loop's quiet period), so closing each one inside its test would add 2 s per test.
 */
final class ParallelCloser {
  private final List<SdkAutoCloseable> open = new ArrayList<>();

  synchronized <T extends SdkAutoCloseable> T track(T closeable) {
    open.add(closeable);
    return closeable;
  }

  synchronized void closeAll() throws InterruptedException {
    List<Thread> closers = new ArrayList<>();
    for (SdkAutoCloseable c : open) {
      Thread t = new Thread(c::close, "test-client-closer");
      t.start();
      closers.add(t);
    }
    for (Thread t : closers) {
      t.join();
    }
    open.clear();
  }
}
