package dev.kinesisresilient.esmcheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A realistic SAM template with everything wrong. */
final class SamTemplateTest {

  @Test
  void check_samTemplateWithEverythingWrong_reportsEveryRuleAndExits2() {
    Cli.Result r = Cli.run("--aggregated", "--record-size-bytes", "4096", Cli.resource("sam/everything-wrong.yaml"));

    assertThat(r.exit()).isEqualTo(EsmCheck.EXIT_ERROR);
    assertStartsWith(r.findingLines(),
        "ERROR ESM-RETRY-INFINITE ClicksConsumer.Events.Clicks.MaximumRetryAttempts: absent, so -1 (infinite)",
        "ERROR ESM-NO-PARTIAL-RESPONSE ClicksConsumer.Events.Clicks.FunctionResponseTypes: no ReportBatchItemFailures:"
            + " Lambda ignores the batchItemFailures that the handler com.example.clicks.ClicksHandler::handleRequest",
        "ERROR ESM-FILTER-AGGREGATED ClicksConsumer.Events.Clicks.FilterCriteria:",
        "WARNING ESM-RECORD-AGE-INFINITE ClicksConsumer.Events.Clicks.MaximumRecordAgeInSeconds:",
        "WARNING ESM-NO-ON-FAILURE ClicksConsumer.Events.Clicks.DestinationConfig.OnFailure:",
        "WARNING ESM-NO-BISECT ClicksConsumer.Events.Clicks.BisectBatchOnFunctionError:",
        "WARNING ESM-STARTING-LATEST ClicksConsumer.Events.Clicks.StartingPosition:",
        // Globals leave Timeout at Lambda's 3 s; 4 KiB records cap a batch at 1054 records.
        "WARNING ESM-TIMEOUT-SHORT ClicksConsumer.Events.Clicks.Timeout: function Timeout 3 s is shorter than 1054"
            + " records (BatchSize 5000, capped by the 6 MB payload)",
        "WARNING ESM-PARALLELIZATION ClicksConsumer.Events.Clicks.ParallelizationFactor:",
        "WARNING ESM-TUMBLING-WINDOW ClicksConsumer.Events.Clicks.MaximumBatchingWindowInSeconds:",
        "INFO ESM-PAYLOAD-CAP ClicksConsumer.Events.Clicks.BatchSize: BatchSize 5000 cannot fit",
        "INFO ESM-TUMBLING-WINDOW ClicksConsumer.Events.Clicks.TumblingWindowInSeconds:",
        "ERROR ESM-NO-ON-FAILURE ClicksConsumer.Events.Audit.DestinationConfig.OnFailure:",
        "ERROR ESM-INVALID-VALUE ClicksConsumer.Events.Audit.MaximumRecordAgeInSeconds:",
        "ERROR ESM-INVALID-VALUE ClicksConsumer.Events.Audit.FunctionResponseTypes:"
            + " FunctionResponseTypes 'ReportBatchItemFailure' is not ReportBatchItemFailures",
        "INFO ESM-BATCHING-COST ClicksConsumer.Events.Audit.BatchSize:",
        "INFO ESM-UNRESOLVED ClicksConsumer.Events.Audit.MaximumRetryAttempts:");
    // The Audit event's retries come from !If: not judged, only reported as unresolved.
    assertThat(r.findingLines()).noneMatch(l -> l.contains("Audit.MaximumRetryAttempts: ") && l.contains("RETRY"));
    // The S3 event is not a Kinesis mapping.
    assertThat(r.findingLines()).noneMatch(l -> l.contains("Uploads"));
  }

  /** Each prefix starts one of the lines. */
  static void assertStartsWith(List<String> lines, String... prefixes) {
    for (String prefix : prefixes) {
      assertThat(lines).as("a finding starting with %s", prefix).anyMatch(l -> l.startsWith(prefix));
    }
  }
}
