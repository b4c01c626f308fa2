package dev.kinesisresilient.producer;

import dev.kinesisresilient.core.KinesisResilientException;

/**
 * The cause attached to records failed with reason {@link dev.kinesisresilient.core.FailureReason#CLOSED}:
 * the producer was closed and its close timeout passed before they were acknowledged. Not retryable
 * on this producer.
 *
 * @since 0.1.0
 */
public final class ProducerClosedException extends KinesisResilientException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened, naming the close timeout
   */
  public ProducerClosedException(String message) {
    super(message);
  }
}
