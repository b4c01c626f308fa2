package dev.kinesisresilient.benchmarks.kpl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ProcStatTest {
  // A real line of a java process (fields 14-17: utime 1510 stime 212 cutime 7 cstime 3).
  private static final String JAVA =
      "4242 (java) S 4200 4242 4200 0 -1 4194560 51811 3102 0 0 1510 212 7 3 20 0 38 0 1234567 6544613376 59218 "
          + "18446744073709551615 1 1 0 0 0 0 0 4096 16796879 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0";

  @Test
  void readsTheCpuFields() {
    ProcStat.Times t = ProcStat.parse(JAVA);

    assertThat(t).isEqualTo(new ProcStat.Times(1510, 212, 7, 3));
    assertThat(t.own()).isEqualTo(1722);
    assertThat(t.children()).isEqualTo(10);
  }

  @Test
  void aCommandNameWithSpacesAndParenthesesDoesNotShiftTheFields() {
    String line = JAVA.replace("(java)", "(kinesis (producer) 2)");

    assertThat(ProcStat.parse(line)).isEqualTo(new ProcStat.Times(1510, 212, 7, 3));
  }

  @Test
  void refusesWhatIsNotAStatLine() {
    assertThatThrownBy(() -> ProcStat.parse("4242 java S 1 2")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("parentheses");
    assertThatThrownBy(() -> ProcStat.parse("4242 (java) S 1 2 3")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("fields");
  }

  @Test
  void readsThisProcess() {
    assertThat(ProcStat.read(-1)).isPresent();
    assertThat(ProcStat.read(Long.MAX_VALUE)).isEmpty();
  }

  @Test
  void countsItselfReapedChildrenAndLivingDescendants() {
    ProcStat.Sample start = new ProcStat.Sample(new ProcStat.Times(100, 50, 0, 0), Map.of(7L, 30L));
    ProcStat.Sample end = new ProcStat.Sample(new ProcStat.Times(160, 70, 0, 0), Map.of(7L, 130L, 9L, 5L));

    // self 80 + native child 100 since the start + a new descendant 5
    assertThat(ProcStat.ticksBetween(start, end)).isEqualTo(185);
  }

  @Test
  void aDescendantThatExitedCountsOnlyItsTimeAfterTheStart() {
    ProcStat.Sample start = new ProcStat.Sample(new ProcStat.Times(100, 50, 2, 0), Map.of(7L, 30L));
    // child 7 exited with 130 ticks in all and was waited for: cutime grew by 130
    ProcStat.Sample end = new ProcStat.Sample(new ProcStat.Times(160, 70, 102, 30), Map.of());

    assertThat(ProcStat.ticksBetween(start, end)).isEqualTo(80 + 130 - 30);
  }

  @Test
  void readsTheOneMinuteLoadAverage() {
    assertThat(ProcStat.parseLoadAverage("3.94 2.09 2.11 5/138 11820\n")).isEqualTo(3.94);
    assertThatThrownBy(() -> ProcStat.parseLoadAverage("x y")).isInstanceOf(IllegalArgumentException.class);
  }
}
