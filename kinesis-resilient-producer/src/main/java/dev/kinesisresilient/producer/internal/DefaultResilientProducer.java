package dev.kinesisresilient.producer.internal;

import dev.kinesisresilient.core.HashKeys;
import dev.kinesisresilient.core.KinesisRecord;
import dev.kinesisresilient.core.RecordResult;
import dev.kinesisresilient.core.RecordTooLargeException;
import dev.kinesisresilient.producer.BufferFullException;
import dev.kinesisresilient.producer.ProducerStats;
import dev.kinesisresilient.producer.ResilientProducer;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/**
 * The {@link ResilientProducer}: the application-facing half (validation, the accumulator, stats,
 * close) in front of one {@link Sender} on its own daemon thread. Public only for {@link #start}, the
 * one entry point of the API package into this one.
 */
public final class DefaultResilientProducer implements ResilientProducer {
  private static final Logger LOG = LoggerFactory.getLogger(DefaultResilientProducer.class);
  private static final Duration CLOSE_GRACE = Duration.ofSeconds(10);

  private final ProducerSettings settings;
  private final ProducerCounters counters = new ProducerCounters();
  private final RecordAccumulator accumulator;
  private final ProducerMetrics metrics;
  /** {@code metrics::blocked}, made once: a method reference in {@code append} allocated per record. */
  private final RecordAccumulator.BlockedTimeRecorder blockedRecorder;
  private final Sender sender;
  private final String logPrefix;
  private final AtomicBoolean closeStarted = new AtomicBoolean();
  private final CountDownLatch terminated = new CountDownLatch(1);
  private final AtomicBoolean released = new AtomicBoolean();
  private volatile @Nullable Thread thread;

  DefaultResilientProducer(ProducerSettings settings, KinesisAsyncClient client) {
    this.settings = settings;
    this.logPrefix = "[producer clientId=" + settings.clientId() + ", stream=" + settings.stream() + "] ";
    this.accumulator = new RecordAccumulator(settings.maxBufferedBytes(), settings.limits().maxRecordsPerRequest(),
        settings.limits().maxRequestBytes(), settings.lingerTime(), counters.sent);
    this.metrics = new ProducerMetrics(settings.metrics(), settings.stream(), this);
    this.blockedRecorder = metrics::blocked;
    this.sender = new Sender(settings, client, accumulator, metrics, counters, logPrefix);
  }

  /**
   * Creates a producer and starts its sender thread (for {@link
   * dev.kinesisresilient.producer.ResilientProducerBuilder#build}).
   *
   * @param settings the validated settings
   * @param client the client, owned by the caller
   * @return the running producer
   */
  public static ResilientProducer start(ProducerSettings settings, KinesisAsyncClient client) {
    DefaultResilientProducer p = new DefaultResilientProducer(settings, client);
    p.start();
    return p;
  }

  /** Starts the sender thread and logs the settings. */
  void start() {
    Thread t = new Thread(this::runSender, "kinesis-resilient-sender-" + settings.clientId());
    t.setDaemon(true);
    sender.bindThread(t);
    thread = t;
    try {
      t.start();
    } catch (RuntimeException | Error e) {
      release();
      throw e;
    }
    LOG.info("{}started with {}", logPrefix, settings);
  }

  private void runSender() {
    try {
      sender.run();
    } finally {
      release();
    }
  }

  /** Releases what the producer owns (its meters) once the sender has stopped. */
  void release() {
    if (released.compareAndSet(false, true)) {
      metrics.close();
      terminated.countDown();
      LOG.info("{}closed: {}", logPrefix, stats());
    }
  }

  Sender sender() {
    return sender;
  }

  RecordAccumulator accumulator() {
    return accumulator;
  }

  @Override
  public CompletableFuture<RecordResult> send(KinesisRecord record) {
    if (!sender.onSenderThread()) {
      PendingRecord p = append(record, settings.maxBlockTime().toNanos(), true);
      return Objects.requireNonNull(p).future;
    }
    // A callback or the failure handler sending on the sender thread: only this thread frees buffer
    // space, so waiting for space here would stop the producer until maxBlockTime (every other sender
    // waits too). Fail at once instead, as Kafka does for sends from its callbacks.
    try {
      PendingRecord p = append(record, 0, true);
      return Objects.requireNonNull(p).future;
    } catch (BufferFullException e) {
      throw new BufferFullException("send() was called on the producer's sender thread ("
          + Thread.currentThread().getName() + ", from a completion callback or the failure handler) while the "
          + "buffer is full; it fails at once instead of waiting, because only this thread frees buffer space. "
          + "Send from another thread (attach callbacks with the *Async variants or set callbackExecutor) or "
          + "use trySend. " + e.getMessage());
    }
  }

