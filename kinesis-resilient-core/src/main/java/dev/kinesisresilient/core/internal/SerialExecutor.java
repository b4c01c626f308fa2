package dev.kinesisresilient.core.internal;

import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs submitted tasks one at a time, in submission order, on the thread that submits while no
 * other thread is draining (a trampoline). State touched only by these tasks needs no lock, and a
 * task that submits another (e.g. a synchronous client completing inside a send) never recurses.
 * A task that throws is logged and the drain goes on.
 */
final class SerialExecutor implements Executor {
  private static final Logger LOG = LoggerFactory.getLogger(SerialExecutor.class);

  private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final AtomicInteger pending = new AtomicInteger();

  @Override
  public void execute(Runnable task) {
    tasks.add(Objects.requireNonNull(task, "task"));
    if (pending.getAndIncrement() != 0) {
      return;
    }
    do {
      Runnable next = tasks.poll();
      try {
        next.run();
      } catch (RuntimeException | Error e) {
        LOG.error("internal task failed; continuing", e);
      }
    } while (pending.decrementAndGet() != 0);
  }
}
