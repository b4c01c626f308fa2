package dev.kinesisresilient.lambda;

/**
 * The application's aggregation of one record into its tumbling window's state.
 *
 * <p>Returns the new state (the same instance when the record changes nothing); throwing means the
 * record failed, and {@link TumblingWindowProcessor} retries, quarantines or reports it as {@link
 * RecordHandler} failures are. A record that failed or was not reached contributes nothing to the state
 * the processor returns: Lambda delivers it again, with that state. Side effects belong in the {@link
 * WindowEndHandler}; keep this function pure so that redelivery cannot count a record twice.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface WindowRecordHandler {

  /**
   * Folds one record into the state.
   *
   * @param state the window's state so far
   * @param record the record
   * @return the new state, never null
   * @throws Exception when the record could not be processed
   */
  WindowState handle(WindowState state, StreamRecord record) throws Exception;
}
