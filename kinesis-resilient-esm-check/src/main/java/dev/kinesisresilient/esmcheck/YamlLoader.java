package dev.kinesisresilient.esmcheck;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * Reads YAML 1.2 or JSON into plain maps, lists and scalars, turning CloudFormation's short-form
 * intrinsics into their long form: {@code !Ref X} into {@code {Ref: X}}, {@code !GetAtt A.B} into
 * {@code {Fn::GetAtt: [A, B]}}, {@code !Sub s} into {@code {Fn::Sub: s}} and so on for any {@code !Tag}.
 */
final class YamlLoader {

  /** The largest file read, in code points (256 Mi). */
  static final int MAX_CODE_POINTS = 256 * 1024 * 1024;

  private YamlLoader() {}

  /** Parses text; throws snakeyaml-engine's exceptions (with line and column) when it is malformed. */
  static @Nullable Object load(String text, String label) {
    LoadSettings settings = LoadSettings.builder()
        .setLabel(label)
        .setSchema(new CoreSchema())
        .setMaxAliasesForCollections(100)
        // Terraform plans and synthesized templates can be far larger than the 3 MB default.
        .setCodePointLimit(MAX_CODE_POINTS)
        .build();
    Node root = new Compose(settings).composeString(text).orElse(null);
    return root == null ? null : new Converter().convert(root);
  }

  private static final class Converter {
    private final Map<Node, Object> seen = new IdentityHashMap<>();
    private final Set<Node> inProgress = Collections.newSetFromMap(new IdentityHashMap<>());

    @Nullable Object convert(Node node) {
      Object done = seen.get(node);
      if (done != null) {
        return done;
      }
      if (!inProgress.add(node)) {
        throw new YamlEngineException("recursive alias" + node.getStartMark().map(m -> ", line " + (m.getLine() + 1))
            .orElse(""));
      }
      Object value;
      if (node instanceof ScalarNode s) {
        value = scalar(s);
      } else if (node instanceof SequenceNode q) {
        List<@Nullable Object> list = new ArrayList<>();
        for (Node n : q.getValue()) {
          list.add(convert(n));
        }
        value = list;
      } else {
        Map<String, @Nullable Object> map = new LinkedHashMap<>();
        for (NodeTuple t : ((MappingNode) node).getValue()) {
          String key = String.valueOf(convert(t.getKeyNode()));
          if (map.containsKey(key)) {
            String line = t.getKeyNode().getStartMark().map(m -> ", line " + (m.getLine() + 1)).orElse("");
            throw new YamlEngineException("duplicate key '" + key + "'" + line);
          }
          map.put(key, convert(t.getValueNode()));
        }
        value = map;
      }
      String tag = node.getTag().getValue();
      if (tag.startsWith("!") && !tag.startsWith("!!")) {
        value = intrinsic(tag.substring(1), value);
      }
      if (value != null) {
        seen.put(node, value);
      }
      inProgress.remove(node);
      return value;
    }

    private static @Nullable Object scalar(ScalarNode s) {
      String v = s.getValue();
      Tag tag = s.getTag();
      if (tag.equals(Tag.NULL)) {
        return null;
      }
      if (tag.equals(Tag.BOOL)) {
        return Boolean.valueOf(v.toLowerCase(java.util.Locale.ROOT));
      }
      if (tag.equals(Tag.INT)) {
        try {
          BigInteger b = v.startsWith("0x") ? new BigInteger(v.substring(2), 16)
              : v.startsWith("0o") ? new BigInteger(v.substring(2), 8) : new BigInteger(v.replace("+", ""));
          return b.bitLength() < 63 ? (Object) b.longValue() : b;
        } catch (NumberFormatException e) {
          return v;
        }
      }
      if (tag.equals(Tag.FLOAT)) {
        try {
          return Double.valueOf(v);
        } catch (NumberFormatException e) {
          return v;
        }
      }
      return v;
    }

    private static Map<String, @Nullable Object> intrinsic(String name, @Nullable Object value) {
      Map<String, @Nullable Object> m = new LinkedHashMap<>();
      switch (name) {
        case "Ref" -> m.put("Ref", value);
        case "Condition" -> m.put("Condition", value);
        case "GetAtt" -> {
          if (value instanceof String s && s.indexOf('.') > 0) {
            m.put("Fn::GetAtt", List.of(s.substring(0, s.indexOf('.')), s.substring(s.indexOf('.') + 1)));
          } else {
            m.put("Fn::GetAtt", value);
          }
        }
        default -> m.put("Fn::" + name, value);
      }
      return m;
    }
  }
}
