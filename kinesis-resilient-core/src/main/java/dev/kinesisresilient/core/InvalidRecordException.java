package dev.kinesisresilient.core;

/**
 * A record, or one of its fields, breaks a Kinesis limit or rule and can never be written.
 *
 * <p>Thrown at the call that received the bad input (record creation, {@code send}); the message names
 * the field, the offending value's size and the limit. Never retryable.
 *
 * @since 0.1.0
 */
public class InvalidRecordException extends KinesisResilientException {
  private static final long serialVersionUID = 1L;

  private final String field;

  /**
   * Creates the exception.
   *
   * @param field the record field at fault ({@code partitionKey}, {@code data},
   *     {@code explicitHashKey}, or {@code record} for the record as a whole)
   * @param message a message naming the field, the value's size and the limit
   */
  public InvalidRecordException(String field, String message) {
    super(message);
    this.field = field;
  }

  /**
   * The record field at fault.
   *
   * @return {@code partitionKey}, {@code data}, {@code explicitHashKey} or {@code record}
   */
  public String field() {
    return field;
  }
}
