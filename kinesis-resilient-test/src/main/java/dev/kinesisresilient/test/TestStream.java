package dev.kinesisresilient.test;

import java.util.Objects;

/**
 * A stream created for one test (or one test class) by {@link LocalKinesisExtension}, ACTIVE when
 * the test starts and deleted after it.
 *
 * @param name the stream name, unique to the run
 * @param shardCount its number of shards at creation, at least 1
 * @since 0.1.0
 */
public record TestStream(String name, int shardCount) {

  /**
   * Checks the fields.
   *
   * @throws NullPointerException if {@code name} is null
   * @throws IllegalArgumentException if {@code shardCount} is less than 1
   */
  public TestStream {
    Objects.requireNonNull(name, "name");
    if (shardCount < 1) {
      throw new IllegalArgumentException("shardCount must be at least 1, was " + shardCount);
    }
  }
}
