package dev.kinesisresilient.producer.internal;

import java.time.Instant;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The sender loop's inbox: client callbacks (PutRecords, ListShards, DescribeStreamSummary answers)
 * never touch the loop's state, they post a task here, and the loop runs it on the sender thread at
 * its next pass. This is the one way events travel back up to the loop. {@link #post} and {@link
 * #onSenderThread} are for any thread; the rest is sender thread only.
 */
final class Inbox {
  private final ConcurrentLinkedQueue<Consumer<Instant>> tasks = new ConcurrentLinkedQueue<>();
  private final RecordAccumulator accumulator;
  private volatile @Nullable Thread thread;

  Inbox(RecordAccumulator accumulator) {
    this.accumulator = accumulator;
  }

  void bindThread(Thread t) {
    this.thread = t;
  }

  /** Whether the caller is the sender thread (a completion callback or the failure handler). */
  boolean onSenderThread() {
    return Thread.currentThread() == thread;
  }

  /** Hands a task to the sender thread, waking it unless the caller is that thread. Any thread. */
  void post(Consumer<Instant> task) {
    tasks.add(task);
    if (Thread.currentThread() != thread) {
      accumulator.wakeSender();
    }
  }

  /** Runs every task posted so far, and those they post, with {@code now}. */
  void runAll(Instant now) {
    Consumer<Instant> task;
    while ((task = tasks.poll()) != null) {
      task.accept(now);
    }
  }

  boolean isEmpty() {
    return tasks.isEmpty();
  }
}
