package dev.kinesisresilient.esmcheck;

import dev.kinesisresilient.lambda.check.EventSourceMappingSettings;
import java.util.Map;

/**
 * One Kinesis event source mapping found in a file.
 *
 * @param resource its name in findings
 * @param settings what the file says
 * @param propertyNames the file's own name for an API property name, when it differs (Terraform)
 */
record MappingSource(String resource, EventSourceMappingSettings settings, Map<String, String> propertyNames) {
  MappingSource {
    propertyNames = Map.copyOf(propertyNames);
  }

  String propertyName(String apiName) {
    return propertyNames.getOrDefault(apiName, apiName);
  }
}
