package dev.kinesisresilient.core;

import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.LongStream;
import org.junit.jupiter.api.TestInfo;

/**
 * Seeds for the seeded property tests: a property is a {@code @ParameterizedTest(name = "seed={0}")}
 * whose {@code @MethodSource} returns {@link #of(int)}, and whose body builds its input from
 * {@code new SplittableRandom(seed)} and runs its checks inside {@link #check}.
 *
 * <p>By default a property runs the seeds {@code 0 .. count-1}, the same inputs on every run. Two system
 * properties (passed to the test JVM by {@code mvn -D...}) change that:
 *
 * <ul>
 *   <li>{@code -Dseed=N} runs only seed {@code N}, to re-run a failure (see docs/testing.md);
 *   <li>{@code -DseedBase=B} runs the seeds {@code B .. B+count-1}, to explore inputs the default run
 *       never tries.
 * </ul>
 *
 * <p>There is no shrinking: a failure names its seed and summarises its input, and the seed alone
 * reproduces it exactly.
 */
public final class Seeds {

  /** System property: the one seed to run. */
  public static final String SEED = "seed";

  /** System property: the first seed of the range to run (default 0). */
  public static final String SEED_BASE = "seedBase";

  private Seeds() {}

  /**
   * The seeds a property runs.
   *
   * @param count how many seeds when {@code -Dseed} is not set
   * @return {@code -Dseed} alone if set, else {@code count} consecutive seeds from {@code -DseedBase}
   *     (default 0)
   */
  public static LongStream of(int count) {
    String one = System.getProperty(SEED);
    if (one != null && !one.isBlank()) {
      return LongStream.of(Long.parseLong(one.trim()));
    }
    long base = Long.getLong(SEED_BASE, 0L);
    return LongStream.range(base, base + count);
  }

  /** A property's checks. */
  @FunctionalInterface
  public interface Checks {
    /**
     * Runs the checks.
     *
     * @throws Exception a failure
     */
    void run() throws Exception;
  }

  /**
   * Runs a property's checks for one seed; a failure is rethrown as an {@link AssertionError} naming the
   * seed, a summary of the input and the command that re-runs this seed alone.
   *
   * @param seed the seed the input was built from
   * @param info the running test (a parameter after the seed)
   * @param input describes the input (called only on failure)
   * @param checks the checks
   */
  public static void check(long seed, TestInfo info, Supplier<String> input, Checks checks) {
    try {
      checks.run();
    } catch (Exception | AssertionError e) {
      String test = info.getTestClass().map(Class::getSimpleName).orElse("?") + "#"
          + info.getTestMethod().map(m -> m.getName()).orElse("?");
      throw new AssertionError("property " + test + " failed for seed=" + seed + "; input: " + input.get()
          + "\n  re-run this seed alone: mvn -B -pl kinesis-resilient-core test -Dtest='" + test + "' -Dseed="
          + seed + "\n  cause: " + e, e);
    }
  }

  /**
   * An int in {@code min..max} (inclusive) that is one of the edges ({@code min}, {@code min+1},
   * {@code max-1}, {@code max}) one time in eight, else uniform.
   *
   * @param random the case's random source
   * @param min the smallest value
   * @param max the largest value
   * @return the value
   */
  public static int edgy(SplittableRandom random, int min, int max) {
    if (random.nextInt(8) == 0) {
      int[] edges = {min, Math.min(min + 1, max), Math.max(max - 1, min), max};
      return edges[random.nextInt(edges.length)];
    }
    return random.nextInt(min, max + 1);
  }
}
