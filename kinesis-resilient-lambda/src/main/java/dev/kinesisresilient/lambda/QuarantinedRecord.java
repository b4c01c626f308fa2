package dev.kinesisresilient.lambda;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A record on its way to a {@link QuarantineSink}, with why and when.
 *
 * @param record the record (its {@code attempt} is the last attempt made, 1 if never handled); for
 *     a sub-record of a KPL aggregate, the sub-record alone, with its own partition key and data,
 *     the aggregate's sequence number and its {@code subSequenceNumber}
 * @param reason why it is quarantined
 * @param attempts handler attempts made in this invocation, 0 for a record quarantined for its age
 * @param error the last failure, or null for {@link QuarantineReason#RECORD_TOO_OLD}
 * @param quarantinedAt when the processor decided to quarantine it
 * @since 0.1.0
 */
public record QuarantinedRecord(
    StreamRecord record, QuarantineReason reason, int attempts, @Nullable Throwable error,
    Instant quarantinedAt) {

  /**
   * Checks the fields.
   *
   * @throws NullPointerException when a required field is null
   */
  public QuarantinedRecord {
    Objects.requireNonNull(record, "record");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(quarantinedAt, "quarantinedAt");
  }
}
