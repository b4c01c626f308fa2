package dev.kinesisresilient.lambda.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kinesisresilient.lambda.check.MappingCheck.ProducerAggregation;
import dev.kinesisresilient.lambda.testing.EventSourceMappingConfig;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

final class MappingCheckTest {

  /** The recommended settings of docs/lambda.md (and EventSourceMappingConfig.recommended()), on a 60 s function. */
  private static EventSourceMappingSettings.Builder recommended() {
    return EventSourceMappingSettings.builder()
        .eventSourceArn("arn:aws:kinesis:eu-west-1:123456789012:stream/orders")
        .startingPosition("TRIM_HORIZON")
        .batchSize(100)
        .maximumBatchingWindowInSeconds(1)
        .addFunctionResponseType("ReportBatchItemFailures")
        .maximumRetryAttempts(EventSourceMappingConfig.RECOMMENDED_MAXIMUM_RETRY_ATTEMPTS)
        .maximumRecordAgeInSeconds(EventSourceMappingConfig.RECOMMENDED_MAXIMUM_RECORD_AGE_SECONDS)
        .bisectBatchOnFunctionError(true)
        .onFailureDestination("arn:aws:sqs:eu-west-1:123456789012:orders-failures")
        .functionTimeout(Duration.ofSeconds(60));
  }

  private static List<MappingRule> rules(List<Finding> findings) {
    return findings.stream().map(Finding::rule).toList();
  }

  @Test
  void check_recommendedSettings_findsNothing() {
    assertThat(MappingCheck.defaults().check("m", recommended().build())).isEmpty();
  }

  @Test
  void check_lambdaDefaults_findsEveryDefaultRiskWorstFirst() {
    EventSourceMappingSettings defaults = EventSourceMappingSettings.builder().startingPosition("LATEST").build();

    List<Finding> findings = MappingCheck.defaults().check("m", defaults);

    assertThat(findings).extracting(f -> f.severity() + " " + f.ruleId() + " " + f.property()).containsExactly(
        "ERROR ESM-RETRY-INFINITE MaximumRetryAttempts",
        "ERROR ESM-NO-PARTIAL-RESPONSE FunctionResponseTypes",
        "WARNING ESM-RECORD-AGE-INFINITE MaximumRecordAgeInSeconds",
        "WARNING ESM-NO-ON-FAILURE DestinationConfig.OnFailure",
        "WARNING ESM-NO-BISECT BisectBatchOnFunctionError",
        "WARNING ESM-STARTING-LATEST StartingPosition",
        "INFO ESM-BATCHING-COST MaximumBatchingWindowInSeconds");
    assertThat(findings.get(0).message()).startsWith("absent, so -1 (infinite)");
    assertThat(Finding.worst(findings)).contains(Severity.ERROR);
  }

  @Test
  void check_noDestinationWithBoundedRetries_isAnErrorBecauseDiscardsLeaveNoTrace() {
    List<Finding> bounded = MappingCheck.defaults().check("m", recommended().onFailureDestination(null).build());
    List<Finding> infinite = MappingCheck.defaults().check("m",
        recommended().onFailureDestination(null).maximumRetryAttempts(-1).maximumRecordAgeInSeconds(-1).build());

    assertThat(bounded).singleElement().satisfies(f -> {
      assertThat(f.rule()).isEqualTo(MappingRule.NO_ON_FAILURE);
      assertThat(f.severity()).isEqualTo(Severity.ERROR);
    });
    assertThat(infinite).filteredOn(f -> f.rule() == MappingRule.NO_ON_FAILURE)
        .singleElement().extracting(Finding::severity).isEqualTo(Severity.WARNING);
  }

  @Test
  void check_dataFilter_severityFollowsProducerAggregation() {
    EventSourceMappingSettings s = recommended().addFilterPattern("{\"data\" : {\"type\": [\"created\"]}}").build();

    assertThat(check(ProducerAggregation.AGGREGATED, s)).singleElement().extracting(Finding::severity)
        .isEqualTo(Severity.ERROR);
    assertThat(check(ProducerAggregation.UNKNOWN, s)).singleElement().extracting(Finding::severity)
        .isEqualTo(Severity.INFO);
    assertThat(check(ProducerAggregation.NOT_AGGREGATED, s)).isEmpty();
    assertThat(check(ProducerAggregation.AGGREGATED,
        recommended().addFilterPattern("{\"partitionKey\": [\"a\"]}").build())).isEmpty();
  }

