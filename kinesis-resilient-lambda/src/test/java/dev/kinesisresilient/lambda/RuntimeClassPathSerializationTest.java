package dev.kinesisresilient.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

  /** A real-shaped event JSON from src/test/resources (the test artifact's builders are not on this path). */
  private static String fixture(String name) throws IOException {
    try (InputStream in = RuntimeClassPathSerializationTest.class.getResourceAsStream(name)) {
      assertThat(in).as(name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void kinesisEvent_throughTheRuntimeSerializer_withTheModulesRuntimeClassPath() throws Exception {
    try (URLClassLoader function = functionClassLoader()) {
      Object event =
          deserialize(function, KinesisEvent.class.getName(), fixture("/events/kinesis-batch.json"));

      Object kinesis = call(((List<?>) call(event, "getRecords")).get(0), "getKinesis");
      assertThat(call(kinesis, "getSequenceNumber"))
          .isEqualTo("49656632116218945776331460018176327016585772817654202370");
      assertThat(call(kinesis, "getPartitionKey")).isEqualTo("order-1001");
      assertThat(StandardCharsets.UTF_8.decode((ByteBuffer) call(kinesis, "getData")).toString())
          .isEqualTo("{\"orderId\":1001,\"type\":\"created\",\"amount\":42.5}");
    }
  }

  @Test
  void kinesisTimeWindowEvent_throughTheRuntimeSerializer_withTheModulesRuntimeClassPath() throws Exception {
    String json = fixture("/events/kinesis-time-window.json");

    try (URLClassLoader function = functionClassLoader()) {
      Object event = deserialize(function, "com.amazonaws.services.lambda.runtime.events.KinesisTimeWindowEvent",
          json);

      assertThat(((Map<?, ?>) call(event, "getState")).get("sensor-9")).isEqualTo("3");
      assertThat((List<?>) call(event, "getRecords")).hasSize(1);
    }
  }
}
