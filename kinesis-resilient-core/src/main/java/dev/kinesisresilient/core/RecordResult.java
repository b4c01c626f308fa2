package dev.kinesisresilient.core;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The one final result of one record: acknowledged by the service, or failed with a reason.
 *
 * <p>A sealed type, so callers can switch over it exhaustively:
 *
 * <pre>{@code
 * switch (result) {
 *   case RecordResult.Acknowledged a -> log(a.shardId(), a.sequenceNumber());
 *   case RecordResult.Failed f -> deadLetter(f.record(), f.reason(), f.errorCode());
 * }
 * }</pre>
 *
 * @since 0.1.0
 */
public sealed interface RecordResult permits RecordResult.Acknowledged, RecordResult.Failed {

  /**
   * The record this result is for.
   *
   * @return the record as given to the writer
   */
  KinesisRecord record();

  /**
   * How many times the record was sent, the first time included.
   *
   * @return 0 for a record rejected before sending, otherwise at least 1
   */
  int attempts();

  /**
   * Whether the service stored the record.
   *
   * @return {@code true} for {@link Acknowledged}
   */
  boolean isAcknowledged();

  /**
   * The service stored the record.
   *
   * <p>When a producer packed the record into a KPL aggregate, {@code sequenceNumber} is the sequence
   * number of the Kinesis record that carried the aggregate (shared by every user record in it) and
   * {@code subSequenceNumber} is the record's index inside the aggregate, from 0; together they
   * identify the user record, as KPL consumers report it. Otherwise {@code subSequenceNumber} is 0 and
   * {@code aggregated} is false.
   *
   * @param record the record
   * @param sequenceNumber its sequence number in the shard (for an aggregated record, the aggregate's)
   * @param shardId the shard the service stored it on
   * @param attempts sends, the first included; at least 1
   * @param subSequenceNumber its index inside the aggregate that carried it; 0 when not aggregated
   * @param aggregated whether it was stored inside a KPL aggregate
   * @since 0.1.0
   */
  record Acknowledged(KinesisRecord record, String sequenceNumber, String shardId, int attempts,
      long subSequenceNumber, boolean aggregated) implements RecordResult {
    /**
     * Checks the fields.
     *
     * @throws NullPointerException when a field is null
     * @throws IllegalArgumentException when {@code subSequenceNumber} is negative, or not 0 for a
     *     record that was not aggregated
     */
    public Acknowledged {
      Objects.requireNonNull(record, "record");
      Objects.requireNonNull(sequenceNumber, "sequenceNumber");
      Objects.requireNonNull(shardId, "shardId");
      if (subSequenceNumber < 0 || (!aggregated && subSequenceNumber != 0)) {
        throw new IllegalArgumentException("subSequenceNumber must be >= 0, and 0 when not aggregated, was "
            + subSequenceNumber + " (aggregated=" + aggregated + ")");
      }
    }

    /**
     * A record stored on its own (not aggregated): {@code subSequenceNumber} 0, {@code aggregated}
     * false.
     *
     * @param record the record
     * @param sequenceNumber its sequence number in the shard
     * @param shardId the shard the service stored it on
     * @param attempts sends, the first included; at least 1
     */
    public Acknowledged(KinesisRecord record, String sequenceNumber, String shardId, int attempts) {
      this(record, sequenceNumber, shardId, attempts, 0, false);
    }

    @Override
    public boolean isAcknowledged() {
      return true;
    }
  }

  /**
   * The record was not stored, as far as the writer knows (a request that timed out may still have
   * been stored by the service; see the failure semantics in the docs).
   *
   * @param record the record
   * @param reason why it failed
   * @param errorCode the last error code: the per-entry {@code ErrorCode}, the service exception's
   *     code, or a code of {@link ErrorClassifier}'s table such as {@code AttemptTimeout}
   * @param errorMessage the last error message (never contains payload)
   * @param attempts sends, the first included; 0 when never sent
   * @param cause the last exception, when the last failure was a whole-request exception
   * @since 0.1.0
   */
  record Failed(
      KinesisRecord record,
      FailureReason reason,
      String errorCode,
      String errorMessage,
      int attempts,
      @Nullable Throwable cause)
      implements RecordResult {
    /**
     * Checks the fields.
     *
     * @throws NullPointerException when a required field is null
     */
    public Failed {
      Objects.requireNonNull(record, "record");
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(errorCode, "errorCode");
      Objects.requireNonNull(errorMessage, "errorMessage");
    }

    @Override
    public boolean isAcknowledged() {
      return false;
    }
  }
}