  @Test
  void check_parallelization_isAWarningWithAggregatedProducers() {
    EventSourceMappingSettings s = recommended().parallelizationFactor(4).build();

    assertThat(check(ProducerAggregation.UNKNOWN, s)).singleElement().extracting(Finding::severity)
        .isEqualTo(Severity.INFO);
    assertThat(check(ProducerAggregation.AGGREGATED, s)).singleElement().satisfies(f -> {
      assertThat(f.severity()).isEqualTo(Severity.WARNING);
      assertThat(f.fix()).contains("orderedParallelism");
    });
  }

  @Test
  void check_timeout_usesBatchCappedByPayloadAndTheStatedAssumptions() {
    EventSourceMappingSettings s = recommended().batchSize(10_000).functionTimeout(Duration.ofSeconds(30)).build();
    MappingCheck check = MappingCheck.builder()
        .averageRecordSizeBytes(100_000)  // 133,336 base64 + 500 bytes in the event: 47 records fit in 6 MiB
        .perRecordTime(Duration.ofSeconds(1))
        .safetyMargin(Duration.ofSeconds(2))
        .build();

    List<Finding> findings = check.check("m", s);

    assertThat(rules(findings)).containsExactly(MappingRule.TIMEOUT_SHORT, MappingRule.PAYLOAD_CAP);
    assertThat(findings.get(0).message()).contains("47 records (BatchSize 10000, capped by the 6 MB payload)")
        .contains("= 49 s");
    assertThat(findings.get(1).fix()).startsWith("set BatchSize to 47 or less");
    assertThat(findings.get(0).fix()).startsWith("raise Timeout to at least 49 s or lower BatchSize to 28");
  }

  @Test
  void check_timeoutBeyondLambdasMaximum_onlySuggestsASmallerBatch() {
    List<Finding> findings = MappingCheck.defaults().check("m",
        recommended().batchSize(10_000).functionTimeout(Duration.ofMinutes(15)).build());

    assertThat(findings).filteredOn(f -> f.rule() == MappingRule.TIMEOUT_SHORT).singleElement()
        .extracting(Finding::fix).asString().startsWith("lower BatchSize to 8990 (no Timeout up to 15 min fits");
  }

  @Test
  void check_timeoutOnASmallFunction_saysItsCpuShare() {
    List<Finding> small = MappingCheck.defaults().check("m", recommended().functionTimeout(Duration.ofSeconds(3))
        .functionMemorySizeBytes(256L * 1024 * 1024).build());
    List<Finding> large = MappingCheck.defaults().check("m", recommended().functionTimeout(Duration.ofSeconds(3))
        .functionMemorySizeBytes(2048L * 1024 * 1024).build());

    assertThat(small).singleElement().extracting(Finding::message).asString()
        .endsWith("; MemorySize 256 MB gives about 0.14 of a vCPU, so measure the per-record time at that size");
    assertThat(large).singleElement().extracting(Finding::message).asString().doesNotContain("vCPU");
  }

  @Test
  void check_unknownFunction_skipsTheTimeoutRule() {
    assertThat(MappingCheck.defaults().check("m", recommended().functionTimeout(null).batchSize(10_000).build()))
        .extracting(Finding::rule).doesNotContain(MappingRule.TIMEOUT_SHORT);
  }

  @Test
  void check_unresolvedProperty_skipsItsRulesAndSaysSo() {
    EventSourceMappingSettings s = recommended().maximumRetryAttempts(null).unresolved("MaximumRetryAttempts").build();

    assertThat(MappingCheck.defaults().check("m", s)).singleElement().satisfies(f -> {
      assertThat(f.rule()).isEqualTo(MappingRule.UNRESOLVED);
      assertThat(f.property()).isEqualTo("MaximumRetryAttempts");
      assertThat(f.severity()).isEqualTo(Severity.INFO);
    });
  }

