package dev.kinesisresilient.core.internal.putrecords;

import dev.kinesisresilient.core.ErrorClassification;
import dev.kinesisresilient.core.FailureReason;
import dev.kinesisresilient.core.KinesisRecord;
import dev.kinesisresilient.core.RecordResult;
import org.jspecify.annotations.Nullable;

/**
 * A record's last error, kept across its attempts so that its failed result reports it: code,
 * metric code, message and cause. One per record that failed at least once.
 *
 * <p>Not thread-safe: confined to the engine's own thread (the writer's serial executor, the
 * producer's sender thread).
 */
public final class FailureTrail {

  /**
   * Error code (and metric code) of a record that ran out of time ({@link
   * FailureReason#DEADLINE_EXCEEDED}) with no error of its own: never sent, or never answered. It says
   * that the engine's own bound ran out, not the service, so a caller does not look for a service error
   * that never happened; a fixed value keeps the metric tag bounded. The writer and the producer give
   * the same.
   */
  public static final String DEADLINE_CODE = "DeadlineExceeded";

  private @Nullable String code;
  private @Nullable String metricCode;
  private @Nullable String message;
  private @Nullable Throwable cause;

  /** An empty trail: no error yet. */
  public FailureTrail() {}

  /**
   * Remembers a rejection as the last error.
   *
   * @param verdict the entry's verdict
   */
  public void record(EntryVerdict.Rejected verdict) {
    record(verdict.code(), verdict.metricCode(), verdict.message(), verdict.cause());
  }

  /**
   * Remembers an error as the last one.
   *
   * @param code the error code
   * @param metricCode its bounded metric code
   * @param message the message (never payload)
   * @param cause the exception, or null
   */
  public void record(String code, String metricCode, String message, @Nullable Throwable cause) {
    this.code = code;
    this.metricCode = metricCode;
    this.message = message;
    this.cause = cause;
  }

  /**
   * Replaces the message, for an engine that adds why it stopped trying (the last error stays in it).
   *
   * @param message the new message
   */
  public void message(String message) {
    this.message = message;
  }

  /**
   * Whether an error was recorded.
   *
   * @return false until the first {@link #record}
   */
  public boolean isEmpty() {
    return code == null;
  }

  /**
   * The last error code.
   *
   * @return the code, or null when none was recorded
   */
  public @Nullable String code() {
    return code;
  }

  /**
   * The last error's metric code, falling back to its code and then to {@value
   * ErrorClassification#OTHER}.
   *
   * @return the metric code, never null
   */
  public String metricCode() {
    return metricCode != null ? metricCode : code != null ? code : ErrorClassification.OTHER;
  }

  /**
   * The last message.
   *
   * @return the message, or null when none was recorded
   */
  public @Nullable String message() {
    return message;
  }

  /**
   * The last exception.
   *
   * @return the exception, or null (the last error was an entry's own, or none was recorded)
   */
  public @Nullable Throwable cause() {
    return cause;
  }

  /**
   * The record's failed result from its last error ({@value ErrorClassification#OTHER} and an empty
   * message when none was recorded).
   *
   * @param record the record
   * @param reason why it failed
   * @param attempts sends, the first included
   * @return the result
   */
  public RecordResult.Failed toFailed(KinesisRecord record, FailureReason reason, int attempts) {
    return new RecordResult.Failed(record, reason, code != null ? code : ErrorClassification.OTHER,
        message != null ? message : "", attempts, cause);
  }

  @Override
  public String toString() {
    return "FailureTrail[code=" + code + ", metricCode=" + metricCode + "]";
  }
}
