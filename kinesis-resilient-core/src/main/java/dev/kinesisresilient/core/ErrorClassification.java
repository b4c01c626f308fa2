package dev.kinesisresilient.core;

import java.util.Objects;

/**
 * The verdict on one error: can trying again help, and under which bounded code is it counted.
 *
 * @param retriable whether the same entry or request may succeed when sent again
 * @param metricCode the error code as used in metric tags and results: one of the codes of the
 *     classifier's table, or {@value #OTHER} for anything not in it (keeps tag values bounded)
 * @since 0.1.0
 */
public record ErrorClassification(boolean retriable, String metricCode) {

  /** The metric code of every error that the table does not name. */
  public static final String OTHER = "other";

  /**
   * Checks the code.
   *
   * @throws NullPointerException when {@code metricCode} is null
   */
  public ErrorClassification {
    Objects.requireNonNull(metricCode, "metricCode");
  }
}
