package dev.kinesisresilient.lambda.testing;

import dev.kinesisresilient.lambda.internal.Json;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** How the event source mapping reads a function's response when ReportBatchItemFailures is on. */
final class ResponseRules {

  private static final Pattern DIGITS = Pattern.compile("[0-9]{1,128}");

  private ResponseRules() {}

  /** The verdict on one response. */
  sealed interface Verdict permits Success, Partial, Invalid {}

  /** The whole batch succeeded. */
  record Success() implements Verdict {}

  /**
   * Records from {@code lowest} on failed.
   *
   * @param lowest the numerically lowest reported sequence number
   */
  record Partial(BigInteger lowest) implements Verdict {}

  /**
   * The response fails the whole batch.
   *
   * @param why the rule that was broken
   */
  record Invalid(String why) implements Verdict {}

  /**
   * Applies the rules.
   *
   * @param body the response JSON, or null
   * @param batch the batch's sequence numbers
   * @param requireInBatch whether an identifier must be a sequence number of the batch (else any
   *     decimal number is accepted)
   * @param unparsableIsSuccess how a body that is not JSON, or JSON that is neither an object nor an
   *     empty list, is read (undocumented by AWS)
   * @return the verdict
   */
  static Verdict validate(@Nullable String body, Set<String> batch, boolean requireInBatch,
      boolean unparsableIsSuccess) {
    if (body == null || body.isBlank()) {
      return new Success();
    }
    Object parsed;
    try {
      parsed = Json.parse(body);
    } catch (IllegalArgumentException e) {
      return unparsableIsSuccess ? new Success() : new Invalid("response is not JSON");
    }
    if (parsed == null || "".equals(parsed) || (parsed instanceof List<?> l && l.isEmpty())) {
      return new Success();
    }
    if (!(parsed instanceof Map<?, ?> root)) {
      return unparsableIsSuccess ? new Success() : new Invalid("response is not a JSON object");
    }
    Object failures = root.get("batchItemFailures");
    if (failures == null) {
      return new Success();
    }
    if (!(failures instanceof List<?> list)) {
      return new Invalid("batchItemFailures is not a list");
    }
    if (list.isEmpty()) {
      return new Success();
    }
    BigInteger lowest = null;
    for (Object o : list) {
      if (!(o instanceof Map<?, ?> entry) || !entry.containsKey("itemIdentifier")) {
        return new Invalid("an entry lacks the key itemIdentifier");
      }
      Object id = entry.get("itemIdentifier");
      if (!(id instanceof String s) || s.isEmpty()) {
        return new Invalid("an itemIdentifier is null or empty");
      }
      if (requireInBatch ? !batch.contains(s) : !DIGITS.matcher(s).matches()) {
        return new Invalid("itemIdentifier " + s + " is not a sequence number of this batch");
      }
      BigInteger n = new BigInteger(s);
      if (lowest == null || n.compareTo(lowest) < 0) {
        lowest = n;
      }
    }
    return new Partial(lowest);
  }
}
