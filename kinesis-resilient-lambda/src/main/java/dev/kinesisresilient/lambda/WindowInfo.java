package dev.kinesisresilient.lambda;

import java.time.Instant;
import java.util.Objects;

/**
 * The tumbling window an invocation belongs to, from a {@code KinesisTimeWindowEvent}.
 *
 * @param streamArn the stream's ARN (the event's {@code eventSourceARN})
 * @param shardId the shard whose window this is (state is kept per shard)
 * @param start the window's start (inclusive), by the records' arrival time
 * @param end the window's end (exclusive)
 * @param finalInvoke whether this is the window's final invocation ({@code isFinalInvokeForWindow}):
 *     the state is complete and ready to be acted on; Lambda drops it afterwards
 * @param terminatedEarly whether Lambda ended the window before its end ({@code
 *     isWindowTerminatedEarly}), because the state grew over 1 MB: the state covers only part of the
 *     window, and the window goes on with a fresh, empty state
 * @since 0.1.0
 */
public record WindowInfo(
    String streamArn, String shardId, Instant start, Instant end, boolean finalInvoke, boolean terminatedEarly) {

  /**
   * Checks the fields.
   *
   * @throws NullPointerException when a field is null
   * @throws IllegalArgumentException when {@code end} is before {@code start}
   */
  public WindowInfo {
    Objects.requireNonNull(streamArn, "streamArn");
    Objects.requireNonNull(shardId, "shardId");
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(end, "end");
    if (end.isBefore(start)) {
      throw new IllegalArgumentException("window end " + end + " is before its start " + start);
    }
  }
}
