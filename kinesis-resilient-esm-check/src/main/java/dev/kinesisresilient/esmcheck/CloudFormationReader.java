package dev.kinesisresilient.esmcheck;

import dev.kinesisresilient.lambda.check.EventSourceMappingSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Finds the Kinesis event source mappings of a CloudFormation template (SAM or not, CDK synth output
 * included): {@code AWS::Lambda::EventSourceMapping} resources and {@code Type: Kinesis} events of
 * {@code AWS::Serverless::Function}, with their function's Timeout, MemorySize and Handler.
 */
final class CloudFormationReader implements Values.Resolver {

  private static final Pattern SUB_REF = Pattern.compile("\\$\\{([A-Za-z0-9]+)(?:\\.[A-Za-z0-9.]+)?}");

  private final Map<?, ?> resources;
  private final Map<?, ?> parameters;
  private final Map<?, ?> mappings;
  private final Map<?, ?> globalFunction;

  private CloudFormationReader(Map<?, ?> template) {
    this.resources = orEmpty(template.get("Resources"));
    this.parameters = orEmpty(template.get("Parameters"));
    this.mappings = orEmpty(template.get("Mappings"));
    this.globalFunction = orEmpty(orEmpty(template.get("Globals")).get("Function"));
  }

  static boolean accepts(Map<?, ?> root) {
    return root.get("Resources") instanceof Map<?, ?>;
  }

  static List<MappingSource> read(Map<?, ?> template) {
    return new CloudFormationReader(template).read();
  }

  private static Map<?, ?> orEmpty(@Nullable Object o) {
    return o instanceof Map<?, ?> m ? m : Map.of();
  }

  private List<MappingSource> read() {
    List<MappingSource> out = new ArrayList<>();
    for (Map.Entry<?, ?> e : resources.entrySet()) {
      String id = String.valueOf(e.getKey());
      Map<?, ?> resource = orEmpty(e.getValue());
      String type = String.valueOf(resource.get("Type"));
      Map<?, ?> props = orEmpty(resource.get("Properties"));
      if (type.equals("AWS::Lambda::EventSourceMapping") && isStreamMapping(props)) {
        EventSourceMappingSettings.Builder b = EventSourceMappingSettings.builder();
        Values.readMapping(props, this, b);
        b.eventSourceArn(text(props.get("EventSourceArn")));
        Map<?, ?> fn = function(props.get("FunctionName"), 0);
        if (fn != null) {
          readFunction(fn, b);
        }
        out.add(new MappingSource(id, b.build(), Map.of()));
      } else if (type.equals("AWS::Serverless::Function")) {
        for (Map.Entry<?, ?> ev : orEmpty(props.get("Events")).entrySet()) {
          Map<?, ?> event = orEmpty(ev.getValue());
          if (!"Kinesis".equals(event.get("Type"))) {
            continue;
          }
          Map<?, ?> eventProps = orEmpty(event.get("Properties"));
          EventSourceMappingSettings.Builder b = EventSourceMappingSettings.builder();
          Values.readMapping(eventProps, this, b);
          b.eventSourceArn(text(eventProps.get("Stream")));
          readFunction(resource, b);
          out.add(new MappingSource(id + ".Events." + ev.getKey(), b.build(), Map.of()));
        }
      }
    }
    return out;
  }

  private void readFunction(Map<?, ?> fnResource, EventSourceMappingSettings.Builder b) {
    Map<?, ?> props = orEmpty(fnResource.get("Properties"));
    boolean sam = "AWS::Serverless::Function".equals(fnResource.get("Type"));
    Values.readFunction(prop(props, "Timeout", sam), prop(props, "MemorySize", sam), prop(props, "Handler", sam),
        this, b);
  }

  private @Nullable Object prop(Map<?, ?> props, String name, boolean sam) {
    Object v = props.get(name);
    return v == null && sam ? globalFunction.get(name) : v;
  }

