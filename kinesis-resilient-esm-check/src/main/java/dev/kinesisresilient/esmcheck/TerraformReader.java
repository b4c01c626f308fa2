package dev.kinesisresilient.esmcheck;

import dev.kinesisresilient.lambda.check.EventSourceMappingSettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Finds the Kinesis {@code aws_lambda_event_source_mapping} resources of {@code terraform show -json}
 * output (a plan's {@code planned_values}, or a state's {@code values}), with their {@code
 * aws_lambda_function}'s timeout, memory size and handler.
 */
final class TerraformReader {

  private static final Map<String, String> NAMES = Map.ofEntries(
      Map.entry("BatchSize", "batch_size"),
      Map.entry("MaximumBatchingWindowInSeconds", "maximum_batching_window_in_seconds"),
      Map.entry("ParallelizationFactor", "parallelization_factor"),
      Map.entry("StartingPosition", "starting_position"),
      Map.entry("MaximumRetryAttempts", "maximum_retry_attempts"),
      Map.entry("MaximumRecordAgeInSeconds", "maximum_record_age_in_seconds"),
      Map.entry("BisectBatchOnFunctionError", "bisect_batch_on_function_error"),
      Map.entry("FunctionResponseTypes", "function_response_types"),
      Map.entry("DestinationConfig.OnFailure", "destination_config.on_failure"),
      Map.entry("TumblingWindowInSeconds", "tumbling_window_in_seconds"),
      Map.entry("FilterCriteria", "filter_criteria"),
      Map.entry("Timeout", "timeout"));

  /** A value Terraform knows only after apply. */
  private static final String KNOWN_AFTER_APPLY = "(known after apply)";

  private final Map<String, Map<?, ?>> functions = new LinkedHashMap<>();
  private final Map<String, List<String>> configReferences = new LinkedHashMap<>();

  private TerraformReader() {}

  static boolean accepts(Map<?, ?> root) {
    return root.containsKey("format_version")
        && (root.get("planned_values") instanceof Map<?, ?> || root.get("values") instanceof Map<?, ?>);
  }

  static List<MappingSource> read(Map<?, ?> root) {
    return new TerraformReader().readAll(root);
  }

  private List<MappingSource> readAll(Map<?, ?> root) {
    Map<?, ?> values = Values.map(root.get("planned_values"));
    if (values == null) {
      values = Values.map(root.get("values"));
    }
    List<Map<?, ?>> resources = new ArrayList<>();
    collect(Values.map(values == null ? null : values.get("root_module")), resources);
    Map<?, ?> configuration = Values.map(root.get("configuration"));
    collectReferences(Values.map(configuration == null ? null : configuration.get("root_module")), "");
    for (Map<?, ?> r : resources) {
      if ("aws_lambda_function".equals(r.get("type")) && r.get("values") instanceof Map<?, ?> v) {
        functions.put(String.valueOf(r.get("address")), v);
      }
    }
    List<MappingSource> out = new ArrayList<>();
    for (Map<?, ?> r : resources) {
      if (!"aws_lambda_event_source_mapping".equals(r.get("type")) || (r.get("mode") != null && !"managed".equals(r.get("mode")))) {
        continue;
      }
      String address = String.valueOf(r.get("address"));
      Map<?, ?> v = Values.map(r.get("values"));
      if (v == null || !isKinesis(address, v)) {
        continue;
      }
      EventSourceMappingSettings.Builder b = EventSourceMappingSettings.builder();
      Values.readMapping(toApiProperties(v), Values.PLAIN, b);
      Object arn = v.get("event_source_arn");
      b.eventSourceArn(arn == null ? null : String.valueOf(arn));
      Map<?, ?> fn = function(address, v.get("function_name"));
      if (fn != null) {
        Values.readFunction(fn.get("timeout"), fn.get("memory_size"), fn.get("handler"), Values.PLAIN, b);
      }
      out.add(new MappingSource(address, b.build(), NAMES));
    }
    return out;
  }

  private static void collect(@Nullable Map<?, ?> module, List<Map<?, ?>> out) {
    if (module == null) {
      return;
    }
    List<?> resources = Values.list(module.get("resources"));
    if (resources != null) {
      for (Object r : resources) {
        if (r instanceof Map<?, ?> m) {
          out.add(m);
        }
      }
    }
    List<?> children = Values.list(module.get("child_modules"));
    if (children != null) {
      for (Object c : children) {
        collect(Values.map(c), out);
      }
    }
  }

