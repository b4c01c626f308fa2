package dev.kinesisresilient.core.internal.putrecords;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What one PutRecords entry's attempt came to: {@link Stored} by the service, or {@link Rejected}
 * (by the entry's own error code, or with the whole request). Made only by {@link
 * PutRecordsVerdicts}, so every engine reads a response the same way.
 */
public sealed interface EntryVerdict permits EntryVerdict.Stored, EntryVerdict.Rejected {

  /**
   * The service stored the entry.
   *
   * @param sequenceNumber its sequence number in the shard
   * @param shardId the shard it was stored on
   */
  record Stored(String sequenceNumber, String shardId) implements EntryVerdict {
    /**
     * Checks the fields.
     *
     * @throws NullPointerException when a field is null
     */
    public Stored {
      Objects.requireNonNull(sequenceNumber, "sequenceNumber");
      Objects.requireNonNull(shardId, "shardId");
    }
  }

  /**
   * The entry was not stored in this attempt.
   *
   * @param code the error code for the record's result: the entry's {@code ErrorCode}, the service
   *     exception's code, or the classifier's metric code when there is none
   * @param metricCode the bounded code of the classifier's table ({@code other} when not in it)
   * @param message the error message (never payload); empty when the service gave none
   * @param cause the exception when the whole request failed; null for an entry's own error
   * @param retriable whether sending the entry again may help
   * @param throttled whether the service refused it for throughput (rate limiter feedback; no
   *     retry-budget token needed)
   * @param namedShard the shard id the error message names (throttling messages do), or null
   */
  record Rejected(String code, String metricCode, String message, @Nullable Throwable cause,
      boolean retriable, boolean throttled, @Nullable String namedShard) implements EntryVerdict {
    /**
     * Checks the fields.
     *
     * @throws NullPointerException when a required field is null
     */
    public Rejected {
      Objects.requireNonNull(code, "code");
      Objects.requireNonNull(metricCode, "metricCode");
      Objects.requireNonNull(message, "message");
    }
  }
}
