package dev.kinesisresilient.esmcheck;

import dev.kinesisresilient.lambda.check.EventSourceMappingSettings;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Reads event source mapping properties, as the Lambda API and CloudFormation name them, into {@link
 * EventSourceMappingSettings}, resolving what can be resolved of intrinsic functions.
 */
final class Values {

  /** Stands for a value set by an expression that cannot be resolved. */
  static final Object UNRESOLVED = new Object() {
    @Override
    public String toString() {
      return "<unresolved>";
    }
  };

  /** Resolves intrinsics; the identity for sources without them. */
  interface Resolver {
    @Nullable Object resolve(@Nullable Object value);

    /** Text of a value for recognising ARNs: intrinsics as readable text, never UNRESOLVED. */
    String text(@Nullable Object value);
  }

  /** The identity resolver, for JSON that holds only values (Lambda API, Terraform). */
  static final Resolver PLAIN = new Resolver() {
    @Override
    public @Nullable Object resolve(@Nullable Object value) {
      return value;
    }

    @Override
    public String text(@Nullable Object value) {
      return value == null ? "" : String.valueOf(value);
    }
  };

  private Values() {}

  static @Nullable Map<?, ?> map(@Nullable Object o) {
    return o instanceof Map<?, ?> m ? m : null;
  }

  static @Nullable List<?> list(@Nullable Object o) {
    return o instanceof List<?> l ? l : null;
  }

  /** Reads the mapping properties of {@code props} into {@code b}. */
  static void readMapping(Map<?, ?> props, Resolver r, EventSourceMappingSettings.Builder b) {
    b.batchSize(integer(props, "BatchSize", r, b));
    b.maximumBatchingWindowInSeconds(integer(props, "MaximumBatchingWindowInSeconds", r, b));
    b.parallelizationFactor(integer(props, "ParallelizationFactor", r, b));
    b.maximumRetryAttempts(integer(props, "MaximumRetryAttempts", r, b));
    b.maximumRecordAgeInSeconds(integer(props, "MaximumRecordAgeInSeconds", r, b));
    b.tumblingWindowInSeconds(integer(props, "TumblingWindowInSeconds", r, b));
    b.bisectBatchOnFunctionError(bool(props, "BisectBatchOnFunctionError", r, b));
    Object sp = r.resolve(props.get("StartingPosition"));
    if (sp == UNRESOLVED) {
      b.unresolved("StartingPosition");
    } else if (sp != null) {
      b.startingPosition(String.valueOf(sp));
    }
    Object types = r.resolve(props.get("FunctionResponseTypes"));
    if (types == UNRESOLVED) {
      b.unresolved("FunctionResponseTypes");
    } else if (types instanceof List<?> l) {
      for (Object t : l) {
        Object v = r.resolve(t);
        if (v == UNRESOLVED || v == null) {
          b.unresolved("FunctionResponseTypes");
        } else {
          b.addFunctionResponseType(String.valueOf(v));
        }
      }
    } else if (types != null) {
      b.addFunctionResponseType(String.valueOf(types));
    }
    Map<?, ?> dest = map(r.resolve(props.get("DestinationConfig")));
    if (props.get("DestinationConfig") != null && dest == null) {
      b.unresolved("DestinationConfig.OnFailure");
    } else if (dest != null) {
      Object onFailure = r.resolve(dest.get("OnFailure"));
      if (onFailure == UNRESOLVED) {
        b.unresolved("DestinationConfig.OnFailure");
      } else if (onFailure instanceof Map<?, ?> of && of.get("Destination") != null) {
        b.onFailureDestination(r.text(of.get("Destination")));
      }
    }
    Object criteria = r.resolve(props.get("FilterCriteria"));
    if (criteria == UNRESOLVED) {
      b.unresolved("FilterCriteria");
    } else if (criteria instanceof Map<?, ?> c) {
      List<?> filters = list(r.resolve(c.get("Filters")));
      if (filters != null) {
        for (Object f : filters) {
          Map<?, ?> fm = map(r.resolve(f));
          Object pattern = fm == null ? UNRESOLVED : r.resolve(fm.get("Pattern"));
          if (pattern instanceof String s) {
            b.addFilterPattern(s);
          } else if (pattern instanceof Map<?, ?> pm) {
            b.addFilterPattern(Json.write(pm));
          } else {
            b.addFilterPattern(r.text(fm == null ? f : fm.get("Pattern")));
          }
        }
      }
    }
  }

  /** Reads a function's Timeout, MemorySize (MiB) and Handler into {@code b}. */
  static void readFunction(@Nullable Object timeout, @Nullable Object memoryMib, @Nullable Object handler,
      Resolver r, EventSourceMappingSettings.Builder b) {
    Object t = r.resolve(timeout);
    Integer seconds = t == null ? null : toInt(t);
    if (t != null && seconds == null) {
      b.unresolved("Timeout");
    }
    b.functionTimeout(seconds == null ? Duration.ofSeconds(3) : Duration.ofSeconds(seconds));
    Object m = r.resolve(memoryMib);
    Integer mib = m == null ? Integer.valueOf(128) : toInt(m);
    if (mib != null) {
      b.functionMemorySizeBytes(mib * 1024L * 1024L);
    }
    Object h = r.resolve(handler);
    if (h instanceof String s) {
      b.functionHandler(s);
    }
  }

  private static @Nullable Integer integer(Map<?, ?> props, String name, Resolver r,
      EventSourceMappingSettings.Builder b) {
    Object v = r.resolve(props.get(name));
    if (v == null) {
      return null;
    }
    Integer i = toInt(v);
    if (i == null) {
      b.unresolved(name);
    }
    return i;
  }

  private static @Nullable Boolean bool(Map<?, ?> props, String name, Resolver r,
      EventSourceMappingSettings.Builder b) {
    Object v = r.resolve(props.get(name));
    if (v == null) {
      return null;
    }
    if (v instanceof Boolean x) {
      return x;
    }
    String s = String.valueOf(v).toLowerCase(Locale.ROOT);
    if (v != UNRESOLVED && (s.equals("true") || s.equals("false"))) {
      return Boolean.valueOf(s);
    }
    b.unresolved(name);
    return null;
  }

  static @Nullable Integer toInt(@Nullable Object v) {
    if (v == null || v == UNRESOLVED) {
      return null;
    }
    try {
      BigDecimal d = v instanceof Number n ? new BigDecimal(n.toString()) : new BigDecimal(String.valueOf(v).trim());
      return d.stripTrailingZeros().scale() <= 0 ? d.intValueExact() : null;
    } catch (NumberFormatException | ArithmeticException e) {
      return null;
    }
  }

  static boolean sameValue(@Nullable Object a, @Nullable Object b) {
    return Objects.equals(a, b) || (toInt(a) != null && Objects.equals(toInt(a), toInt(b)));
  }
}
