package dev.kinesisresilient.esmcheck;

import static dev.kinesisresilient.esmcheck.SamTemplateTest.assertStartsWith;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Recorded Lambda API responses (aws lambda list-event-source-mappings / get-event-source-mapping). */
final class LambdaApiTest {

  @Test
  void check_recordedListEventSourceMappings_reportsTheDefaultsOfTheDeployedMapping() {
    Cli.Result r = Cli.run(Cli.resource("lambda-api/list-event-source-mappings.json"));

    assertThat(r.exit()).isEqualTo(EsmCheck.EXIT_ERROR);
    String clicks = "14e0db71-5d35-4eb5-b481-8945cf9d10c2.";
    assertStartsWith(r.findingLines(),
        "ERROR ESM-RETRY-INFINITE " + clicks + "MaximumRetryAttempts: -1 (infinite)",
        "ERROR ESM-NO-PARTIAL-RESPONSE " + clicks + "FunctionResponseTypes:",
        "WARNING ESM-RECORD-AGE-INFINITE " + clicks + "MaximumRecordAgeInSeconds: -1 (no limit)",
        "WARNING ESM-NO-ON-FAILURE " + clicks + "DestinationConfig.OnFailure:",
        "WARNING ESM-NO-BISECT " + clicks + "BisectBatchOnFunctionError: false",
        "WARNING ESM-STARTING-LATEST " + clicks + "StartingPosition:",
        "INFO ESM-BATCHING-COST " + clicks + "MaximumBatchingWindowInSeconds: 0 with BatchSize 100",
        "INFO ESM-FILTER-AGGREGATED 6f1c2b9e-0a4d-4c7e-9b55-3f8d2e7a1c40.FilterCriteria: if producers aggregate");
    // The SQS mapping is not checked; the response has no function settings, so no timeout rule.
    assertThat(r.out()).doesNotContain("b7d0c9a2").doesNotContain("ESM-TIMEOUT-SHORT");
  }

  @Test
  void check_recordedGetEventSourceMapping_recommendedSettingsAreClean() {
    Cli.Result r = Cli.run("--not-aggregated", Cli.resource("lambda-api/get-event-source-mapping.json"));

    assertThat(r.findingLines()).isEmpty();
    assertThat(r.exit()).isZero();
  }
}