  /** Kinesis (or unknown but stream-like) sources only: not SQS, MQ, Kafka, DocumentDB, DynamoDB. */
  private boolean isStreamMapping(Map<?, ?> props) {
    for (String other : List.of("Topics", "Queues", "SelfManagedEventSource", "AmazonManagedKafkaEventSourceConfig",
        "DocumentDBEventSourceConfig")) {
      if (props.containsKey(other)) {
        return false;
      }
    }
    Boolean kinesis = isKinesis(props.get("EventSourceArn"), 0);
    return kinesis != null ? kinesis : props.containsKey("StartingPosition");
  }

  private @Nullable Boolean isKinesis(@Nullable Object arn, int depth) {
    if (arn == null || depth > 3) {
      return null;
    }
    if (arn instanceof String s) {
      return arnKind(s);
    }
    Map<?, ?> m = Values.map(arn);
    if (m == null || m.size() != 1) {
      return null;
    }
    Map.Entry<?, ?> e = m.entrySet().iterator().next();
    String fn = String.valueOf(e.getKey());
    Object arg = e.getValue();
    switch (fn) {
      case "Ref" -> {
        String name = String.valueOf(arg);
        Object def = orEmpty(parameters.get(name)).get("Default");
        return def instanceof String s ? arnKind(s) : resourceKind(name);
      }
      case "Fn::GetAtt" -> {
        List<?> l = Values.list(arg);
        return l == null || l.isEmpty() ? null : resourceKind(String.valueOf(l.get(0)));
      }
      case "Fn::Sub" -> {
        Object s = arg instanceof List<?> l && !l.isEmpty() ? l.get(0) : arg;
        String text = String.valueOf(s);
        Boolean kind = arnKind(text);
        Matcher matcher = SUB_REF.matcher(text);
        while (kind == null && matcher.find()) {
          kind = resourceKind(matcher.group(1));
        }
        return kind;
      }
      case "Fn::If" -> {
        List<?> l = Values.list(arg);
        if (l == null || l.size() != 3) {
          return null;
        }
        Boolean a = isKinesis(l.get(1), depth + 1);
        Boolean b = isKinesis(l.get(2), depth + 1);
        return Boolean.TRUE.equals(a) || Boolean.TRUE.equals(b) ? Boolean.TRUE : a != null ? a : b;
      }
      default -> {
        return null;
      }
    }
  }

  private static @Nullable Boolean arnKind(String s) {
    if (s.contains(":kinesis:")) {
      return true;
    }
    for (String other : List.of(":dynamodb:", ":sqs:", ":kafka:", ":mq:", ":rds:", ":docdb")) {
      if (s.contains(other)) {
        return false;
      }
    }
    return null;
  }

  private @Nullable Boolean resourceKind(String logicalId) {
    Object r = resources.get(logicalId);
    if (!(r instanceof Map<?, ?> m)) {
      return null;
    }
    String type = String.valueOf(m.get("Type"));
    return type.startsWith("AWS::Kinesis::") ? Boolean.TRUE : Boolean.FALSE;
  }

  /** The function resource a FunctionName points at, through an alias or version. */
  private @Nullable Map<?, ?> function(@Nullable Object name, int depth) {
    if (name == null || depth > 3) {
      return null;
    }
    String logicalId = null;
    if (name instanceof String s) {
      for (Map.Entry<?, ?> e : resources.entrySet()) {
        Map<?, ?> r = orEmpty(e.getValue());
        Object fnName = orEmpty(r.get("Properties")).get("FunctionName");
        if (isFunction(r) && fnName instanceof String n && (s.equals(n) || s.endsWith(":function:" + n))) {
          return r;
        }
      }
      return null;
    }
    Map<?, ?> m = Values.map(name);
    if (m != null && m.size() == 1) {
      Map.Entry<?, ?> e = m.entrySet().iterator().next();
      Object arg = e.getValue();
      switch (String.valueOf(e.getKey())) {
        case "Ref" -> logicalId = String.valueOf(arg);
        case "Fn::GetAtt" -> {
          List<?> l = Values.list(arg);
          logicalId = l == null || l.isEmpty() ? null : String.valueOf(l.get(0));
        }
        case "Fn::Sub" -> {
          Matcher matcher = SUB_REF.matcher(String.valueOf(arg instanceof List<?> l && !l.isEmpty() ? l.get(0) : arg));
          logicalId = matcher.find() ? matcher.group(1) : null;
        }
        default -> logicalId = null;
      }
    }
    Object r = logicalId == null ? null : resources.get(logicalId);
    if (!(r instanceof Map<?, ?> resource)) {
      return null;
    }
    if (isFunction(resource)) {
      return resource;
    }
    String type = String.valueOf(resource.get("Type"));
    if (type.equals("AWS::Lambda::Alias") || type.equals("AWS::Lambda::Version")) {
      return function(orEmpty(resource.get("Properties")).get("FunctionName"), depth + 1);
    }
    return null;
  }

