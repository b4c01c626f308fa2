package dev.kinesisresilient.core;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The results of one {@link KinesisBatchWriter#write} call: one {@link RecordResult} per input
 * record, in input order.
 *
 * @param results one result per input record, same order, same size
 * @since 0.1.0
 */
public record BatchWriteResult(List<RecordResult> results) {

  /**
   * Copies the list.
   *
   * @throws NullPointerException when the list or an element is null
   */
  public BatchWriteResult {
    results = List.copyOf(Objects.requireNonNull(results, "results"));
  }

  /**
   * Whether every record was acknowledged.
   *
   * @return {@code true} when no record failed
   */
  public boolean allAcknowledged() {
    return results.stream().allMatch(RecordResult::isAcknowledged);
  }

  /**
   * The acknowledged results.
   *
   * @return acknowledged results, input order
   */
  public List<RecordResult.Acknowledged> acknowledged() {
    return results.stream()
        .filter(RecordResult.Acknowledged.class::isInstance)
        .map(RecordResult.Acknowledged.class::cast)
        .toList();
  }

  /**
   * The failed results.
   *
   * @return failed results, input order
   */
  public List<RecordResult.Failed> failed() {
    return results.stream()
        .filter(RecordResult.Failed.class::isInstance)
        .map(RecordResult.Failed.class::cast)
        .toList();
  }

  /**
   * Failed record counts by reason.
   *
   * @return a map with an entry for each reason that occurred
   */
  public Map<FailureReason, Long> failedByReason() {
    Map<FailureReason, Long> m = new EnumMap<>(FailureReason.class);
    for (RecordResult.Failed f : failed()) {
      m.merge(f.reason(), 1L, Long::sum);
    }
    return m;
  }

  /** Counts only; never records or payloads. */
  @Override
  public String toString() {
    long ack = results.stream().filter(RecordResult::isAcknowledged).count();
    return "BatchWriteResult[records=" + results.size() + ", acknowledged=" + ack
        + ", failed=" + failedByReason() + "]";
  }
}
