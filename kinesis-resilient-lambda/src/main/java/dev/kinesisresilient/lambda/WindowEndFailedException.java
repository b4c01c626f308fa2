package dev.kinesisresilient.lambda;

import dev.kinesisresilient.core.KinesisResilientException;
import org.jspecify.annotations.Nullable;

/**
 * Thrown by {@link TumblingWindowProcessor#process} when the {@link WindowEndHandler} still failed
 * after the in-process retries, or there was no time left to run it. The invocation fails; Lambda
 * invokes the window's final invocation again, with the same state, until it succeeds.
 *
 * @since 0.1.0
 */
public final class WindowEndFailedException extends KinesisResilientException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened
   * @param cause the handler's last failure, or null when it did not run
   */
  public WindowEndFailedException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }

  /**
   * Lambda retries the final invocation.
   *
   * @return {@code true}
   */
  @Override
  public boolean isRetryable() {
    return true;
  }
}
