package dev.kinesisresilient.lambda;

import com.amazonaws.services.lambda.runtime.events.TimeWindowEventResponse;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The outcome of one tumbling-window invocation: the response for Lambda and what happened.
 *
 * @param response what the handler returns: always with a {@code state} (Lambda counts a response
 *     without one as a failed invocation), and no failure or exactly one whose identifier is {@link
 *     #reportedSequenceNumber()}
 * @param window the window, from the event
 * @param state the state returned: the incoming state with every record before the reported one
 *     folded in (all of them when none is reported)
 * @param reportedSequenceNumber where Lambda resumes, or null when every record was handled
 * @param stopReason why the invocation ended where it did
 * @param outcomes one outcome per user record, in event order (as in {@link BatchResult})
 * @param windowEndHandled whether the {@link WindowEndHandler} ran and succeeded (only in a final
 *     invocation without a failed record; false when no window-end handler is set)
 * @param failure what made the reported record fail (the handler's last exception, or a {@link
 *     WindowStateTooLargeException}), or null
 * @since 0.1.0
 */
public record WindowBatchResult(
    TimeWindowEventResponse response,
    WindowInfo window,
    WindowState state,
    @Nullable String reportedSequenceNumber,
    StopReason stopReason,
    List<RecordOutcome> outcomes,
    boolean windowEndHandled,
    @Nullable Exception failure) {

  /**
   * Checks and copies the fields.
   *
   * @throws NullPointerException when a required field is null
   */
  public WindowBatchResult {
    Objects.requireNonNull(response, "response");
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(state, "state");
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

  /** Counts, window and the reported sequence number; never record data or state values. */
  @Override
  public String toString() {
    return "WindowBatchResult[window=" + window.start() + ".." + window.end() + ", final=" + window.finalInvoke()
        + ", records=" + outcomes.size() + ", stopReason=" + stopReason + ", reported=" + reportedSequenceNumber
        + ", state=" + state + ", outcomes=" + counts() + "]";
  }
}
