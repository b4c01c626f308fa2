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
   * @param record the record
   * @param sequenceNumber its sequence number in the shard
   * @param shardId the shard the service stored it on
   * @param attempts sends, the first included; at least 1
   * @since 0.1.0
   */
  record Acknowledged(KinesisRecord record, String sequenceNumber, String shardId, int attempts)
      implements RecordResult {
    /**
     * Checks the fields.
     *
     * @throws NullPointerException when a field is null
     */
    public Acknowledged {
      Objects.requireNonNull(record, "record");
      Objects.requireNonNull(sequenceNumber, "sequenceNumber");
      Objects.requireNonNull(shardId, "shardId");
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
