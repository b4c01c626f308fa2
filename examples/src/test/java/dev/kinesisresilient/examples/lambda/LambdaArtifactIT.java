package dev.kinesisresilient.examples.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The deployable function that {@code mvn package} builds (the shaded {@code -lambda.jar}) is what
 * examples/lambda/template.yaml deploys, with a runtime Lambda still lets one create, and it runs with
 * nothing but itself on the class path. An IT because it needs the package phase's artifact.
 */
final class LambdaArtifactIT {

  /**
   * Java runtimes and the day Lambda blocks creating functions on them (the Lambda developer guide's
   * "Java runtimes" table). java17, java11 and java8.al2 are left out: cfn-lint's E2533 reports their
   * creation as blocked since 2026-07-31.
   */
  private static final Map<String, LocalDate> CREATABLE_JAVA_RUNTIMES = Map.of(
      "java21", LocalDate.of(2029, 7, 31),
      "java25", LocalDate.of(2029, 7, 31));

  private static final Path TEMPLATE = Path.of("lambda", "template.yaml");
  private static final Pattern CODE_URI = Pattern.compile("^\\s*CodeUri:\\s*(\\S+)(?:\\s+#.*)?\\s*$", Pattern.MULTILINE);
  private static final Pattern RUNTIME = Pattern.compile("^\\s*Runtime:\\s*(\\S+)(?:\\s+#.*)?\\s*$", Pattern.MULTILINE);
  private static final Pattern FUNCTION = Pattern.compile("^\\s*Type:\\s*AWS::Serverless::Function\\s*$",
      Pattern.MULTILINE);

  private static Path artifact() {
    String p = Objects.requireNonNull(System.getProperty("lambda.artifact"),
        "system property lambda.artifact (set by examples/pom.xml's failsafe configuration)");
    return Path.of(p).toAbsolutePath().normalize();
  }

  @Test
  void template_everyFunction_deploysTheBuiltArtifactOnACreatableRuntime() throws IOException {
    String yaml = Files.readString(TEMPLATE);
    int functions = count(FUNCTION.matcher(yaml));
    List<String> codeUris = groups(CODE_URI.matcher(yaml));
    List<String> runtimes = groups(RUNTIME.matcher(yaml));
    assertThat(functions).isEqualTo(2);
    assertThat(codeUris).hasSize(functions);
    assertThat(runtimes).hasSize(functions);
    for (String uri : codeUris) {
      // SAM and `aws cloudformation package` resolve CodeUri against the template's directory.
      assertThat(TEMPLATE.toAbsolutePath().getParent().resolve(uri).normalize()).isEqualTo(artifact());
    }
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    for (String runtime : runtimes) {
      assertThat(CREATABLE_JAVA_RUNTIMES).containsKey(runtime);
      assertThat(today).as("Lambda blocks creating %s functions from %s", runtime, CREATABLE_JAVA_RUNTIMES.get(runtime))
          .isBefore(CREATABLE_JAVA_RUNTIMES.get(runtime));
    }
  }

  @Test
  void artifact_holdsTheHandlersAndTheirRuntimeDependencies_notTheDemosOrTheProducer() throws IOException {
    try (JarFile jar = new JarFile(artifact().toFile())) {
      assertThat(jar.getEntry("dev/kinesisresilient/examples/lambda/OrdersHandler.class")).isNotNull();
      assertThat(jar.getEntry("dev/kinesisresilient/examples/lambda/PageViewCountsHandler.class")).isNotNull();
      assertThat(jar.getEntry("dev/kinesisresilient/lambda/KinesisBatchProcessor.class")).isNotNull();
      assertThat(jar.getEntry("dev/kinesisresilient/core/KinesisBatchWriter.class")).isNotNull();
      assertThat(jar.getEntry("com/amazonaws/services/lambda/runtime/events/KinesisEvent.class")).isNotNull();
      assertThat(jar.getEntry("software/amazon/awssdk/services/kinesis/KinesisAsyncClient.class")).isNotNull();
      // The Lambda Java runtime's event serializer needs joda-time from the function's class path.
      assertThat(jar.getEntry("org/joda/time/DateTime.class")).isNotNull();
      // Not needed by the handlers: the demos, the producer, test support and JUnit, the SDK's synchronous Apache client.
      assertThat(jar.getEntry("dev/kinesisresilient/examples/ProducerDemo.class")).isNull();
      assertThat(jar.stream().map(e -> e.getName()))
          .noneMatch(n -> n.startsWith("dev/kinesisresilient/producer/"))
          .noneMatch(n -> n.startsWith("dev/kinesisresilient/core/testing/"))
          .noneMatch(n -> n.startsWith("dev/kinesisresilient/lambda/testing/"))
          .noneMatch(n -> n.startsWith("org/junit/"))
          .noneMatch(n -> n.startsWith("org/apache/hc/"))
          .noneMatch(n -> n.startsWith("software/amazon/awssdk/http/apache"));
    }
  }

