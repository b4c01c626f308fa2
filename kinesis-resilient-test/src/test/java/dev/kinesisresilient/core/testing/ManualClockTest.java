package dev.kinesisresilient.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

final class ManualClockTest {

  @Test
  void create_noArguments_startsAtDefaultInstantInUtc() {
    ManualClock clock = ManualClock.create();

    assertThat(clock.instant()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
    assertThat(clock.getZone()).isEqualTo(ZoneOffset.UTC);
    assertThat(clock.millis()).isEqualTo(clock.instant().toEpochMilli());
  }

  @Test
  void startingAt_givenInstant_reportsIt() {
    Instant start = Instant.parse("2030-05-06T07:08:09.123456789Z");

    assertThat(ManualClock.startingAt(start).instant()).isEqualTo(start);
  }

  @Test
  void advance_positiveDuration_movesForwardAndReturnsNewInstant() {
    ManualClock clock = ManualClock.create();

    Instant after = clock.advance(Duration.ofMillis(1500));

    assertThat(after).isEqualTo(ManualClock.DEFAULT_START.plusMillis(1500));
    assertThat(clock.instant()).isEqualTo(after);
  }

  @Test
  void advance_zero_changesNothing() {
    ManualClock clock = ManualClock.create();

    clock.advance(Duration.ZERO);

    assertThat(clock.instant()).isEqualTo(ManualClock.DEFAULT_START);
  }

  @Test
  void advance_negative_throwsAndKeepsTime() {
    ManualClock clock = ManualClock.create();

    assertThatThrownBy(() -> clock.advance(Duration.ofNanos(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("negative");
    assertThat(clock.instant()).isEqualTo(ManualClock.DEFAULT_START);
  }

  @Test
  void set_laterOrSameInstant_setsIt() {
    ManualClock clock = ManualClock.create();
    Instant later = ManualClock.DEFAULT_START.plusSeconds(60);

    clock.set(later);
    clock.set(later);

    assertThat(clock.instant()).isEqualTo(later);
  }

  @Test
  void set_earlierInstant_throwsAndKeepsTime() {
    ManualClock clock = ManualClock.create();
    clock.advance(Duration.ofSeconds(10));

    assertThatThrownBy(() -> clock.set(ManualClock.DEFAULT_START))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("backwards");
    assertThat(clock.instant()).isEqualTo(ManualClock.DEFAULT_START.plusSeconds(10));
  }

  @Test
  void nullArguments_throwNullPointerException() {
    ManualClock clock = ManualClock.create();

    assertThatThrownBy(() -> clock.advance(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> clock.set(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> ManualClock.startingAt(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> clock.withZone(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void withZone_otherZone_sharesTimeBothWays() {
    ManualClock clock = ManualClock.create();
    ManualClock paris = clock.withZone(ZoneId.of("Europe/Paris"));

    clock.advance(Duration.ofSeconds(5));
    paris.advance(Duration.ofSeconds(5));

    assertThat(paris.getZone()).isEqualTo(ZoneId.of("Europe/Paris"));
    assertThat(paris.instant()).isEqualTo(ManualClock.DEFAULT_START.plusSeconds(10));
    assertThat(clock.instant()).isEqualTo(ManualClock.DEFAULT_START.plusSeconds(10));
    assertThat(clock.withZone(ZoneOffset.UTC)).isSameAs(clock);
  }

  @Test
  void advance_fromManyThreads_losesNoUpdate() throws InterruptedException {
    ManualClock clock = ManualClock.create();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      Thread t = new Thread(() -> {
        for (int j = 0; j < 1000; j++) {
          clock.advance(Duration.ofMillis(1));
        }
      });
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join();
    }

    assertThat(clock.instant()).isEqualTo(ManualClock.DEFAULT_START.plusMillis(8000));
  }
}
