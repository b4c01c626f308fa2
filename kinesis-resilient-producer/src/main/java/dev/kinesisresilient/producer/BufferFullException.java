package dev.kinesisresilient.producer;

import dev.kinesisresilient.core.KinesisResilientException;

/**
 * {@link ResilientProducer#send} waited {@code maxBlockTime} for buffer space and none came free.
 *
 * <p>A timeout-type error, like Kafka's {@code BufferExhaustedException}: the producer is taking
 * records faster than Kinesis (or the stream's shards) can take them. Also thrown at once, without
 * waiting, by a {@code send} made on the producer's sender thread (a completion callback or the
 * failure handler) while the buffer is full: only that thread frees space, so it must never wait for
 * it. Retryable: sending the same record later, from another thread, may succeed. The record was not
 * accepted; no future was handed out for it.
 *
 * @since 0.1.0
 */
public final class BufferFullException extends KinesisResilientException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was requested and the limits in force
   */
  public BufferFullException(String message) {
    super(message);
  }

  /**
   * Always retryable: buffer space frees up as records complete.
   *
   * @return {@code true}
   */
  @Override
  public boolean isRetryable() {
    return true;
  }
}
