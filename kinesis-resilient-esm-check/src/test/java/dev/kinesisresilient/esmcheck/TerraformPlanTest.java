package dev.kinesisresilient.esmcheck;

import static dev.kinesisresilient.esmcheck.SamTemplateTest.assertStartsWith;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Terraform plan JSON ({@code terraform show -json plan}). */
final class TerraformPlanTest {

  @Test
  void check_terraformPlan_reportsTheLegacyModuleMappingWithTerraformNames() {
    Cli.Result r = Cli.run(Cli.resource("terraform/plan.json"));

    assertThat(r.exit()).isEqualTo(EsmCheck.EXIT_ERROR);
    String legacy = "module.legacy.aws_lambda_event_source_mapping.legacy.";
    assertStartsWith(r.findingLines(),
        "ERROR ESM-RETRY-INFINITE " + legacy + "maximum_retry_attempts: absent, so -1",
        "ERROR ESM-NO-PARTIAL-RESPONSE " + legacy + "function_response_types:",
        "WARNING ESM-RECORD-AGE-INFINITE " + legacy + "maximum_record_age_in_seconds:",
        "WARNING ESM-NO-ON-FAILURE " + legacy + "destination_config.on_failure:",
        "WARNING ESM-NO-BISECT " + legacy + "bisect_batch_on_function_error:",
        "WARNING ESM-STARTING-LATEST " + legacy + "starting_position:",
        "WARNING ESM-TIMEOUT-SHORT " + legacy + "timeout: function Timeout 3 s",
        "INFO ESM-BATCHING-COST " + legacy + "maximum_batching_window_in_seconds:");
    // The recommended mapping (destination and stream known only after apply) is clean; SQS is skipped.
    assertThat(r.findingLines()).allMatch(l -> l.contains(legacy));
  }

  @Test
  void read_terraformPlan_linksFunctionThroughConfigurationReferences() throws Exception {
    List<MappingSource> mappings = EsmCheck.readMappings(Cli.RESOURCES.resolve("terraform/plan.json"));

    assertThat(mappings).extracting(MappingSource::resource).containsExactly(
        "aws_lambda_event_source_mapping.orders", "module.legacy.aws_lambda_event_source_mapping.legacy");
    MappingSource orders = mappings.get(0);
    assertThat(orders.settings().functionTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(orders.settings().functionMemorySizeBytes()).isEqualTo(1024L * 1024 * 1024);
    assertThat(orders.settings().functionHandler()).isEqualTo("com.example.OrdersHandler::handleRequest");
    assertThat(orders.settings().onFailureDestination()).isEqualTo("(known after apply)");
    assertThat(orders.propertyName("MaximumRetryAttempts")).isEqualTo("maximum_retry_attempts");
  }

  @Test
  void read_terraformState_readsValuesLikeAPlan() throws Exception {
    Map<String, Object> mapping = Map.of("address", "aws_lambda_event_source_mapping.a", "mode", "managed",
        "type", "aws_lambda_event_source_mapping", "values", Map.of(
            "event_source_arn", "arn:aws:kinesis:eu-west-1:123456789012:stream/a",
            "starting_position", "TRIM_HORIZON", "maximum_retry_attempts", 2));
    Map<String, Object> state = Map.of("format_version", "1.0",
        "values", Map.of("root_module", Map.of("resources", List.of(mapping))));

    List<MappingSource> mappings = TerraformReader.read(state);

    assertThat(mappings).singleElement().satisfies(m -> {
      assertThat(m.settings().maximumRetryAttempts()).isEqualTo(2);
      assertThat(m.settings().functionTimeout()).as("no function in the state").isNull();
    });
  }
}
