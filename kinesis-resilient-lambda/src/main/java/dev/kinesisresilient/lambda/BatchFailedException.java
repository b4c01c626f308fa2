package dev.kinesisresilient.lambda;

import dev.kinesisresilient.core.KinesisResilientException;

/**
 * Thrown by {@link KinesisBatchProcessor#process} instead of returning a partial batch response, to
 * fail the invocation on purpose, in two cases. When the processor was told that the mapping does not
 * have {@code ReportBatchItemFailures} ({@link KinesisBatchProcessor.Builder#partialBatchResponse(boolean)
 * partialBatchResponse(false)}): without it Lambda would ignore the response and treat the failed
 * record as processed; throwing makes Lambda retry the whole batch instead. And when a record failed
 * for good and its Kinesis record is the first of a batch of several: a failed invocation is what
 * makes a mapping with {@code BisectBatchOnFunctionError} split the batch, so the record ends up alone
 * and is the only one discarded when retries run out (see {@link KinesisBatchProcessor}). Let it
 * propagate out of the handler.
 *
 * @since 0.1.0
 */
public final class BatchFailedException extends KinesisResilientException {
  private static final long serialVersionUID = 1L;

  private final String sequenceNumber;

  /**
   * Creates the exception.
   *
   * @param sequenceNumber the first record that was not handled
   * @param message what happened
   */
  public BatchFailedException(String sequenceNumber, String message) {
    super(message);
    this.sequenceNumber = sequenceNumber;
  }

  /**
   * The first record that was not handled.
   *
   * @return its sequence number
   */
  public String sequenceNumber() {
    return sequenceNumber;
  }

  /**
   * Retrying the batch may succeed.
   *
   * @return {@code true}
   */
  @Override
  public boolean isRetryable() {
    return true;
  }
}