  private void collectReferences(@Nullable Map<?, ?> module, String prefix) {
    if (module == null) {
      return;
    }
    List<?> resources = Values.list(module.get("resources"));
    if (resources != null) {
      for (Object o : resources) {
        Map<?, ?> r = Values.map(o);
        Map<?, ?> expressions = r == null ? null : Values.map(r.get("expressions"));
        if (expressions == null) {
          continue;
        }
        for (Map.Entry<?, ?> e : expressions.entrySet()) {
          Map<?, ?> expr = Values.map(e.getValue());
          List<?> refs = expr == null ? null : Values.list(expr.get("references"));
          if (refs != null) {
            List<String> names = new ArrayList<>();
            for (Object ref : refs) {
              names.add(prefix + ref);
            }
            configReferences.put(prefix + r.get("address") + "#" + e.getKey(), names);
          }
        }
      }
    }
    Map<?, ?> calls = Values.map(module.get("module_calls"));
    if (calls != null) {
      for (Map.Entry<?, ?> call : calls.entrySet()) {
        Map<?, ?> c = Values.map(call.getValue());
        collectReferences(c == null ? null : Values.map(c.get("module")), prefix + "module." + call.getKey() + ".");
      }
    }
  }

  private List<String> references(String address, String attribute) {
    String plain = address.replaceAll("\\[[^]]*]", "");
    return configReferences.getOrDefault(plain + "#" + attribute, List.of());
  }

  private boolean isKinesis(String address, Map<?, ?> v) {
    Object arn = v.get("event_source_arn");
    if (arn instanceof String s) {
      if (s.contains(":kinesis:")) {
        return true;
      }
      if (s.contains(":sqs:") || s.contains(":dynamodb:") || s.contains(":kafka:") || s.contains(":mq:")) {
        return false;
      }
    }
    for (String ref : references(address, "event_source_arn")) {
      if (ref.contains("aws_kinesis_stream")) {
        return true;
      }
      if (ref.contains("aws_sqs_queue") || ref.contains("aws_dynamodb_table") || ref.contains("aws_msk")) {
        return false;
      }
    }
    for (String other : List.of("topics", "queues", "self_managed_event_source")) {
      if (v.get(other) instanceof List<?> l && !l.isEmpty()) {
        return false;
      }
    }
    return v.get("starting_position") != null;
  }

  private @Nullable Map<?, ?> function(String address, @Nullable Object name) {
    if (name instanceof String s) {
      for (Map<?, ?> fn : functions.values()) {
        Object n = fn.get("function_name");
        Object arn = fn.get("arn");
        if (s.equals(n) || s.equals(arn) || (n != null && s.endsWith(":function:" + n))) {
          return fn;
        }
      }
    }
    for (String ref : references(address, "function_name")) {
      String fnAddress = ref.endsWith(".arn") || ref.endsWith(".function_name") || ref.endsWith(".qualified_arn")
          ? ref.substring(0, ref.lastIndexOf('.'))
          : ref;
      Map<?, ?> fn = functions.get(fnAddress);
      if (fn != null) {
        return fn;
      }
    }
    return null;
  }

  /** Terraform's snake_case attributes and nested blocks as the Lambda API's properties. */
  private static Map<String, @Nullable Object> toApiProperties(Map<?, ?> v) {
    Map<String, @Nullable Object> p = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : NAMES.entrySet()) {
      if (!e.getKey().contains(".") && !e.getKey().equals("FilterCriteria") && !e.getKey().equals("Timeout")) {
        p.put(e.getKey(), v.get(e.getValue()));
      }
    }
    Map<?, ?> dest = first(v.get("destination_config"));
    Map<?, ?> onFailure = dest == null ? null : first(dest.get("on_failure"));
    if (onFailure != null) {
      Object arn = onFailure.get("destination_arn");
      p.put("DestinationConfig", Map.of("OnFailure", Map.of("Destination", arn == null ? KNOWN_AFTER_APPLY : arn)));
    }
    Map<?, ?> criteria = first(v.get("filter_criteria"));
    List<?> filters = criteria == null ? null : Values.list(criteria.get("filter"));
    if (filters != null) {
      List<Map<String, Object>> out = new ArrayList<>();
      for (Object f : filters) {
        Map<?, ?> fm = Values.map(f);
        Object pattern = fm == null ? null : fm.get("pattern");
        out.add(Map.of("Pattern", pattern == null ? KNOWN_AFTER_APPLY : pattern));
      }
      p.put("FilterCriteria", Map.of("Filters", out));
    }
    return p;
  }

  private static @Nullable Map<?, ?> first(@Nullable Object block) {
    if (block instanceof List<?> l && !l.isEmpty()) {
      return Values.map(l.get(0));
    }
    return Values.map(block);
  }
}
