package dev.kinesisresilient.test;

import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/**
 * JUnit 5 extension that gives tests a real local Kinesis: a {@link KinesisTestEnvironment} on the
 * first available {@link KinesisBackend} (an endpoint in {@code KINESIS_ENDPOINT}, LocalStack
 * through Testcontainers, kinesis-mock through Node, else the in-memory fake; the choice and its
 * reason are logged at INFO), a {@code KinesisAsyncClient}, and a fresh {@link TestStream}.
 *
 * <p>Use the {@link LocalKinesisTest} annotation, or register it in code:
 *
 * <pre>{@code
 * class OrdersIT {
 *   @RegisterExtension
 *   static final LocalKinesisExtension KINESIS =
 *       LocalKinesisExtension.builder().backend(KinesisBackend.KINESIS_MOCK).shards(2).build();
 *
 *   @Test
 *   void writes(TestStream stream, KinesisAsyncClient client) {
 *     client.putRecord(b -> b.streamName(stream.name()).partitionKey("k")
 *         .data(SdkBytes.fromUtf8String("v"))).join();
 *   }
 * }
 * }</pre>
 *
 * <p>Parameters of test methods, constructors and lifecycle methods: {@link
 * KinesisTestEnvironment} (shared); {@code KinesisAsyncClient} (a new client per request, closed
 * after the test or class that asked for it; on the in-memory backend the shared fake); {@link
 * TestStream} (created ACTIVE before each test and deleted after it, or once per class with {@code
 * streamPerClass}).
 *
 * <p>Lifecycle: one environment per backend choice for the whole test run (the JVM of a surefire or
 * failsafe fork), kept in the root extension store and closed when the run ends: starting
 * kinesis-mock or LocalStack takes seconds, so classes share it and each test uses its own stream.
 * Thread-safe as JUnit's store is.
 *
 * <p>Failures: a backend that is forced but not available, or that fails to start, fails every
 * test that uses it with the reason (remembered, not retried by each class); it never skips
 * silently and never falls back to another backend.
 *
 * @since 0.1.0
 */
