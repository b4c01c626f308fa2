package dev.kinesisresilient.esmcheck;

import dev.kinesisresilient.lambda.check.EventSourceMappingSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads recorded Lambda API responses: {@code ListEventSourceMappings} ({@code {"EventSourceMappings":
 * [...]}}, e.g. {@code aws lambda list-event-source-mappings > m.json}) or one {@code
 * GetEventSourceMapping}. Only Kinesis mappings are checked; the function's settings are not in the
 * response, so the timeout rule is skipped.
 */
final class LambdaApiReader {
  private LambdaApiReader() {}

  static boolean accepts(Map<?, ?> root) {
    return root.get("EventSourceMappings") instanceof List<?> || root.containsKey("UUID");
  }

  static List<MappingSource> read(Map<?, ?> root) {
    List<?> list = root.get("EventSourceMappings") instanceof List<?> l ? l : List.of(root);
    List<MappingSource> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      Map<?, ?> m = Values.map(list.get(i));
      if (m == null) {
        continue;
      }
      Object arn = m.get("EventSourceArn");
      boolean kinesis = arn instanceof String s ? s.contains(":kinesis:") : m.get("StartingPosition") != null;
      if (!kinesis) {
        continue;
      }
      EventSourceMappingSettings.Builder b = EventSourceMappingSettings.builder();
      Values.readMapping(m, Values.PLAIN, b);
      b.eventSourceArn(arn == null ? null : String.valueOf(arn));
      Object uuid = m.get("UUID");
      out.add(new MappingSource(uuid == null ? "EventSourceMappings[" + i + "]" : String.valueOf(uuid), b.build(),
          Map.of()));
    }
    return out;
  }
}
