package dev.kinesisresilient.producer;

import dev.kinesisresilient.core.KinesisRecord;
import dev.kinesisresilient.core.RecordResult;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/**
 * A long-lived, asynchronous producer for one Kinesis data stream: callers hand it records and get a
 * future of each record's {@link RecordResult}; it batches them into PutRecords requests, keeps every
 * shard under its write limits, retries only the entries that failed, and reports every record that
 * cannot be acknowledged within its {@code deliveryTimeout} as failed with a reason. Nothing is
 * dropped silently and memory is bounded by {@code maxBufferedBytes}.
 *
 * <p><b>Thread safety:</b> thread-safe; share one instance per stream across the application. Futures
 * complete, and the failure handler runs, on the producer's sender thread ({@code
 * kinesis-resilient-sender-<clientId>}) unless a callback executor is configured: dependent actions
 * attached with {@code thenApply}/{@code whenComplete} must be fast there, or use the {@code *Async}
 * variants. Only the sender thread frees buffer space, so a {@link #send} made on it (from a callback
 * or the failure handler) never waits for space: when the buffer is full it throws {@link
 * BufferFullException} at once, and the callback decides what to do with the record.
 *
 * <p><b>Lifecycle and ownership:</b> {@link #builder(KinesisAsyncClient)} starts the sender thread;
 * {@link #close(Duration)} stops intake, drains, and stops it. The {@link KinesisAsyncClient}, any
 * executor and the meter registry belong to the caller, who closes them after the producer.
 *
 * <pre>{@code
 * try (ResilientProducer producer = ResilientProducer.builder(client)
 *          .streamName("orders")
 *          .deliveryTimeout(Duration.ofSeconds(30))
 *          .failureHandler(f -> deadLetters.put(f.record(), f.reason()))
 *          .build()) {
 *   producer.send(KinesisRecord.of(orderId, json)).thenAccept(r -> ...);
 * }
 * }</pre>
 *
 * <p><b>How it fails:</b> misuse throws at the call (null or invalid record, closed producer, full
 * buffer after {@code maxBlockTime}, interruption); everything that goes wrong later completes the
 * record's future with {@link RecordResult.Failed} (never exceptionally) and calls the failure
 * handler once.
 *
 * @since 0.1.0
 */
public interface ResilientProducer extends AutoCloseable {

  /**
   * A builder for a producer writing through {@code client}.
   *
   * @param client the Kinesis client; owned by the caller, who closes it after the producer. Build it
   *     with {@code KinesisClientFactory} for short timeouts and no SDK retries.
   * @return a new builder with every option at its default
   * @throws NullPointerException when {@code client} is null
   */
  static ResilientProducerBuilder builder(KinesisAsyncClient client) {
    return new ResilientProducerBuilder(client);
  }

  /**
   * Appends a record to the buffer, blocking for at most {@code maxBlockTime} while the buffer is
   * full (callers are served in arrival order).
   *
   * <p>Called on the producer's sender thread (from a dependent action of a returned future or from
   * the failure handler, which run there unless a callback executor is set), it never blocks: the
   * sender thread is the one that frees buffer space, so waiting there would stop the producer and
   * every caller blocked in {@code send}. With a full buffer it throws {@link BufferFullException}
   * at once, with a message saying so; the record was not accepted.
   *
   * @param record the record; its size (data plus partition key) must be within {@code
   *     limits.maxRecordBytes}
   * @return a future of the record's result, completed exactly once: {@link RecordResult.Acknowledged}
   *     or {@link RecordResult.Failed}, never exceptionally. The producer keeps the record's state apart
   *     from this future and never reads it: completing or cancelling it changes only what its holder
   *     sees; the record is still sent, counted and completed once by the producer. It completes on
   *     the sender thread unless a callback executor is set: a dependent action that sends there gets
   *     {@link BufferFullException} at once when the buffer is full (see above).
   * @throws NullPointerException when {@code record} is null
   * @throws dev.kinesisresilient.core.RecordTooLargeException when the record is over {@code
   *     limits.maxRecordBytes}
   * @throws IllegalStateException when the producer is closing or closed
   * @throws BufferFullException when no buffer space came free within {@code maxBlockTime}; on the
   *     sender thread, at once when the buffer is full
   * @throws dev.kinesisresilient.core.KinesisResilientException when interrupted while waiting (the
   *     thread's interrupt flag is set again)
   */
  CompletableFuture<RecordResult> send(KinesisRecord record);

  /**
   * Appends a record if buffer space is free now; never blocks.
   *
   * @param record the record
   * @return the record's future as for {@link #send}, or empty when the buffer is full (or others are
   *     already waiting for space)
   * @throws NullPointerException when {@code record} is null
   * @throws dev.kinesisresilient.core.RecordTooLargeException when the record is over {@code
   *     limits.maxRecordBytes}
   * @throws IllegalStateException when the producer is closing or closed
   */
  Optional<CompletableFuture<RecordResult>> trySend(KinesisRecord record);

  /**
   * Makes every buffered record ready to send now, ignoring {@code lingerTime}, and returns a future
   * completed when every record sent before this call is complete (acknowledged or failed). Does not
   * block; call {@code join()} on the result to wait.
   *
   * <p>Called on the sender thread (in a completion callback or the failure handler), it still makes the
   * records ready, but the returned future is already failed with an {@link IllegalStateException}:
   * the sender thread is the only one that completes records, so waiting there would deadlock.
   *
   * @return a future completed when those records are complete; a copy
   */
  CompletableFuture<Void> flush();

  /**
   * A snapshot of the producer's counters.
   *
   * @return the counters; {@code sent == acknowledged + failed + pending}
   */
  ProducerStats stats();

  /**
   * The client id that names the sender thread and prefixes log lines.
   *
   * @return the client id
   */
  String clientId();

  /**
   * Stops intake at once ({@code send} then throws), keeps sending buffered records until all are
   * complete or {@code timeout} passes, then fails what is left with reason {@link
   * dev.kinesisresilient.core.FailureReason#CLOSED}, stops the sender thread and removes the
   * producer's meters (those shared with another open writer or producer on the same registry, stream
   * and tags stay until the last of them closes). Blocks the caller up to {@code timeout} (plus the moment it takes to fail what
   * is left). Called from the sender thread (a callback), it only starts the close and returns.
   * Calling it again is harmless.
   *
   * @param timeout how long to drain; zero fails everything still pending at once
   * @throws NullPointerException when {@code timeout} is null
   * @throws IllegalArgumentException when {@code timeout} is negative
   */
  void close(Duration timeout);

  /**
   * Closes with a timeout of {@code deliveryTimeout}: every pending record has completed by then
   * anyway.
   */
  @Override
  void close();
}
