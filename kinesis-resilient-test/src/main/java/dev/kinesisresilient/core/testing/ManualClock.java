package dev.kinesisresilient.core.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link Clock} that moves only when a test moves it.
 *
 * <p>Starts at {@link #DEFAULT_START} (2026-01-01T00:00:00Z) unless given another instant, in zone UTC.
 * Time moves forward with {@link #advance(Duration)} or {@link #set(Instant)} and never backwards, so
 * code under test that measures elapsed time never sees a negative duration.
 *
 * <p>Thread-safe: the current instant is held atomically, and every read sees the latest move. A clock
 * returned by {@link #withZone(ZoneId)} shares its time with this one: moving either moves both.
 *
 * <pre>{@code
 * ManualClock clock = ManualClock.create();
 * Instant start = clock.instant();
 * clock.advance(Duration.ofSeconds(1));
 * assert clock.instant().equals(start.plusSeconds(1));
 * }</pre>
 *
 * <p>How it fails: a negative duration, or an instant earlier than the current one, throws
 * {@link IllegalArgumentException} and leaves the time unchanged.
 *
 * @since 0.1.0
 */
public final class ManualClock extends Clock {

  /** The instant a clock starts at when none is given: 2026-01-01T00:00:00Z. */
  public static final Instant DEFAULT_START = Instant.parse("2026-01-01T00:00:00Z");

  private final AtomicReference<Instant> now;
  private final ZoneId zone;

  private ManualClock(AtomicReference<Instant> now, ZoneId zone) {
    this.now = now;
    this.zone = zone;
  }

  /**
   * A clock at {@link #DEFAULT_START}, in zone UTC.
   *
   * @return a new clock
   */
  public static ManualClock create() {
    return startingAt(DEFAULT_START);
  }

  /**
   * A clock at the given instant, in zone UTC.
   *
   * @param start the first instant the clock reports
   * @return a new clock
   * @throws NullPointerException when {@code start} is null
   */
  public static ManualClock startingAt(Instant start) {
    Objects.requireNonNull(start, "start");
    return new ManualClock(new AtomicReference<>(start), ZoneOffset.UTC);
  }

  /**
   * The clock's zone.
   *
   * @return UTC unless this clock came from {@link #withZone(ZoneId)}
   */
  @Override
  public ZoneId getZone() {
    return zone;
  }

  /**
   * A clock with another zone that shares this clock's time: moving either moves both.
   *
   * @param zone the zone of the returned clock
   * @return this clock when the zone is the same, else a view in the given zone
   * @throws NullPointerException when {@code zone} is null
   */
  @Override
  public ManualClock withZone(ZoneId zone) {
    Objects.requireNonNull(zone, "zone");
    return zone.equals(this.zone) ? this : new ManualClock(now, zone);
  }

  /**
   * The current instant, as last set or advanced.
   *
   * @return the current instant
   */
  @Override
  public Instant instant() {
    return now.get();
  }

  /**
   * The current instant in milliseconds since the epoch.
   *
   * @return {@code instant().toEpochMilli()}
   */
  @Override
  public long millis() {
    return now.get().toEpochMilli();
  }

  /**
   * Moves the clock forward.
   *
   * @param duration how far to move; zero is allowed and changes nothing
   * @return the new current instant
   * @throws NullPointerException when {@code duration} is null
   * @throws IllegalArgumentException when {@code duration} is negative
   */
  public Instant advance(Duration duration) {
    Objects.requireNonNull(duration, "duration");
    if (duration.isNegative()) {
      throw new IllegalArgumentException("duration must not be negative, was " + duration);
    }
    return now.updateAndGet(t -> t.plus(duration));
  }

  /**
   * Sets the clock to an instant at or after the current one.
   *
   * @param instant the new current instant
   * @return {@code instant}
   * @throws NullPointerException when {@code instant} is null
   * @throws IllegalArgumentException when {@code instant} is before the current instant (the clock never
   *     goes backwards)
   */
  public Instant set(Instant instant) {
    Objects.requireNonNull(instant, "instant");
    return now.updateAndGet(
        t -> {
          if (instant.isBefore(t)) {
            throw new IllegalArgumentException(
                "a ManualClock never goes backwards: now " + t + ", asked for " + instant);
          }
          return instant;
        });
  }

  /**
   * Moves the clock to {@code instant} if that is later than now, else leaves it.
   *
   * @param instant the instant to reach
   * @return the new current instant
   */
  Instant advanceTo(Instant instant) {
    return now.updateAndGet(t -> instant.isAfter(t) ? instant : t);
  }

  /**
   * Shows the current instant and zone.
   *
   * @return for example {@code ManualClock[2026-01-01T00:00:00Z, Z]}
   */
  @Override
  public String toString() {
    return "ManualClock[" + now.get() + ", " + zone + "]";
  }
}
