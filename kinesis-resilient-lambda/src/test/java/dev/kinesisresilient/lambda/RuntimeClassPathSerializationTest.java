package dev.kinesisresilient.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import dev.kinesisresilient.core.testing.ManualClock;
import dev.kinesisresilient.lambda.testing.KinesisEvents;
import dev.kinesisresilient.lambda.testing.TimeWindowEvents;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A function packaged with this module gets exactly its runtime class path (target/runtime-classpath.txt,
 * written by the dependency plugin, plus its own classes). The Lambda Java runtime deserializes the
 * events of aws-lambda-java-events with {@code LambdaEventSerializers.serializerFor(type, the function's
 * class loader)}, which loads {@code org.joda.time.DateTime} from that class loader whatever the event
 * type; here the function's class loader sees only that class path (its parent is the platform class
 * loader, so nothing of the test class path leaks in).
 */
final class RuntimeClassPathSerializationTest {

  private static URLClassLoader functionClassLoader() throws IOException {
    Path file = Path.of("target", "runtime-classpath.txt");
    assertThat(file).as("written by maven-dependency-plugin:build-classpath in generate-test-resources").exists();
    List<URL> urls = new ArrayList<>();
    urls.add(Path.of("target", "classes").toUri().toURL());
    for (String entry : Files.readString(file).trim().split(File.pathSeparator)) {
      if (!entry.isBlank()) {
        urls.add(Path.of(entry).toUri().toURL());
      }
    }
    return new URLClassLoader(urls.toArray(URL[]::new), ClassLoader.getPlatformClassLoader());
  }

  @SuppressWarnings("unchecked")
  private static Object deserialize(ClassLoader function, String type, String json) throws Exception {
    Class<Object> eventClass = (Class<Object>) Class.forName(type, true, function);
    assertThat(LambdaEventSerializers.isLambdaSupportedEvent(type)).isTrue();
    PojoSerializer<Object> serializer = LambdaEventSerializers.serializerFor(eventClass, function);
    return serializer.fromJson(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
  }

  private static Object call(Object target, String getter) throws Exception {
    return target.getClass().getMethod(getter).invoke(target);
  }

  @Test
  void kinesisEvent_throughTheRuntimeSerializer_withTheModulesRuntimeClassPath() throws Exception {
    KinesisEvent sent = KinesisEvents.builder().clock(ManualClock.create()).record("key-1", "{\"order\":1}").build();
    String sequenceNumber = sent.getRecords().get(0).getKinesis().getSequenceNumber();

    try (URLClassLoader function = functionClassLoader()) {
      Object event = deserialize(function, KinesisEvent.class.getName(), KinesisEvents.toJson(sent));

      Object kinesis = call(((List<?>) call(event, "getRecords")).get(0), "getKinesis");
      assertThat(call(kinesis, "getSequenceNumber")).isEqualTo(sequenceNumber);
      assertThat(call(kinesis, "getPartitionKey")).isEqualTo("key-1");
      assertThat(StandardCharsets.UTF_8.decode((ByteBuffer) call(kinesis, "getData")).toString())
          .isEqualTo("{\"order\":1}");
    }
  }

  @Test
  void kinesisTimeWindowEvent_throughTheRuntimeSerializer_withTheModulesRuntimeClassPath() throws Exception {
    KinesisEvent batch = KinesisEvents.builder().clock(ManualClock.create()).record("page", "/home").build();
    Instant start = Instant.parse("2026-01-01T00:00:00Z");
    String json = TimeWindowEvents.toJson(TimeWindowEvents.of(batch, "shardId-000000000000", "arn", start,
        start.plusSeconds(60), Map.of("/home", "3"), false, false));

    try (URLClassLoader function = functionClassLoader()) {
      Object event = deserialize(function, "com.amazonaws.services.lambda.runtime.events.KinesisTimeWindowEvent",
          json);

      assertThat(call(event, "getState")).isEqualTo(Map.of("/home", "3"));
      assertThat((List<?>) call(event, "getRecords")).hasSize(1);
    }
  }
}
