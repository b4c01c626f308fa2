package dev.kinesisresilient.lambda.check;

/**
 * The rules of {@link MappingCheck}. Each has a stable {@link #id()}: ids are never reused or renamed,
 * so tools and suppressions can rely on them. docs/lambda.md lists every rule with its reason and fix.
 *
 * @since 0.1.0
 */
public enum MappingRule {
  /** {@code MaximumRetryAttempts} absent or -1: a poison pill blocks its shard until the data expires. */
  RETRY_INFINITE("ESM-RETRY-INFINITE"),
  /** {@code MaximumRecordAgeInSeconds} absent or -1: records are retried up to the stream's retention. */
  RECORD_AGE_INFINITE("ESM-RECORD-AGE-INFINITE"),
  /** {@code FunctionResponseTypes} without {@code ReportBatchItemFailures}: partial responses are ignored. */
  NO_PARTIAL_RESPONSE("ESM-NO-PARTIAL-RESPONSE"),
  /** No {@code DestinationConfig.OnFailure}: discarded records leave no trace. */
  NO_ON_FAILURE("ESM-NO-ON-FAILURE"),
  /** {@code BisectBatchOnFunctionError} off: a crash or timeout retries the whole batch. */
  NO_BISECT("ESM-NO-BISECT"),
  /** {@code StartingPosition} LATEST: records written before the mapping exists are never processed. */
  STARTING_LATEST("ESM-STARTING-LATEST"),
  /** {@code BatchSize} cannot fit the 6 MB invocation payload at the stated record size. */
  PAYLOAD_CAP("ESM-PAYLOAD-CAP"),
  /** The function's {@code Timeout} is too short for a full batch plus a safety margin. */
  TIMEOUT_SHORT("ESM-TIMEOUT-SHORT"),
  /** {@code ParallelizationFactor} above 1: order only per partition key. */
  PARALLELIZATION("ESM-PARALLELIZATION"),
  /** {@code TumblingWindowInSeconds} set: the handler must return state; settings must fit the window. */
  TUMBLING_WINDOW("ESM-TUMBLING-WINDOW"),
  /** {@code FilterCriteria} on {@code data} while producers aggregate records (KPL format). */
  FILTER_AGGREGATED("ESM-FILTER-AGGREGATED"),
  /** {@code BatchSize} and {@code MaximumBatchingWindowInSeconds} that multiply invocations (cost). */
  BATCHING_COST("ESM-BATCHING-COST"),
  /** A value outside the range the Lambda API accepts, or a required setting missing. */
  INVALID_VALUE("ESM-INVALID-VALUE"),
  /** A value set by an expression the reader could not resolve: the rules that need it were skipped. */
  UNRESOLVED("ESM-UNRESOLVED");

  private final String id;

  MappingRule(String id) {
    this.id = id;
  }

  /**
   * The stable id printed in findings, for example {@code ESM-RETRY-INFINITE}.
   *
   * @return the rule id
   */
  public String id() {
    return id;
  }
}
