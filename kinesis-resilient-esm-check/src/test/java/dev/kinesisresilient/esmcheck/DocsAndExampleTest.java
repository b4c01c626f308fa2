package dev.kinesisresilient.esmcheck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kinesisresilient.lambda.check.MappingRule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/lambda/template.yaml and the recommended settings in docs/lambda.md pass with no error and
 * no warning; docs/lambda.md lists every rule; README shows the command.
 */
final class DocsAndExampleTest {

  private static final Path LAMBDA_MD = Cli.REPO.resolve("docs/lambda.md");

  @Test
  void check_exampleTemplate_hasNoErrorOrWarning() {
    Cli.Result r = Cli.run(Cli.REPO.resolve("examples/lambda/template.yaml").toString());

    assertThat(r.exit()).isZero();
    assertThat(r.findingLines()).isNotEmpty().allMatch(l -> l.startsWith("INFO "));
    assertThat(r.err()).doesNotContain("no Kinesis event source mapping found");
  }

  @Test
  void check_exampleTemplateWithoutAggregation_onlyTheWindowNote() {
    Cli.Result r = Cli.run("--not-aggregated", Cli.REPO.resolve("examples/lambda/template.yaml").toString());

    assertThat(r.findingLines()).singleElement().asString()
        .startsWith("INFO ESM-TUMBLING-WINDOW PageViewCounts.Events.PageViews.TumblingWindowInSeconds:");
    assertThat(r.exit()).isZero();
  }

  /** The example's functions open KPL aggregates, so its producers may aggregate: no filter may drop them. */
  @Test
  void check_exampleTemplateWithAggregatedProducers_hasNoErrorOrWarning() {
    Cli.Result r = Cli.run("--aggregated", Cli.REPO.resolve("examples/lambda/template.yaml").toString());

    assertThat(r.findingLines()).isNotEmpty().allMatch(l -> l.startsWith("INFO "))
        .noneMatch(l -> l.contains("ESM-FILTER-AGGREGATED"));
    assertThat(r.exit()).isZero();
  }

  @Test
  void check_samSnippetOfDocs_hasNoErrorOrWarning(@TempDir Path dir) throws IOException {
    String template = """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          OrdersStream:
            Type: AWS::Kinesis::Stream
            Properties:
              ShardCount: 1
          OrdersFailureQueue:
            Type: AWS::SQS::Queue
          OrdersConsumer:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: java17
              Handler: dev.kinesisresilient.examples.lambda.OrdersHandler::handleRequest
              MemorySize: 1024
              Timeout: 60
        """ + indent(snippet("**SAM**", "yaml"), 6);

    assertCleanButInfo(Cli.run(Files.writeString(dir.resolve("sam.yaml"), template).toString()), 1);
  }

  @Test
  void check_cloudFormationSnippetOfDocs_hasNoErrorOrWarning(@TempDir Path dir) throws IOException {
    String template = """
        Resources:
          OrdersStream:
            Type: AWS::Kinesis::Stream
            Properties:
              ShardCount: 1
          OrdersFailureQueue:
            Type: AWS::SQS::Queue
          OrdersConsumer:
            Type: AWS::Lambda::Function
            Properties:
              Runtime: java17
              Handler: dev.kinesisresilient.examples.lambda.OrdersHandler::handleRequest
              MemorySize: 1024
              Timeout: 60
        """ + indent(snippet("**CloudFormation**", "yaml"), 2);

    assertCleanButInfo(Cli.run(Files.writeString(dir.resolve("cfn.yaml"), template).toString()), 1);
  }

