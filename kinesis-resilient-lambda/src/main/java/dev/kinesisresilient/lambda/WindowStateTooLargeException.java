package dev.kinesisresilient.lambda;

import dev.kinesisresilient.core.KinesisResilientException;

/**
 * A record's update would make the tumbling window's state larger than {@code maxStateBytes} (by
 * default 1,000,000 bytes, within Lambda's documented 1 MB per shard). The record is reported failed
 * and not folded in; the state returned is the state before it. Found in {@link
 * WindowBatchResult#failure()} and in the processor's WARN log.
 *
 * @since 0.1.0
 */
public final class WindowStateTooLargeException extends KinesisResilientException {
  private static final long serialVersionUID = 1L;

  private final long sizeBytes;
  private final long limitBytes;

  /**
   * Creates the exception.
   *
   * @param sequenceNumber the record whose update was refused
   * @param sizeBytes the size the state would have had
   * @param limitBytes the limit
   */
  public WindowStateTooLargeException(String sequenceNumber, long sizeBytes, long limitBytes) {
    super("tumbling window state would be " + sizeBytes + " bytes after record " + sequenceNumber
        + ", over maxStateBytes " + limitBytes + " (Lambda allows 1 MB of state per shard and window); keep "
        + "less state per window or use shorter windows");
    this.sizeBytes = sizeBytes;
    this.limitBytes = limitBytes;
  }

  /**
   * The size the state would have had.
   *
   * @return bytes, as JSON in UTF-8
   */
  public long sizeBytes() {
    return sizeBytes;
  }

  /**
   * The limit.
   *
   * @return bytes
   */
  public long limitBytes() {
    return limitBytes;
  }
}
