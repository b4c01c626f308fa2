package dev.kinesisresilient.esmcheck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kinesisresilient.lambda.check.EventSourceMappingSettings;
import dev.kinesisresilient.lambda.check.Finding;
import dev.kinesisresilient.lambda.check.MappingCheck;
import dev.kinesisresilient.lambda.check.MappingRule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.DestinationConfig;
import software.amazon.awssdk.services.lambda.model.GetEventSourceMappingRequest;
import software.amazon.awssdk.services.lambda.model.GetEventSourceMappingResponse;
import software.amazon.awssdk.services.lambda.model.GetFunctionConfigurationRequest;
import software.amazon.awssdk.services.lambda.model.GetFunctionConfigurationResponse;

/** docs/lambda.md's "same rules in your application" snippet, run against a fake Lambda client. */
final class DocsSnippetTest {

  /** Stands for the application's logger. */
  private static final class Log {
    final List<String> lines = new ArrayList<>();

    void warn(String line) {
      lines.add(line);
    }
  }

  private final Log log = new Log();

  @Test
  void snippet_deployedMappingWithDefaults_logsItsFindings() {
    LambdaClient lambda = new LambdaClient() {
      @Override
      public GetEventSourceMappingResponse getEventSourceMapping(GetEventSourceMappingRequest request) {
        return GetEventSourceMappingResponse.builder().uuid(request.uuid())
            .eventSourceArn("arn:aws:kinesis:eu-west-1:123456789012:stream/orders")
            .functionArn("arn:aws:lambda:eu-west-1:123456789012:function:orders")
            .batchSize(200).maximumBatchingWindowInSeconds(0).parallelizationFactor(1)
            .startingPosition("TRIM_HORIZON").maximumRetryAttempts(-1).maximumRecordAgeInSeconds(-1)
            .bisectBatchOnFunctionError(false).tumblingWindowInSeconds(0)
            .destinationConfig(DestinationConfig.builder().build())
            .functionResponseTypesWithStrings(List.of())
            .build();
      }

      @Override
      public GetFunctionConfigurationResponse getFunctionConfiguration(GetFunctionConfigurationRequest request) {
        return GetFunctionConfigurationResponse.builder().timeout(3).handler("com.example.Orders::handleRequest").build();
      }

      @Override
      public String serviceName() {
        return "lambda";
      }

      @Override
      public void close() {}
    };

    List<Finding> findings = snippet(lambda, "14e0db71");

    assertThat(findings).extracting(Finding::rule).contains(MappingRule.RETRY_INFINITE,
        MappingRule.NO_PARTIAL_RESPONSE, MappingRule.TIMEOUT_SHORT);
    assertThat(log.lines).hasSameSizeAs(findings).allMatch(l -> l.contains(" 14e0db71."));
  }

  @Test
  void docs_holdTheSnippetAsTested() throws IOException {
    String doc = Files.readString(Cli.REPO.resolve("docs/lambda.md"));
    int at = doc.indexOf("```java", doc.indexOf("### The same rules in your application"));
    String snippet = doc.substring(at + "```java".length(), doc.indexOf("```", at + 7));
    String source = Files.readString(Path.of("src/test/java/dev/kinesisresilient/esmcheck/DocsSnippetTest.java"));

    for (String line : snippet.strip().split("\\R")) {
      assertThat(source).as("the test runs the doc's line: %s", line).contains(line.strip());
    }
  }

  /** The snippet as docs/lambda.md shows it (docs_holdTheSnippetAsTested keeps them equal). */
  private List<Finding> snippet(LambdaClient lambda, String mappingUuid) {
    GetEventSourceMappingResponse m = lambda.getEventSourceMapping(r -> r.uuid(mappingUuid));
    GetFunctionConfigurationResponse fn = lambda.getFunctionConfiguration(r -> r.functionName(m.functionArn()));
    EventSourceMappingSettings.Builder b = EventSourceMappingSettings.builder()
        .eventSourceArn(m.eventSourceArn()).batchSize(m.batchSize())
        .maximumBatchingWindowInSeconds(m.maximumBatchingWindowInSeconds())
        .parallelizationFactor(m.parallelizationFactor()).startingPosition(m.startingPositionAsString())
        .maximumRetryAttempts(m.maximumRetryAttempts()).maximumRecordAgeInSeconds(m.maximumRecordAgeInSeconds())
        .bisectBatchOnFunctionError(m.bisectBatchOnFunctionError())
        .tumblingWindowInSeconds(m.tumblingWindowInSeconds())
        .onFailureDestination(m.destinationConfig() == null || m.destinationConfig().onFailure() == null
            ? null : m.destinationConfig().onFailure().destination())
        .functionTimeout(Duration.ofSeconds(fn.timeout())).functionHandler(fn.handler());
    m.functionResponseTypesAsStrings().forEach(b::addFunctionResponseType);
    if (m.filterCriteria() != null) {
      m.filterCriteria().filters().forEach(f -> b.addFilterPattern(f.pattern()));
    }
    List<Finding> findings = MappingCheck.builder().perRecordTime(Duration.ofMillis(20)).build()
        .check(mappingUuid, b.build());
    findings.forEach(f -> log.warn(f.format()));
    return findings;
  }
}