  @Test
  void check_valuesTheApiRejects_areErrorsNotExceptions() {
    EventSourceMappingSettings s = recommended().batchSize(0).maximumBatchingWindowInSeconds(301)
        .parallelizationFactor(11).maximumRetryAttempts(10_001).maximumRecordAgeInSeconds(59)
        .tumblingWindowInSeconds(901).startingPosition("OLDEST").addFunctionResponseType("reportbatchitemfailures")
        .addFilterPattern("{}").addFilterPattern("{}").addFilterPattern("{}").addFilterPattern("{}")
        .addFilterPattern("{}").addFilterPattern("{}").addFilterPattern("{}").addFilterPattern("{}")
        .addFilterPattern("{}").addFilterPattern("{}").addFilterPattern("{}").build();

    List<Finding> invalid = MappingCheck.defaults().check("m", s).stream()
        .filter(f -> f.rule() == MappingRule.INVALID_VALUE).toList();

    assertThat(invalid).extracting(Finding::property).containsExactlyInAnyOrder("BatchSize",
        "MaximumBatchingWindowInSeconds", "ParallelizationFactor", "MaximumRetryAttempts", "MaximumRecordAgeInSeconds",
        "TumblingWindowInSeconds", "StartingPosition", "FunctionResponseTypes", "FilterCriteria");
    assertThat(invalid).allMatch(f -> f.severity() == Severity.ERROR);
  }

  @Test
  void check_sixToTenFilters_warnsAboutTheQuotaInsteadOfRejecting() {
    EventSourceMappingSettings.Builder b = recommended();
    for (int i = 0; i < 10; i++) {
      b.addFilterPattern("{\"data\": {\"type\": [\"t" + i + "\"]}}");
    }
    MappingCheck check = MappingCheck.builder().producerAggregation(ProducerAggregation.NOT_AGGREGATED).build();

    assertThat(check.check("m", b.build())).singleElement().satisfies(f -> {
      assertThat(f.rule()).isEqualTo(MappingRule.INVALID_VALUE);
      assertThat(f.severity()).isEqualTo(Severity.WARNING);
      assertThat(f.message()).contains("default quota of 5").contains("up to 10");
    });
  }

  @Test
  void check_missingStartingPosition_isInvalid() {
    assertThat(MappingCheck.defaults().check("m", recommended().startingPosition(null).build()))
        .singleElement().extracting(Finding::message).asString().contains("StartingPosition is required");
  }

  @Test
  void check_tumblingWindow_warnsWhenBatchingWindowDoesNotFit() {
    List<Finding> findings = MappingCheck.defaults().check("m",
        recommended().tumblingWindowInSeconds(30).maximumBatchingWindowInSeconds(30).build());

    assertThat(findings).extracting(f -> f.severity() + " " + f.property()).containsExactly(
        "WARNING MaximumBatchingWindowInSeconds", "INFO TumblingWindowInSeconds");
  }

  @Test
  void check_infiniteRetriesAndAge_fixesRecommendWhatDocsAndSimulatorRecommend() {
    List<Finding> findings = MappingCheck.defaults().check("m",
        recommended().maximumRetryAttempts(-1).maximumRecordAgeInSeconds(-1).build());

    assertThat(findings).filteredOn(f -> f.rule() == MappingRule.RETRY_INFINITE).singleElement()
        .extracting(Finding::fix).asString().contains("such as 10").contains("1+log2(BatchSize-1)")
        .doesNotContain("such as 3");
    assertThat(findings).filteredOn(f -> f.rule() == MappingRule.RECORD_AGE_INFINITE).singleElement()
        .extracting(Finding::fix).asString().contains("21600");
  }

  @Test
  void check_tumblingWindow_pointsToTumblingWindowProcessor() {
    List<Finding> findings = MappingCheck.builder().producerAggregation(ProducerAggregation.AGGREGATED).build()
        .check("m", recommended().tumblingWindowInSeconds(60).build());

    assertThat(findings).allMatch(f -> f.rule() == MappingRule.TUMBLING_WINDOW && f.severity() == Severity.INFO)
        .hasSize(2);
    assertThat(findings).allSatisfy(f -> assertThat(f.fix()).contains("TumblingWindowProcessor"));
    assertThat(findings).noneSatisfy(f -> assertThat(f.message()).contains("does not handle"));
  }

