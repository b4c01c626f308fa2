package dev.kinesisresilient.benchmarks.kpl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RunResultTest {
  @Test
  void aResultLineRoundTrips() {
    RunResult r = new RunResult(200_000, 199_990, 10, 8.0, 1234, 100);

    RunResult back = RunResult.parse(r.toLine());

    assertThat(back.records()).isEqualTo(200_000);
    assertThat(back.acknowledged()).isEqualTo(199_990);
    assertThat(back.failed()).isEqualTo(10);
    assertThat(back.seconds()).isEqualTo(8.0);
    assertThat(back.recordsPerSecond()).isEqualTo(199_990 / 8.0);
    assertThat(back.cpuSeconds()).isEqualTo(12.34);
    assertThat(back.cpuSecondsPerMillion()).isEqualTo(61.7, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void otherLinesAreRefused() {
    assertThatThrownBy(() -> RunResult.parse("hello")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RunResult.parse("RESULT records=x")).isInstanceOf(IllegalArgumentException.class);
  }
}