public final class LocalKinesisExtension
    implements BeforeAllCallback, BeforeEachCallback, ParameterResolver {

  private static final Namespace NAMESPACE = Namespace.create(LocalKinesisExtension.class);
  private static final String CLASS_STREAM = "class-stream";
  private static final String TEST_STREAM = "test-stream";

  private final @Nullable Settings fixed;

  /** Reads the settings from {@link LocalKinesisTest} (or its defaults); serves {@code @ExtendWith}. */
  public LocalKinesisExtension() {
    this.fixed = null;
  }

  private LocalKinesisExtension(Settings settings) {
    this.fixed = settings;
  }

  /**
   * A builder with the defaults: {@link KinesisBackend#AUTO}, 1 shard, a stream per test.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    Settings settings = settings(context);
    environment(context, settings); // Start (or fail) before the first test: the failure names the server.
    if (settings.streamPerClass()) {
      context.getStore(NAMESPACE).put(CLASS_STREAM, createStream(context, settings));
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    Settings settings = settings(context);
    if (!settings.streamPerClass()) {
      context.getStore(NAMESPACE).put(TEST_STREAM, createStream(context, settings));
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == KinesisTestEnvironment.class
        || type == KinesisAsyncClient.class
        || type == TestStream.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    KinesisTestEnvironment env = environment(context, settings(context));
    if (type == KinesisTestEnvironment.class) {
      return env;
    }
    if (type == TestStream.class) {
      OwnedStream stream = context.getStore(NAMESPACE).get(TEST_STREAM, OwnedStream.class);
      if (stream == null) {
        stream = context.getStore(NAMESPACE).get(CLASS_STREAM, OwnedStream.class);
      }
      if (stream == null) {
        throw new IllegalStateException(
            "no TestStream here: a per-test stream exists in test methods only (use streamPerClass"
                + " for constructors and @BeforeAll methods)");
      }
      return stream.stream();
    }
    KinesisAsyncClient client = env.newClient();
    if (env.backend() != KinesisBackend.IN_MEMORY) {
      context.getStore(NAMESPACE).put(new Object(), (AutoCloseable) client::close);
    }
    return client;
  }

  private OwnedStream createStream(ExtensionContext context, Settings settings) {
    KinesisTestEnvironment env = environment(context, settings);
    String hint =
        context.getTestMethod().map(m -> m.getName()).orElseGet(() -> context.getRequiredTestClass().getSimpleName());
    String name = env.createStream(env.uniqueStreamName(hint), settings.shards());
    return new OwnedStream(env, new TestStream(name, settings.shards()));
  }

  private Settings settings(ExtensionContext context) {
    if (fixed != null) {
      return fixed;
    }
    Optional<LocalKinesisTest> annotation =
        context
            .getTestClass()
            .flatMap(c -> AnnotationSupport.findAnnotation(c, LocalKinesisTest.class));
    return annotation
        .map(a -> new Settings(a.backend(), a.shards(), a.streamPerClass()))
        .orElse(new Settings(KinesisBackend.AUTO, 1, false));
  }

  /** The run-wide environment for this backend request, started on first use. */
  private static KinesisTestEnvironment environment(ExtensionContext context, Settings settings) {
    String key = "environment-" + settings.backend();
    Started started =
        context
            .getRoot()
            .getStore(NAMESPACE)
            .computeIfAbsent(key, k -> Started.start(settings.backend()), Started.class);
    return started.environment();
  }

  /** The settings of one registration. */
  private record Settings(KinesisBackend backend, int shards, boolean streamPerClass) {
    Settings {
      Objects.requireNonNull(backend, "backend");
      if (shards < 1) {
        throw new IllegalArgumentException("shards must be at least 1, was " + shards);
      }
    }
  }

  /**
   * A stream this extension created, kept in the test's (or class's) store: JUnit closes it, so
   * deletes the stream, when that test (or class) ends, failed or not.
   */
  private record OwnedStream(KinesisTestEnvironment env, TestStream stream) implements AutoCloseable {
    @Override
    public void close() {
      env.deleteStream(stream.name());
    }
  }

  /** A started environment or the failure that prevented it; closed by the root store. */
  private static final class Started implements AutoCloseable {
    private final @Nullable KinesisTestEnvironment environment;
    private final @Nullable RuntimeException failure;

    private Started(@Nullable KinesisTestEnvironment environment, @Nullable RuntimeException failure) {
      this.environment = environment;
      this.failure = failure;
    }

    static Started start(KinesisBackend backend) {
      try {
        return new Started(KinesisTestEnvironment.start(backend), null);
      } catch (RuntimeException e) {
        return new Started(null, e);
      }
    }

    KinesisTestEnvironment environment() {
      if (failure != null) {
        throw new IllegalStateException("no Kinesis for this test: " + failure.getMessage(), failure);
      }
      return Objects.requireNonNull(environment);
    }

    @Override
    public void close() {
      if (environment != null) {
        environment.close();
      }
    }
  }

  /**
   * Builds a {@link LocalKinesisExtension} for {@code @RegisterExtension}. Not thread-safe.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private KinesisBackend backend = KinesisBackend.AUTO;
    private int shards = 1;
    private boolean streamPerClass;

    private Builder() {}

    /**
     * The backend to force. Default {@link KinesisBackend#AUTO}.
     *
     * @param backend the backend
     * @return this builder
     */
    public Builder backend(KinesisBackend backend) {
      this.backend = Objects.requireNonNull(backend, "backend");
      return this;
    }

    /**
     * Shards of each {@link TestStream}. Default 1; range 1 or more.
     *
     * @param shards the shard count
     * @return this builder
     * @throws IllegalArgumentException if {@code shards} is less than 1
     */
    public Builder shards(int shards) {
      if (shards < 1) {
        throw new IllegalArgumentException("shards must be at least 1, was " + shards);
      }
      this.shards = shards;
      return this;
    }

    /**
     * One {@link TestStream} for the whole class (requires a static field registration) instead of
     * one per test. Default {@code false}.
     *
     * @param streamPerClass whether the stream is per class
     * @return this builder
     */
    public Builder streamPerClass(boolean streamPerClass) {
      this.streamPerClass = streamPerClass;
      return this;
    }

    /**
     * Builds the extension.
     *
     * @return a new extension
     */
    public LocalKinesisExtension build() {
      return new LocalKinesisExtension(new Settings(backend, shards, streamPerClass));
    }
  }
}