  private static boolean isFunction(Map<?, ?> r) {
    Object type = r.get("Type");
    return "AWS::Lambda::Function".equals(type) || "AWS::Serverless::Function".equals(type);
  }

  @Override
  public @Nullable Object resolve(@Nullable Object value) {
    return resolve(value, 0);
  }

  private @Nullable Object resolve(@Nullable Object value, int depth) {
    Map<?, ?> m = Values.map(value);
    if (m == null || m.size() != 1 || depth > 5) {
      return value;
    }
    Map.Entry<?, ?> e = m.entrySet().iterator().next();
    String fn = String.valueOf(e.getKey());
    Object arg = e.getValue();
    switch (fn) {
      case "Ref" -> {
        String name = String.valueOf(arg);
        if (name.equals("AWS::NoValue")) {
          return null;
        }
        Map<?, ?> param = Values.map(parameters.get(name));
        return param != null && param.get("Default") != null ? param.get("Default") : Values.UNRESOLVED;
      }
      case "Fn::If" -> {
        List<?> l = Values.list(arg);
        if (l == null || l.size() != 3) {
          return Values.UNRESOLVED;
        }
        Object a = resolve(l.get(1), depth + 1);
        Object b = resolve(l.get(2), depth + 1);
        return a != Values.UNRESOLVED && Values.sameValue(a, b) ? a : Values.UNRESOLVED;
      }
      case "Fn::FindInMap" -> {
        List<?> l = Values.list(arg);
        if (l == null || l.size() < 3) {
          return Values.UNRESOLVED;
        }
        Object top = Values.map(mappings.get(String.valueOf(resolve(l.get(0), depth + 1))));
        Object second = top == null ? null : ((Map<?, ?>) top).get(String.valueOf(resolve(l.get(1), depth + 1)));
        Map<?, ?> secondMap = Values.map(second);
        Object v = secondMap == null ? null : secondMap.get(String.valueOf(resolve(l.get(2), depth + 1)));
        return v == null ? Values.UNRESOLVED : v;
      }
      case "Fn::Sub" -> {
        return arg instanceof String s && !s.contains("${") ? s : Values.UNRESOLVED;
      }
      default -> {
        return fn.equals("Condition") || fn.startsWith("Fn::") ? Values.UNRESOLVED : value;
      }
    }
  }

  @Override
  public String text(@Nullable Object value) {
    if (value == null) {
      return "";
    }
    if (value instanceof String s) {
      return s;
    }
    Map<?, ?> m = Values.map(value);
    if (m != null && m.size() == 1) {
      Map.Entry<?, ?> e = m.entrySet().iterator().next();
      Object arg = e.getValue();
      switch (String.valueOf(e.getKey())) {
        case "Ref" -> {
          Object r = resolve(value);
          return r instanceof String s ? s : "!Ref " + arg;
        }
        case "Fn::GetAtt" -> {
          List<?> l = Values.list(arg);
          return "!GetAtt " + (l == null ? String.valueOf(arg) : String.join(".", l.stream().map(String::valueOf).toList()));
        }
        case "Fn::Sub" -> {
          return String.valueOf(arg instanceof List<?> l && !l.isEmpty() ? l.get(0) : arg);
        }
        default -> {
          // fall through to JSON
        }
      }
    }
    return Json.write(value);
  }
}
