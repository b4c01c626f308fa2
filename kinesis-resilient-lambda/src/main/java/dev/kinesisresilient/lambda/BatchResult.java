package dev.kinesisresilient.lambda;

import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of one batch: the response for Lambda and what happened to each record.
 *
 * @param response the partial batch response to return from the handler: no failures, or exactly
 *     one whose identifier is {@link #reportedSequenceNumber()}
 * @param reportedSequenceNumber the sequence number reported to Lambda (where it resumes), or null
 *     when the whole batch is done
 * @param stopReason why the batch ended where it did
 * @param outcomes one outcome per user record, in event order: a KPL aggregate that the processor
 *     opened contributes one per sub-record, in sub-sequence order; an aggregate without records
 *     none; any other record one
 * @since 0.1.0
 */
public record BatchResult(
    StreamsEventResponse response,
    @Nullable String reportedSequenceNumber,
    StopReason stopReason,
    List<RecordOutcome> outcomes) {

  /**
   * Checks and copies the fields.
   *
   * @throws NullPointerException when a required field is null
   */
  public BatchResult {
    Objects.requireNonNull(response, "response");
    Objects.requireNonNull(stopReason, "stopReason");
    outcomes = List.copyOf(outcomes);
  }

  /**
   * User records per outcome.
   *
   * @return a map with an entry for each outcome that occurred
   */
  public Map<RecordOutcome, Integer> counts() {
    Map<RecordOutcome, Integer> m = new EnumMap<>(RecordOutcome.class);
    for (RecordOutcome o : outcomes) {
      m.merge(o, 1, Integer::sum);
    }
    return m;
  }

  /** Counts and the reported sequence number; never record data. */
  @Override
  public String toString() {
    return "BatchResult[records=" + outcomes.size() + ", stopReason=" + stopReason + ", reported="
        + reportedSequenceNumber + ", outcomes=" + counts() + "]";
  }
}