  @Test
  void check_cdkSnippetOfDocs_synthesizedTemplateHasNoErrorOrWarning() throws Exception {
    // What each CDK option of the snippet becomes in the synthesized mapping.
    Map<String, Map.Entry<String, Object>> synth = Map.of(
        "startingPosition", Map.entry("StartingPosition", "TRIM_HORIZON"),
        "batchSize", Map.entry("BatchSize", 100L),
        "reportBatchItemFailures", Map.entry("FunctionResponseTypes", List.of("ReportBatchItemFailures")),
        "retryAttempts", Map.entry("MaximumRetryAttempts", 10L),
        "maxRecordAge", Map.entry("MaximumRecordAgeInSeconds", 21600L),
        "bisectBatchOnError", Map.entry("BisectBatchOnFunctionError", true),
        "onFailure", Map.entry("DestinationConfig", Map.of("OnFailure",
            Map.of("Destination", Map.of("Fn::GetAtt", List.of("FailureQueue5A8D4E1B", "Arn"))))));
    Path fixture = Cli.RESOURCES.resolve("docs/cdk-synth.json");
    Map<?, ?> mapping = (Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) YamlLoader.load(Files.readString(fixture),
        "cdk")).get("Resources")).get("OrdersConsumerKinesisEventSourceOrdersStream0D3E5F7A")).get("Properties");
    Matcher option = Pattern.compile("^\\s+(\\w+): (.+?),?$", Pattern.MULTILINE).matcher(snippet("**CDK**", "ts"));
    List<String> options = new ArrayList<>();
    while (option.find()) {
      options.add(option.group(1));
    }

    assertThat(options).as("the snippet's options; a new one needs the fixture updated").containsExactlyInAnyOrderElementsOf(
        synth.keySet());
    for (Map.Entry<String, Object> e : synth.values()) {
      assertThat((Object) mapping.get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
    }
    assertCleanButInfo(Cli.run(fixture.toString()), 1);
  }

  @Test
  void check_terraformSnippetOfDocs_hasNoErrorOrWarning(@TempDir Path dir) throws IOException {
    Map<String, Object> values = new LinkedHashMap<>();
    Map<String, Object> expressions = new LinkedHashMap<>();
    parseHcl(snippet("**Terraform**", "hcl").lines().skip(1).toList(), 0, values, expressions);
    Map<String, Object> mapping = Map.of("address", "aws_lambda_event_source_mapping.orders", "mode", "managed",
        "type", "aws_lambda_event_source_mapping", "name", "orders", "values", values);
    Map<String, Object> function = Map.of("address", "aws_lambda_function.orders", "mode", "managed",
        "type", "aws_lambda_function", "name", "orders", "values", Map.of("function_name", "orders",
            "timeout", 60, "memory_size", 1024, "handler", "dev.kinesisresilient.examples.lambda.OrdersHandler::handleRequest"));
    Map<String, Object> plan = Map.of("format_version", "1.2",
        "planned_values", Map.of("root_module", Map.of("resources", List.of(function, mapping))),
        "configuration", Map.of("root_module", Map.of("resources", List.of(Map.of(
            "address", "aws_lambda_event_source_mapping.orders", "expressions", expressions)))));

    Cli.Result r = Cli.run(Files.writeString(dir.resolve("plan.json"), Json.write(plan)).toString());

    assertThat(values).containsEntry("maximum_retry_attempts", 10L).containsKey("destination_config");
    assertCleanButInfo(r, 1);
    assertThat(r.out()).doesNotContain("ESM-TIMEOUT-SHORT");
  }

  @Test
  void lambdaMd_listsEveryRuleWithReasonAndFix() throws IOException {
    String doc = Files.readString(LAMBDA_MD);
    String section = doc.substring(doc.indexOf("## Checking mapping settings"));

    for (MappingRule rule : MappingRule.values()) {
      assertThat(section).as(rule.id()).contains("| `" + rule.id() + "` |");
    }
  }

  @Test
  void readme_showsTheCommandAfterTheFirstTwo() throws IOException {
    String readme = Files.readString(Cli.REPO.resolve("README.md"));

    assertThat(readme).contains("java -jar kinesis-resilient-esm-check/target/esm-check.jar");
    assertThat(readme.indexOf("mvn -B verify")).isLessThan(readme.indexOf("esm-check.jar"));
  }

  private static void assertCleanButInfo(Cli.Result r, int mappings) {
    assertThat(r.err()).contains(" in " + mappings + " file(s); exit 0");
    assertThat(r.findingLines()).allMatch(l -> l.startsWith("INFO "));
    assertThat(r.exit()).isZero();
  }

  /** The first fenced block of {@code lang} after {@code heading} in docs/lambda.md's recommended settings. */
  private static String snippet(String heading, String lang) throws IOException {
    String doc = Files.readString(LAMBDA_MD);
    int section = doc.indexOf("## Recommended mapping settings");
    int at = doc.indexOf(heading, section);
    assertThat(at).as("%s in docs/lambda.md", heading).isPositive();
    int start = doc.indexOf("```" + lang + "\n", at) + lang.length() + 4;
    return doc.substring(start, doc.indexOf("```", start));
  }

  private static String indent(String text, int spaces) {
    return text.indent(spaces);
  }

  /** A small HCL reader for the snippet: attributes, nested blocks, strings, numbers, booleans, references. */
  private static int parseHcl(List<String> lines, int from, Map<String, Object> values, Map<String, Object> exprs) {
    Pattern attribute = Pattern.compile("^\\s*(\\w+)\\s*=\\s*(.+?)\\s*$");
    Pattern block = Pattern.compile("^\\s*(\\w+)\\s*\\{\\s*$");
    int i = from;
    while (i < lines.size()) {
      String line = lines.get(i);
      Matcher a = attribute.matcher(line);
      Matcher b = block.matcher(line);
      if (line.trim().equals("}")) {
        return i + 1;
      } else if (b.matches()) {
        Map<String, Object> inner = new LinkedHashMap<>();
        Map<String, Object> innerExprs = new LinkedHashMap<>();
        i = parseHcl(lines, i + 1, inner, innerExprs);
        values.put(b.group(1), List.of(inner));
        exprs.put(b.group(1), List.of(innerExprs));
        continue;
      } else if (a.matches()) {
        String v = a.group(2);
        if (v.startsWith("\"")) {
          values.put(a.group(1), v.substring(1, v.length() - 1));
        } else if (v.startsWith("[")) {
          values.put(a.group(1), List.of(v.substring(1, v.length() - 1).replace("\"", "").split(",\\s*")));
        } else if (v.equals("true") || v.equals("false")) {
          values.put(a.group(1), Boolean.valueOf(v));
        } else if (v.matches("-?\\d+")) {
          values.put(a.group(1), Long.valueOf(v));
        } else {
          // A reference: known after apply, so absent from the plan's values (as Terraform does).
          exprs.put(a.group(1), Map.of("references", List.of(v, v.substring(0, v.lastIndexOf('.')))));
        }
      }
      i++;
    }
    return i;
  }
}
