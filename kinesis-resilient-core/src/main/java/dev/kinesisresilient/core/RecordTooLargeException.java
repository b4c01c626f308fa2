package dev.kinesisresilient.core;

/**
 * A record's size (data bytes plus partition key UTF-8 bytes) is over the per-record limit in force.
 *
 * @since 0.1.0
 */
public final class RecordTooLargeException extends InvalidRecordException {
  private static final long serialVersionUID = 1L;

  private final long sizeBytes;
  private final long limitBytes;

  /**
   * Creates the exception.
   *
   * @param sizeBytes the record's size in bytes, data plus partition key
   * @param limitBytes the per-record limit in bytes
   */
  public RecordTooLargeException(long sizeBytes, long limitBytes) {
    super(
        "record",
        "record size " + sizeBytes + " bytes (data + partitionKey UTF-8) exceeds maxRecordBytes "
            + limitBytes + " bytes");
    this.sizeBytes = sizeBytes;
    this.limitBytes = limitBytes;
  }

  /**
   * The record's size.
   *
   * @return data bytes plus partition key UTF-8 bytes
   */
  public long sizeBytes() {
    return sizeBytes;
  }

  /**
   * The limit the record broke.
   *
   * @return the per-record limit in bytes
   */
  public long limitBytes() {
    return limitBytes;
  }
}
