package dev.kinesisresilient.lambda.testing;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.KinesisTimeWindowEvent;
import dev.kinesisresilient.lambda.internal.Json;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The simulator's model of tumbling windows (TumblingWindowInSeconds > 0), kept apart from the batch,
 * retry and bisect logic of {@link EsmSimulator}, which calls it from a few hooks.
 *
 * <p>Documented by AWS (https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-windows.html):
 * window boundaries by the records' arrival time; state carried from one invocation of a window to the
 * next, starting empty; a response without {@code state} is a failed invocation; at the window's end a
 * final invocation with {@code isFinalInvokeForWindow}, which must succeed before the shard goes on
 * (retried until it does); state over 1 MB ends the window early ({@code isWindowTerminatedEarly}) and
 * the window continues with a fresh state; retry policies (MaximumRetryAttempts,
 * MaximumRecordAgeInSeconds) apply.
 *
 * <p>Assumed where AWS says nothing (docs/lambda.md lists them): windows are aligned to the epoch
 * ({@code start = arrival - arrival mod W}); a batch never spans two windows; the final invocation
 * carries no records and comes once every record of the window is processed and either the window's
 * end has passed on the simulator's clock or a record of a later window is waiting; with a partial
 * batch response the returned state is kept (it covers the records before the reported one) and the
 * retry starts from the reported record with it; after a failed invocation the previous state is used
 * again; the early final invocation gets the state that passed the limit; final invocations do not use
 * retry attempts. Not modelled: ParallelizationFactor > 1 with windows (rejected), resharding.
 */
final class TumblingWindows {

  /** "1 MB" read as 10^6 bytes, the smaller of the two readings. */
  static final long DEFAULT_MAX_STATE_BYTES = 1_000_000;

  private final long windowMillis;
  private final long maxStateBytes;

  TumblingWindows(int windowSeconds, long maxStateBytes) {
    if (windowSeconds < 1) {
      throw new IllegalArgumentException("windowSeconds must be at least 1, was " + windowSeconds);
    }
    this.windowMillis = windowSeconds * 1000L;
    this.maxStateBytes = maxStateBytes;
  }

  /** One lane's window: which window is open and its state. Mutated by the simulator's thread only. */
  static final class Track {
    @Nullable Instant start;
    Map<String, String> state = new LinkedHashMap<>();
    boolean terminateEarly;
  }

  Instant windowStartOf(Instant arrival) {
    long ms = arrival.toEpochMilli();
    return Instant.ofEpochMilli(ms - Math.floorMod(ms, windowMillis));
  }

  Instant windowEnd(Instant start) {
    return start.plusMillis(windowMillis);
  }

  /** Whether two records may share a batch: the same window. */
  boolean sameWindow(Instant arrivalA, Instant arrivalB) {
    return windowStartOf(arrivalA).equals(windowStartOf(arrivalB));
  }

  /**
   * When the open window's final invocation is due: now when the window was ended early or a record
   * of a later window waits; at the window's end when nothing waits; never (null) while records of
   * the window wait or are in flight, or when no window is open.
   */
  @Nullable Instant finalDueAt(Track t, @Nullable Instant firstPendingArrival, boolean inFlight, Instant now) {
    if (t.start == null) {
      return null;
    }
    if (t.terminateEarly) {
      return now;
    }
    if (inFlight) {
      return null;
    }
    if (firstPendingArrival != null) {
      return windowStartOf(firstPendingArrival).isAfter(t.start) ? now : null;
    }
    return windowEnd(t.start);
  }

  /** A batch of the window is about to be invoked: opens the window when none is. */
  void opening(Track t, Instant firstArrival) {
    if (t.start == null) {
      Instant w = windowStartOf(firstArrival);
      t.start = w;
      t.state = new LinkedHashMap<>();
    }
  }

  KinesisTimeWindowEvent event(Track t, KinesisEvent batch, String shardId, String streamArn, boolean finalInvoke) {
    Instant start = t.start == null ? Instant.EPOCH : t.start;
    return TimeWindowEvents.of(batch, shardId, streamArn, start, windowEnd(start), t.state, finalInvoke,
        finalInvoke && t.terminateEarly);
  }

  /**
   * The state a response carries, or null when it has none (a failed invocation): the body must be a
   * JSON object with an object {@code state}; values are kept as strings (numbers as written).
   */
  static @Nullable Map<String, String> stateOf(@Nullable String body) {
    if (body == null || body.isBlank()) {
      return null;
    }
    Object parsed;
    try {
      parsed = Json.parse(body);
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (!(parsed instanceof Map<?, ?> root) || !(root.get("state") instanceof Map<?, ?> state)) {
      return null;
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : state.entrySet()) {
      Object v = e.getValue();
      out.put(String.valueOf(e.getKey()), v instanceof String s ? s
          : v instanceof BigDecimal d ? d.toPlainString() : Json.write(v));
    }
    return out;
  }

  /** A batch invocation's state was accepted (success or partial failure). */
  void accept(Track t, Map<String, String> state) {
    t.state = state;
    if (Json.write(state).getBytes(StandardCharsets.UTF_8).length > maxStateBytes) {
      t.terminateEarly = true;
    }
  }

  /** The final invocation succeeded: the window closes, or after an early end continues empty. */
  void finalSucceeded(Track t) {
    if (!t.terminateEarly) {
      t.start = null;
    }
    t.terminateEarly = false;
    t.state = new LinkedHashMap<>();
  }
}