  @Override
  public Optional<CompletableFuture<RecordResult>> trySend(KinesisRecord record) {
    PendingRecord p = append(record, 0, false);
    return p == null ? Optional.empty() : Optional.of(p.future);
  }

  private @Nullable PendingRecord append(KinesisRecord record, long maxBlockNanos, boolean failWhenFull) {
    Objects.requireNonNull(record, "record");
    long size = record.sizeBytes();
    long maxRecordBytes = settings.limits().maxRecordBytes();
    if (size > maxRecordBytes) {
      throw new RecordTooLargeException(size, maxRecordBytes);
    }
    if (closeStarted.get()) {
      throw new IllegalStateException(logPrefix + "producer is closed; send is not allowed");
    }
    BigInteger hashKey = HashKeys.of(record);
    try {
      PendingRecord p = accumulator.append(record, size, hashKey, settings.clock(), settings.deliveryTimeout(),
          maxBlockNanos, failWhenFull, blockedRecorder);
      if (p == null) {
        metrics.rejectedBufferFull();
      }
      return p;
    } catch (BufferFullException e) {
      metrics.rejectedBufferFull();
      throw e;
    }
  }

  @Override
  public CompletableFuture<Void> flush() {
    if (stats().pending() == 0) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> done = accumulator.flush();
    if (sender.onSenderThread()) {
      // The records are made ready all the same; but only the sender thread completes them, so a callback
      // that waited for this future would wait for itself (Kafka refuses flush() in a callback likewise).
      return CompletableFuture.failedFuture(new IllegalStateException("flush() called on the producer's "
          + "sender thread (a completion callback or the failure handler): the buffered records are made "
          + "ready to send, but waiting for them here would deadlock the producer, whose sender thread is the "
          + "only one that completes them; wait for the flush from another thread, or register callbacks "
          + "with the *Async methods and an executor"));
    }
    return done.copy();
  }

  @Override
  public ProducerStats stats() {
    return counters.snapshot(accumulator.usedBytes(), sender.inFlightRequests());
  }

  @Override
  public String clientId() {
    return settings.clientId();
  }

  @Override
  public void close() {
    close(settings.deliveryTimeout());
  }

  @Override
  public void close(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must not be negative, was " + timeout);
    }
    if (closeStarted.compareAndSet(false, true)) {
      LOG.info("{}closing: draining for up to {}", logPrefix, timeout);
    }
    sender.requestClose(settings.clock().instant().plus(timeout));
    accumulator.close();
    Thread t = thread;
    if (t == null || Thread.currentThread() == t) {
      return;
    }
    try {
      if (!terminated.await(timeout.plus(CLOSE_GRACE).toNanos(), TimeUnit.NANOSECONDS)) {
        LOG.error("{}sender did not stop within {} after the close timeout", logPrefix, CLOSE_GRACE);
      } else {
        // The sender has released everything; let its thread finish so close() returns with it gone.
        t.join(CLOSE_GRACE.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      LOG.warn("{}interrupted while waiting for close; the sender keeps draining in the background", logPrefix);
    }
  }

  /** Starts a close without waiting; for tests that drive the sender by hand. */
  void beginClose(Duration timeout) {
    closeStarted.set(true);
    sender.requestClose(settings.clock().instant().plus(timeout));
    accumulator.close();
  }

  // ---- gauge sources (held strongly by the producer, weakly by the registry) ----

  double bufferedBytes() {
    return accumulator.usedBytes();
  }

  double maxBufferedBytes() {
    return accumulator.maxBytes();
  }

  double pendingRecords() {
    return stats().pending();
  }

  int inFlightRequests() {
    return sender.inFlightRequests();
  }

  boolean aggregationConfigured() {
    return settings.aggregation();
  }

  double aggregationActive() {
    Sender current = sender;
    return current != null && current.aggregating() ? 1 : 0;
  }

  @Override
  public String toString() {
    return settings.toString();
  }
}
