package dev.kinesisresilient.lambda;

/**
 * Acts on a tumbling window's final state, in the window's final invocation ({@code
 * isFinalInvokeForWindow}), for example by writing the aggregate to a table.
 *
 * <p>Runs once every record of the window has been folded in (with {@link
 * WindowInfo#terminatedEarly()}, of the part of the window the state covers). Throwing fails the
 * invocation after the processor's in-process retries, and Lambda invokes the final invocation again
 * until it succeeds; so the action must be idempotent (key it by shard and window start).
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface WindowEndHandler {

  /**
   * Handles the final state of a window.
   *
   * @param window the window, shard and flags
   * @param state the window's final state
   * @throws Exception when the action failed
   */
  void onWindowEnd(WindowInfo window, WindowState state) throws Exception;
}
