package dev.kinesisresilient.lambda.testing;

import dev.kinesisresilient.lambda.internal.Json;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One event source mapping filter (a {@code FilterCriteria.Filters[].Pattern}) on the JSON data of
 * Kinesis records, with the EventBridge-style matching Lambda applies: Lambda base64-decodes
 * {@code data}, parses it as JSON and matches; data that is not JSON never matches a data pattern.
 *
 * <p>Supported (a basic subset): exact values (strings, numbers, booleans, null), {@code prefix},
 * {@code anything-but} (a value, a list of values, or a prefix), {@code numeric} (one or two
 * comparisons with {@code = < <= > >=}) and {@code exists}. Within a pattern, keys are AND-ed and the
 * values listed for a key are OR-ed; a list in the data matches when any element does. Anything
 * else ({@code suffix}, {@code equals-ignore-case}, {@code cidr}, {@code $or}, wildcards, metadata
 * keys other than {@code data}) is rejected when parsed, as a mapping would reject an invalid
 * pattern at create time.
 *
 * <pre>{@code
 * FilterPattern p = FilterPattern.parse("{\"data\":{\"type\":[\"order\"],\"amount\":[{\"numeric\":[\">\",100]}]}}");
 * p.matches("{\"type\":\"order\",\"amount\":150}".getBytes(UTF_8));   // true
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.1.0
 */
public final class FilterPattern {

  private static final Set<String> OPERATORS = Set.of("prefix", "anything-but", "numeric", "exists");

  private final String source;
  private final Map<String, @Nullable Object> dataPattern;

  private FilterPattern(String source, Map<String, @Nullable Object> dataPattern) {
    this.source = source;
    this.dataPattern = dataPattern;
  }

  /**
   * Parses and validates a pattern.
   *
   * @param pattern the pattern JSON, for example {@code {"data":{"type":["order"]}}}
   * @return the pattern
   * @throws IllegalArgumentException when it is not valid JSON, not an object with only a {@code data}
   *     object, or uses an unsupported or malformed operator
   */
  @SuppressWarnings("unchecked")
  public static FilterPattern parse(String pattern) {
    Objects.requireNonNull(pattern, "pattern");
    Map<String, @Nullable Object> root;
    try {
      root = Json.parseObject(pattern);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("filter pattern is not a JSON object: " + e.getMessage(), e);
    }
    if (root.isEmpty()) {
      throw new IllegalArgumentException("filter pattern is empty");
    }
    for (String key : root.keySet()) {
      if (!key.equals("data")) {
        throw new IllegalArgumentException("filter pattern key '" + key + "' is not supported; the simulator "
            + "filters on 'data' only");
      }
    }
    if (!(root.get("data") instanceof Map<?, ?> data) || data.isEmpty()) {
      throw new IllegalArgumentException("filter pattern 'data' must be a non-empty object");
    }
    validate((Map<String, @Nullable Object>) data, "data");
    return new FilterPattern(pattern, (Map<String, @Nullable Object>) data);
  }

  @SuppressWarnings("unchecked")
  private static void validate(Map<String, @Nullable Object> node, String path) {
    for (Map.Entry<String, @Nullable Object> e : node.entrySet()) {
      String p = path + "." + e.getKey();
      Object v = e.getValue();
      if (v instanceof Map<?, ?> nested) {
        if (nested.isEmpty()) {
          throw new IllegalArgumentException("filter pattern " + p + " is an empty object");
        }
        validate((Map<String, @Nullable Object>) nested, p);
      } else if (v instanceof List<?> values) {
        if (values.isEmpty()) {
          throw new IllegalArgumentException("filter pattern " + p + " has an empty list of values");
        }
        for (Object m : values) {
          if (m instanceof Map<?, ?> op) {
            validateOperator((Map<String, @Nullable Object>) op, p);
          } else if (m instanceof List<?>) {
            throw new IllegalArgumentException("filter pattern " + p + " has a nested list");
          }
        }
      } else {
        throw new IllegalArgumentException("filter pattern " + p + " must be an object or a list of values");
      }
    }
  }

  private static void validateOperator(Map<String, @Nullable Object> op, String path) {
    if (op.size() != 1) {
      throw new IllegalArgumentException("filter pattern " + path + " operator object must have exactly one key");
    }
    String name = op.keySet().iterator().next();
    Object arg = op.get(name);
    if (!OPERATORS.contains(name)) {
      throw new IllegalArgumentException("filter operator '" + name + "' at " + path + " is not supported");
    }
    switch (name) {
      case "prefix" -> {
        if (!(arg instanceof String)) {
          throw new IllegalArgumentException("prefix at " + path + " must be a string");
        }
      }
      case "exists" -> {
        if (!(arg instanceof Boolean)) {
          throw new IllegalArgumentException("exists at " + path + " must be true or false");
        }
      }
      case "anything-but" -> {
        if (arg instanceof Map<?, ?> m) {
          if (m.size() != 1 || !(m.get("prefix") instanceof String)) {
            throw new IllegalArgumentException("anything-but at " + path + " supports only {\"prefix\": string}");
          }
        } else if (arg instanceof List<?> l) {
          for (Object o : l) {
            if (o instanceof Map || o instanceof List) {
              throw new IllegalArgumentException("anything-but at " + path + " must list plain values");
            }
          }
        }
      }
      case "numeric" -> {
        if (!(arg instanceof List<?> l) || (l.size() != 2 && l.size() != 4)) {
          throw new IllegalArgumentException("numeric at " + path + " must be [op, number] or [op, n, op, n]");
        }
        for (int i = 0; i < l.size(); i += 2) {
          Object o = l.get(i);
          if (!(o instanceof String s) || !Set.of("=", "<", "<=", ">", ">=").contains(s)
              || !(l.get(i + 1) instanceof BigDecimal)) {
            throw new IllegalArgumentException("numeric at " + path + " has a bad comparison");
          }
        }
      }
      default -> throw new IllegalStateException(name);
    }
  }

  /**
   * Whether a record's data matches.
   *
   * @param data the record's (decoded) data
   * @return false when the data is not a JSON object or does not match
   */
  public boolean matches(byte[] data) {
    Object parsed;
    try {
      parsed = Json.parse(new String(data, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      return false;
    }
    return parsed instanceof Map<?, ?> m && matchObject(dataPattern, m);
  }

  @SuppressWarnings("unchecked")
  private static boolean matchObject(Map<String, @Nullable Object> pattern, Map<?, ?> data) {
    for (Map.Entry<String, @Nullable Object> e : pattern.entrySet()) {
      boolean present = data.containsKey(e.getKey());
      Object value = data.get(e.getKey());
      if (e.getValue() instanceof Map<?, ?> nested) {
        if (!(value instanceof Map<?, ?> vm) || !matchObject((Map<String, @Nullable Object>) nested, vm)) {
          return false;
        }
      } else if (!matchAny((List<?>) Objects.requireNonNull(e.getValue()), present, value)) {
        return false;
      }
    }
    return true;
  }

  @SuppressWarnings("unchecked")
  private static boolean matchAny(List<?> matchers, boolean present, @Nullable Object value) {
    for (Object m : matchers) {
      if (m instanceof Map<?, ?> op) {
        if (matchOperator((Map<String, @Nullable Object>) op, present, value)) {
          return true;
        }
      } else if (present && anyElement(value, v -> same(m, v))) {
        return true;
      }
    }
    return false;
  }

  private static boolean matchOperator(Map<String, @Nullable Object> op, boolean present, @Nullable Object value) {
    String name = op.keySet().iterator().next();
    Object arg = op.get(name);
    switch (name) {
      case "exists":
        return Boolean.TRUE.equals(arg) == (present && !(value instanceof Map));
      case "prefix":
        return present && anyElement(value, v -> v instanceof String s && s.startsWith((String) arg));
      case "numeric":
        return present && anyElement(value, v -> v instanceof BigDecimal d && numeric((List<?>) arg, d));
      case "anything-but":
        if (!present || value instanceof Map) {
          return false;
        }
        if (arg instanceof Map<?, ?> m) {
          String prefix = (String) m.get("prefix");
          return !anyElement(value, v -> v instanceof String s && s.startsWith(prefix));
        }
        List<?> excluded = arg instanceof List<?> l ? l : java.util.Collections.singletonList(arg);
        return !anyElement(value, v -> excluded.stream().anyMatch(x -> same(x, v)));
      default:
        return false;
    }
  }

  private static boolean numeric(List<?> spec, BigDecimal d) {
    for (int i = 0; i < spec.size(); i += 2) {
      int c = d.compareTo((BigDecimal) spec.get(i + 1));
      boolean ok = switch ((String) spec.get(i)) {
        case "=" -> c == 0;
        case "<" -> c < 0;
        case "<=" -> c <= 0;
        case ">" -> c > 0;
        case ">=" -> c >= 0;
        default -> false;
      };
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static boolean anyElement(@Nullable Object value, java.util.function.Predicate<@Nullable Object> test) {
    if (value instanceof List<?> l) {
      for (Object o : l) {
        if (test.test(o)) {
          return true;
        }
      }
      return false;
    }
    return test.test(value);
  }

  private static boolean same(@Nullable Object pattern, @Nullable Object value) {
    if (pattern == null || value == null) {
      return pattern == value;
    }
    if (pattern instanceof BigDecimal a && value instanceof BigDecimal b) {
      return a.compareTo(b) == 0;
    }
    return pattern.equals(value);
  }

  /**
   * The pattern as given.
   *
   * @return the JSON text
   */
  @Override
  public String toString() {
    return source;
  }
}
