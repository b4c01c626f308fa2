package dev.kinesisresilient.core;

import org.jspecify.annotations.Nullable;

/**
 * Root of every exception this library throws or completes a future with.
 *
 * <p>Unchecked, as the AWS SDK's own exceptions are. {@link #isRetryable()} tells whether trying the
 * same operation again can succeed.
 *
 * @since 0.1.0
 */
public class KinesisResilientException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception with a message.
   *
   * @param message what went wrong, naming the field or operation
   */
  public KinesisResilientException(String message) {
    super(message);
  }

  /**
   * Creates an exception with a message and a cause.
   *
   * @param message what went wrong
   * @param cause the underlying failure, may be null
   */
  public KinesisResilientException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }

  /**
   * Whether the same operation may succeed when tried again.
   *
   * @return {@code false} unless a subclass says otherwise
   */
  public boolean isRetryable() {
    return false;
  }
}
