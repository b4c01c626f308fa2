package dev.kinesisresilient.benchmarks.kpl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTest {
  @Test
  void medianOfAnOddCountIsTheMiddleValue() {
    assertThat(Stats.median(List.of(9.0, 1.0, 5.0))).isEqualTo(5.0);
  }

  @Test
  void medianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
    assertThat(Stats.median(List.of(4.0, 1.0, 10.0, 2.0))).isEqualTo(3.0);
  }

  @Test
  void nanValuesAreLeftOutAndNoValueGivesNan() {
    assertThat(Stats.median(List.of(Double.NaN, 7.0))).isEqualTo(7.0);
    assertThat(Stats.median(List.of())).isNaN();
  }
}
