package dev.kinesisresilient.lambda.check;

/**
 * How bad a {@link Finding} is, from worst to least bad.
 *
 * @since 0.1.0
 */
public enum Severity {
  /** Records are lost, silently skipped, or a shard can be blocked for days; or AWS rejects the value. */
  ERROR,
  /** A risk that bites under common conditions (a poison pill, a slow batch, an existing stream). */
  WARNING,
  /** Worth knowing: cost, limits Lambda applies silently, or something the check could not judge. */
  INFO;

  /**
   * Whether this severity is worse than the other one.
   *
   * @param other the severity to compare with
   * @return true when this is worse (ERROR is worse than WARNING, which is worse than INFO)
   */
  public boolean isWorseThan(Severity other) {
    return ordinal() < other.ordinal();
  }
}
