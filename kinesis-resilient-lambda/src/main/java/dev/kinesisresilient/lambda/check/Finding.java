package dev.kinesisresilient.lambda.check;

import java.util.Collection;
import java.util.Objects;
import java.util.Optional;

/**
 * One risky setting of one event source mapping: the rule, how bad it is, where it is, what happens
 * in production, and the fix. Immutable and thread-safe.
 *
 * @param rule the rule that found it; {@code rule.id()} is stable
 * @param severity how bad it is
 * @param resource the mapping, as the source names it (template logical id, Terraform address, UUID)
 * @param property the setting, as the source names it (e.g. {@code MaximumRetryAttempts})
 * @param message what happens in production, with the values involved
 * @param fix what to set instead
 * @since 0.1.0
 */
public record Finding(
    MappingRule rule, Severity severity, String resource, String property, String message, String fix) {

  /**
   * Validates that no component is null.
   *
   * @throws NullPointerException naming the null component
   */
  public Finding {
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(resource, "resource");
    Objects.requireNonNull(property, "property");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(fix, "fix");
  }

  /**
   * The rule's stable id.
   *
   * @return {@code rule().id()}
   */
  public String ruleId() {
    return rule.id();
  }

  /**
   * This finding with another resource and property name, for readers that name settings their own
   * way (Terraform's {@code maximum_retry_attempts}).
   *
   * @param newResource the resource name
   * @param newProperty the property name
   * @return a copy with those names
   */
  public Finding withLocation(String newResource, String newProperty) {
    return new Finding(rule, severity, newResource, newProperty, message, fix);
  }

  /**
   * One line: {@code SEVERITY RULE-ID resource.property: message (fix: ...)}.
   *
   * @return the finding as one line of text
   */
  public String format() {
    return severity + " " + rule.id() + " " + resource + "." + property + ": " + message + " (fix: " + fix + ")";
  }

  /**
   * The worst severity among findings.
   *
   * @param findings any findings
   * @return the worst severity, empty when there is none
   */
  public static Optional<Severity> worst(Collection<Finding> findings) {
    Objects.requireNonNull(findings, "findings");
    Severity worst = null;
    for (Finding f : findings) {
      if (worst == null || f.severity().isWorseThan(worst)) {
        worst = f.severity();
      }
    }
    return Optional.ofNullable(worst);
  }

  @Override
  public String toString() {
    return format();
  }
}
