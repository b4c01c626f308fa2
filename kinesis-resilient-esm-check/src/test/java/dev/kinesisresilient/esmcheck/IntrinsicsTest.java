package dev.kinesisresilient.esmcheck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kinesisresilient.lambda.check.EventSourceMappingSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Short-form ({@code !Ref}) and long-form ({@code Ref:}, {@code Fn::}) intrinsics, YAML and JSON. */
final class IntrinsicsTest {

  @ParameterizedTest
  @ValueSource(strings = {"intrinsics/short-form.yaml", "intrinsics/long-form.yaml", "intrinsics/long-form.json"})
  void read_templateWithIntrinsics_resolvesParametersMappingsAndFunction(String file) throws Exception {
    List<MappingSource> mappings = EsmCheck.readMappings(Cli.RESOURCES.resolve(file));

    assertThat(mappings).singleElement().satisfies(m -> {
      EventSourceMappingSettings s = m.settings();
      assertThat(s.batchSize()).as("!FindInMap [Settings, !Ref Env, BatchSize]").isEqualTo(200);
      assertThat(s.maximumRetryAttempts()).as("!Ref RetryAttempts (Default 2)").isEqualTo(2);
      assertThat(s.maximumRecordAgeInSeconds()).as("!If with equal branches").isEqualTo(3600);
      assertThat(s.parallelizationFactor()).as("!Ref AWS::NoValue").isNull();
      assertThat(s.onFailureDestination()).isEqualTo("!GetAtt FailureQueue.Arn");
      assertThat(s.eventSourceArn()).contains(":kinesis:");
      assertThat(s.functionTimeout()).as("through the alias, !Ref FunctionTimeout").isEqualTo(Duration.ofSeconds(30));
      assertThat(s.functionMemorySizeBytes()).isEqualTo(512L * 1024 * 1024);
      assertThat(s.functionHandler()).isEqualTo("com.example.OrdersHandler::handleRequest");
      assertThat(s.unresolvedProperties()).containsExactlyInAnyOrder("StartingPosition", "MaximumBatchingWindowInSeconds");
    });
  }

  @Test
  void check_shortAndLongForms_giveTheSameFindings() {
    Cli.Result shortForm = Cli.run(Cli.resource("intrinsics/short-form.yaml"));
    Cli.Result longYaml = Cli.run(Cli.resource("intrinsics/long-form.yaml"));
    Cli.Result longJson = Cli.run(Cli.resource("intrinsics/long-form.json"));

    assertThat(shortForm.findingLines()).hasSize(2).allMatch(l -> l.startsWith("INFO ESM-UNRESOLVED OrdersMapping."));
    assertThat(longYaml.out()).isEqualTo(shortForm.out());
    assertThat(longJson.out()).isEqualTo(shortForm.out());
    assertThat(shortForm.exit()).isZero();
  }

  @Test
  void load_shortFormTags_becomeLongForm() {
    Object root = YamlLoader.load("""
        a: !Ref X
        b: !GetAtt Stream.Arn
        c: !GetAtt [Stream, Arn]
        d: !Sub "arn:${AWS::Partition}"
        e: !If [Cond, !Ref Y, !ImportValue Z]
        f: !Condition Cond
        """, "t");

    assertThat(root).isEqualTo(Map.of(
        "a", Map.of("Ref", "X"),
        "b", Map.of("Fn::GetAtt", List.of("Stream", "Arn")),
        "c", Map.of("Fn::GetAtt", List.of("Stream", "Arn")),
        "d", Map.of("Fn::Sub", "arn:${AWS::Partition}"),
        "e", Map.of("Fn::If", List.of("Cond", Map.of("Ref", "Y"), Map.of("Fn::ImportValue", "Z"))),
        "f", Map.of("Condition", "Cond")));
  }
}