  @Test
  void check_dataFilterWithAggregatedProducers_errorOnStandardIteratorInfoOnEnhancedFanOut() {
    MappingCheck aggregated = MappingCheck.builder().producerAggregation(ProducerAggregation.AGGREGATED).build();
    EventSourceMappingSettings.Builder filtered = recommended().addFilterPattern("{\"data\": {\"type\": [\"a\"]}}");

    List<Finding> standard = aggregated.check("m", filtered.build());
    List<Finding> efo = aggregated.check("m", filtered
        .eventSourceArn("arn:aws:kinesis:eu-west-1:123456789012:stream/orders/consumer/orders-efo:1700000000")
        .build());

    assertThat(standard).singleElement().satisfies(f -> {
      assertThat(f.rule()).isEqualTo(MappingRule.FILTER_AGGREGATED);
      assertThat(f.severity()).isEqualTo(Severity.ERROR);
      assertThat(f.message()).contains("not an enhanced fan-out consumer").contains("drops every aggregate");
    });
    assertThat(efo).singleElement().satisfies(f -> {
      assertThat(f.rule()).isEqualTo(MappingRule.FILTER_AGGREGATED);
      assertThat(f.severity()).isEqualTo(Severity.INFO);
      assertThat(f.message()).contains("enhanced fan-out consumer").doesNotContain("drops every aggregate");
    });
  }

  @Test
  void check_smallBatch_mentionsTheParallelizationMultiplier() {
    List<Finding> findings = MappingCheck.defaults().check("m", recommended().batchSize(4).parallelizationFactor(2)
        .build());

    assertThat(findings).filteredOn(f -> f.rule() == MappingRule.BATCHING_COST).singleElement()
        .extracting(Finding::message).asString().contains("up to 250 invocations per second (x2");
  }

  @Test
  void builder_assumptionsOutOfRange_throwNamingTheOption() {
    assertThatThrownBy(() -> MappingCheck.builder().averageRecordSizeBytes(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("averageRecordSizeBytes");
    assertThatThrownBy(() -> MappingCheck.builder().perRecordTime(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("perRecordTime");
    assertThatThrownBy(() -> MappingCheck.builder().safetyMargin(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("safetyMargin");
    assertThatThrownBy(() -> MappingCheck.defaults().check("m", null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void toString_listsEveryAssumption() {
    assertThat(MappingCheck.builder().averageRecordSizeBytes(10).build().toString()).contains(
        "averageRecordSizeBytes=10", "perRecordTime=PT0.1S", "safetyMargin=PT1S", "producerAggregation=UNKNOWN");
  }

  @Test
  void finding_format_isTheDocumentedLine() {
    Finding f = new Finding(MappingRule.NO_BISECT, Severity.WARNING, "Orders", "BisectBatchOnFunctionError", "false",
        "set it");

    assertThat(f.format()).isEqualTo("WARNING ESM-NO-BISECT Orders.BisectBatchOnFunctionError: false (fix: set it)");
    assertThat(f.withLocation("r", "p").format()).isEqualTo("WARNING ESM-NO-BISECT r.p: false (fix: set it)");
    assertThat(Finding.worst(List.of())).isEqualTo(Optional.empty());
    assertThat(Severity.ERROR.isWorseThan(Severity.WARNING)).isTrue();
    assertThat(Severity.INFO.isWorseThan(Severity.WARNING)).isFalse();
  }

  @Test
  void settings_areImmutableCopies() {
    EventSourceMappingSettings.Builder b = recommended().addFilterPattern("{}");
    EventSourceMappingSettings s = b.build();
    b.addFilterPattern("{\"data\": {}}");

    assertThat(s.filterPatterns()).containsExactly("{}");
    assertThatThrownBy(() -> s.functionResponseTypes().add("x")).isInstanceOf(UnsupportedOperationException.class);
  }

  private static List<Finding> check(ProducerAggregation aggregation, EventSourceMappingSettings s) {
    return MappingCheck.builder().producerAggregation(aggregation).build().check("m", s);
  }
}
