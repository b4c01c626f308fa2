package dev.kinesisresilient.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

final class BackendSelectionTest {

  private final Map<String, String> env = new HashMap<>();
  private final Map<String, String> props = new HashMap<>();
  private final AtomicInteger dockerProbes = new AtomicInteger();
  private boolean docker;
  private boolean node;

  private BackendSelection.Probes probes() {
    BooleanSupplier dockerProbe =
        () -> {
          dockerProbes.incrementAndGet();
          return docker;
        };
    return new BackendSelection.Probes(env::get, props::get, dockerProbe, () -> node);
  }

  private KinesisBackend auto() {
    return BackendSelection.choose(KinesisBackend.AUTO, false, probes()).backend();
  }

  @Test
  void auto_endpointSet_endpointWinsWithoutProbingDocker() {
    env.put("KINESIS_ENDPOINT", "http://localhost:4566");
    docker = true;
    node = true;

    BackendSelection.Choice choice = BackendSelection.choose(KinesisBackend.AUTO, false, probes());

    assertThat(choice.backend()).isEqualTo(KinesisBackend.ENDPOINT);
    assertThat(choice.reason()).contains("KINESIS_ENDPOINT=http://localhost:4566");
    assertThat(dockerProbes).hasValue(0);
  }

  @Test
  void auto_endpointAsSystemProperty_endpointWins() {
    props.put("KINESIS_ENDPOINT", "http://localhost:4567");

    assertThat(auto()).isEqualTo(KinesisBackend.ENDPOINT);
  }

  @Test
  void auto_blankEndpoint_ignored() {
    env.put("KINESIS_ENDPOINT", "  ");
    node = true;

    assertThat(auto()).isEqualTo(KinesisBackend.KINESIS_MOCK);
  }

  @Test
  void auto_dockerReachable_localStackBeforeKinesisMock() {
    docker = true;
    node = true;

    assertThat(auto()).isEqualTo(KinesisBackend.LOCALSTACK);
  }

  @Test
  void auto_noDockerButNode_kinesisMock() {
    node = true;

    BackendSelection.Choice choice = BackendSelection.choose(KinesisBackend.AUTO, false, probes());

    assertThat(choice.backend()).isEqualTo(KinesisBackend.KINESIS_MOCK);
    assertThat(choice.reason()).contains("no Docker daemon");
  }

  @Test
  void auto_nothingAvailable_inMemoryWithEveryReason() {
    BackendSelection.Choice choice = BackendSelection.choose(KinesisBackend.AUTO, false, probes());

    assertThat(choice.backend()).isEqualTo(KinesisBackend.IN_MEMORY);
    assertThat(choice.reason()).contains("KINESIS_ENDPOINT unset", "LOCALSTACK:", "KINESIS_MOCK:");
  }

  @Test
  void auto_nothingAvailableAndNetworkOnly_failsWithTheReasons() {
    assertThatThrownBy(() -> BackendSelection.choose(KinesisBackend.AUTO, true, probes()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no Kinesis endpoint available")
        .hasMessageContaining("node or npm");
  }

  @Test
  void forced_available_usedEvenWhenAnEarlierOneIsAvailable() {
    env.put("KINESIS_ENDPOINT", "http://localhost:4566");
    docker = true;

    assertThat(BackendSelection.choose(KinesisBackend.IN_MEMORY, false, probes()).backend())
        .isEqualTo(KinesisBackend.IN_MEMORY);
  }

  @Test
  void forcedLocalStack_noDocker_failsAndDoesNotFallBack() {
    node = true;

    assertThatThrownBy(() -> BackendSelection.choose(KinesisBackend.LOCALSTACK, false, probes()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("backend LOCALSTACK (requested in code) is not available")
        .hasMessageContaining("Docker");
  }

  @Test
  void forcedEndpoint_unset_fails() {
    assertThatThrownBy(() -> BackendSelection.choose(KinesisBackend.ENDPOINT, false, probes()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("KINESIS_ENDPOINT is not set");
  }

  @Test
  void forcedInMemory_networkOnly_fails() {
    assertThatThrownBy(() -> BackendSelection.choose(KinesisBackend.IN_MEMORY, true, probes()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("needs a Kinesis endpoint");
  }

  @Test
  void property_forcesBackendWhenCodeSaysAuto() {
    props.put(KinesisTestEnvironment.BACKEND_PROPERTY, "in-memory");
    node = true;

    BackendSelection.Choice choice = BackendSelection.choose(KinesisBackend.AUTO, false, probes());

    assertThat(choice.backend()).isEqualTo(KinesisBackend.IN_MEMORY);
    assertThat(choice.reason()).isEqualTo("kinesis.resilient.test.backend=in-memory");
  }

  @Test
  void property_codeChoiceWinsOverProperty() {
    props.put(KinesisTestEnvironment.BACKEND_PROPERTY, "localstack");
    node = true;

    assertThat(BackendSelection.choose(KinesisBackend.KINESIS_MOCK, false, probes()).backend())
        .isEqualTo(KinesisBackend.KINESIS_MOCK);
  }

  @Test
  void property_forcedButUnavailable_failsNamingTheProperty() {
    props.put(KinesisTestEnvironment.BACKEND_PROPERTY, "kinesis_mock");

    assertThatThrownBy(() -> BackendSelection.choose(KinesisBackend.AUTO, false, probes()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("kinesis.resilient.test.backend=kinesis_mock");
  }

  @Test
  void parse_unknownName_failsListingTheNames() {
    assertThatThrownBy(() -> BackendSelection.parse("docker"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("docker")
        .hasMessageContaining("kinesis-mock");
    assertThat(BackendSelection.parse(" Kinesis-Mock ")).isEqualTo(KinesisBackend.KINESIS_MOCK);
  }
}