  @Test
  void artifact_aloneOnTheClassPath_buildsAndRunsTheOrdersHandler() throws Exception {
    try (URLClassLoader loader = new URLClassLoader(new URL[] {artifact().toUri().toURL()},
        ClassLoader.getPlatformClassLoader())) {
      Class<?> pageViews = loader.loadClass("dev.kinesisresilient.examples.lambda.PageViewCountsHandler");
      assertThat(pageViews.getClassLoader()).isSameAs(loader);
      assertThat(pageViews.getConstructor().newInstance()).isNotNull();

      Class<?> orders = loader.loadClass("dev.kinesisresilient.examples.lambda.OrdersHandler");
      assertThat(orders.getClassLoader()).isSameAs(loader);
      Object handler = orders.getConstructor().newInstance();
      Object event = kinesisEvent(loader, "{\"order\":1}", "{\"order\":2}");
      Class<?> contextType = loader.loadClass("com.amazonaws.services.lambda.runtime.Context");
      Method handle = orders.getMethod("handleRequest", event.getClass(), contextType);
      Object response = handle.invoke(handler, event, context(loader, contextType));
      Object failures = response.getClass().getMethod("getBatchItemFailures").invoke(response);
      assertThat((List<?>) failures).isEmpty();
    }
  }

  /** A KinesisEvent of the artifact's own class, as the runtime would hand it to the handler. */
  private static Object kinesisEvent(ClassLoader loader, String... payloads) throws ReflectiveOperationException {
    Class<?> eventType = loader.loadClass("com.amazonaws.services.lambda.runtime.events.KinesisEvent");
    Class<?> recordType = loader.loadClass("com.amazonaws.services.lambda.runtime.events.KinesisEvent$KinesisEventRecord");
    Class<?> kinesisType = loader.loadClass("com.amazonaws.services.lambda.runtime.events.KinesisEvent$Record");
    List<Object> records = new ArrayList<>();
    for (int i = 0; i < payloads.length; i++) {
      String seq = "4954" + String.format("%052d", i);
      Object k = kinesisType.getConstructor().newInstance();
      set(k, "setData", ByteBuffer.wrap(payloads[i].getBytes(StandardCharsets.UTF_8)));
      set(k, "setPartitionKey", "order-" + i);
      set(k, "setSequenceNumber", seq);
      set(k, "setApproximateArrivalTimestamp", new Date());
      Object r = recordType.getConstructor().newInstance();
      set(r, "setKinesis", k);
      set(r, "setEventID", "shardId-000000000000:" + seq);
      set(r, "setEventSource", "aws:kinesis");
      set(r, "setEventSourceARN", "arn:aws:kinesis:us-east-1:123456789012:stream/orders");
      records.add(r);
    }
    Object event = eventType.getConstructor().newInstance();
    set(event, "setRecords", records);
    return event;
  }

  /** A Context (and LambdaLogger) of the artifact's own interfaces with a minute left. */
  private static Object context(ClassLoader loader, Class<?> contextType) {
    return Proxy.newProxyInstance(loader, new Class<?>[] {contextType}, (proxy, method, args) -> {
      Class<?> type = method.getReturnType();
      if (method.getName().equals("getRemainingTimeInMillis")) {
        return 60_000;
      } else if (type == int.class) {
        return 1024;
      } else if (type == String.class) {
        return method.getName().equals("getAwsRequestId") ? "request-1" : "orders";
      } else if (type.isInterface()) {
        return Proxy.newProxyInstance(loader, new Class<?>[] {type}, (p, m, a) -> null);
      }
      return null;
    });
  }

  private static void set(Object target, String setter, Object value) throws ReflectiveOperationException {
    for (Method m : target.getClass().getMethods()) {
      if (m.getName().equals(setter) && m.getParameterCount() == 1
          && m.getParameterTypes()[0].isInstance(value)) {
        try {
          m.invoke(target, value);
          return;
        } catch (InvocationTargetException e) {
          throw new IllegalStateException(setter, e.getCause());
        }
      }
    }
    throw new NoSuchMethodException(target.getClass().getName() + "." + setter);
  }

  private static int count(Matcher m) {
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  private static List<String> groups(Matcher m) {
    List<String> out = new ArrayList<>();
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }
}
