package dev.kinesisresilient.core;

import java.math.BigInteger;

/**
 * Every Kinesis Data Streams write limit this library enforces, in one place.
 *
 * <p>The three per-request values can be changed, within the service's absolute bounds, for streams
 * whose limits were raised; the per-key rules are fixed by the service and live here as constants.
 * Immutable and thread-safe.
 *
 * <pre>{@code
 * BatchLimits classic = BatchLimits.defaults();                    // 500 records, 5 MiB, 1 MiB
 * BatchLimits large = BatchLimits.defaults()
 *     .withMaxRequestBytes(BatchLimits.LARGE_MAX_REQUEST_BYTES)    // 10 MiB requests
 *     .withMaxRecordBytes(4 * BatchLimits.MIB);                    // stream's MaxRecordSizeInKiB = 4096
 * }</pre>
 *
 * @param maxRecordsPerRequest records per PutRecords request. Default 500; range 1..500.
 * @param maxRequestBytes bytes per PutRecords request, data plus partition keys of all entries.
 *     Default 5 MiB (5,242,880); range 1..10 MiB (10 MiB only where the account's limit was raised).
 * @param maxRecordBytes bytes per record, data plus partition key UTF-8 bytes. Default 1 MiB
 *     (1,048,576); range 1..10 MiB (above 1 MiB only for a stream whose MaxRecordSizeInKiB was raised);
 *     must not exceed {@code maxRequestBytes}.
 * @since 0.1.0
 */
public record BatchLimits(int maxRecordsPerRequest, long maxRequestBytes, long maxRecordBytes) {

  /** One mebibyte, 1,048,576 bytes. */
  public static final long MIB = 1024L * 1024L;

  /** The service's maximum number of entries in one PutRecords request: 500. */
  public static final int MAX_RECORDS_PER_REQUEST = 500;

  /** The classic PutRecords request size limit: 5 MiB, partition keys included. */
  public static final long CLASSIC_MAX_REQUEST_BYTES = 5 * MIB;

  /** The raised PutRecords request size limit (2025 large-record launch): 10 MiB. */
  public static final long LARGE_MAX_REQUEST_BYTES = 10 * MIB;

  /** The default per-record limit of a stream: 1 MiB, data plus partition key. */
  public static final long DEFAULT_MAX_RECORD_BYTES = MIB;

  /** The largest per-record limit a stream can be given: 10 MiB. */
  public static final long LARGEST_MAX_RECORD_BYTES = 10 * MIB;

  /** The shortest partition key: 1 character. */
  public static final int MIN_PARTITION_KEY_CHARS = 1;

  /**
   * The longest partition key: 256 characters, counted in UTF-16 code units (an emoji counts two), the
   * stricter reading of the service's limit.
   */
  public static final int MAX_PARTITION_KEY_CHARS = 256;

  /** The largest explicit hash key: 2^128 - 1. */
  public static final BigInteger MAX_HASH_KEY = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);

  private static final BatchLimits DEFAULTS =
      new BatchLimits(MAX_RECORDS_PER_REQUEST, CLASSIC_MAX_REQUEST_BYTES, DEFAULT_MAX_RECORD_BYTES);

  /**
   * Validates the three values against the service's absolute bounds.
   *
   * @throws IllegalArgumentException naming the field, its value and its range
   */
  public BatchLimits {
    if (maxRecordsPerRequest < 1 || maxRecordsPerRequest > MAX_RECORDS_PER_REQUEST) {
      throw new IllegalArgumentException(
          "maxRecordsPerRequest must be in 1.." + MAX_RECORDS_PER_REQUEST + ", was " + maxRecordsPerRequest);
    }
    if (maxRequestBytes < 1 || maxRequestBytes > LARGE_MAX_REQUEST_BYTES) {
      throw new IllegalArgumentException(
          "maxRequestBytes must be in 1.." + LARGE_MAX_REQUEST_BYTES + " bytes, was " + maxRequestBytes);
    }
    if (maxRecordBytes < 1 || maxRecordBytes > LARGEST_MAX_RECORD_BYTES) {
      throw new IllegalArgumentException(
          "maxRecordBytes must be in 1.." + LARGEST_MAX_RECORD_BYTES + " bytes, was " + maxRecordBytes);
    }
    if (maxRecordBytes > maxRequestBytes) {
      throw new IllegalArgumentException(
          "maxRecordBytes (" + maxRecordBytes + " bytes) must not exceed maxRequestBytes ("
              + maxRequestBytes + " bytes)");
    }
  }

  /**
   * The classic limits: 500 records, 5 MiB per request, 1 MiB per record.
   *
   * @return the default limits
   */
  public static BatchLimits defaults() {
    return DEFAULTS;
  }

  /**
   * A copy with another request record count.
   *
   * @param records records per request, 1..500
   * @return the new limits
   * @throws IllegalArgumentException when out of range
   */
  public BatchLimits withMaxRecordsPerRequest(int records) {
    return new BatchLimits(records, maxRequestBytes, maxRecordBytes);
  }

  /**
   * A copy with another request size, for accounts whose PutRecords limit is 10 MiB.
   *
   * @param bytes bytes per request, 1..10 MiB, at least {@link #maxRecordBytes()}
   * @return the new limits
   * @throws IllegalArgumentException when out of range
   */
  public BatchLimits withMaxRequestBytes(long bytes) {
    return new BatchLimits(maxRecordsPerRequest, bytes, maxRecordBytes);
  }

  /**
   * A copy with another per-record size, for a stream whose MaxRecordSizeInKiB was raised.
   *
   * @param bytes bytes per record, 1..10 MiB, at most {@link #maxRequestBytes()}
   * @return the new limits
   * @throws IllegalArgumentException when out of range
   */
  public BatchLimits withMaxRecordBytes(long bytes) {
    return new BatchLimits(maxRecordsPerRequest, maxRequestBytes, bytes);
  }

  /**
   * Checks a record against the per-record size limit.
   *
   * @param record the record
   * @throws RecordTooLargeException when data plus partition key bytes exceed {@link #maxRecordBytes()}
   */
  public void check(KinesisRecord record) {
    long size = record.sizeBytes();
    if (size > maxRecordBytes) {
      throw new RecordTooLargeException(size, maxRecordBytes);
    }
  }
}
