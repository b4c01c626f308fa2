package dev.kinesisresilient.core.it;

import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/**
 * Runs the project's integration tests against a real Kinesis API on loopback: kinesis-mock (npm
 * {@code kinesis-local}, the Kinesis engine inside LocalStack), LocalStack, or the endpoint in {@code
 * KINESIS_ENDPOINT}, chosen and started by the public test artifact's {@code
 * KinesisTestEnvironment#startNetwork} (the same selection as {@code LocalKinesisExtension}, without
 * the in-memory fallback), and wrapped in a {@link LocalKinesis} with the ITs' helpers.
 *
 * <p>Two modes:
 *
 * <ul>
 *   <li><b>Shared</b> (default; {@code @ExtendWith(KinesisMockExtension.class)} or {@link #shared()}):
 *       one server for the whole JVM run (every test class of a failsafe fork), kept in the root
 *       {@link ExtensionContext} store and stopped when the run ends. Starting a server costs about
 *       2 s, so this is the fast choice. Tests share it, so each uses its own streams ({@link
 *       LocalKinesis#uniqueStreamName}). Output: {@code target/kinesis-mock.log}.
 *   <li><b>Per class</b> ({@code @RegisterExtension static final KinesisMockExtension KINESIS =
 *       KinesisMockExtension.perClass();}): a server of its own for one test class, stopped after
 *       it, for tests that load the server heavily (it slows as it fills) or need a clean one.
 *       Output: {@code target/kinesis-mock-<TestClass>.log}.
 * </ul>
 *
 * <p>Starting: it installs kinesis-mock if {@code node_modules} lacks it (the Maven build has done
 * so already), finds two free ports (http and https), starts {@code node main.js} with an absolute
 * certificate path, {@code SHARD_LIMIT=1000} and 50-100 ms state transitions, and waits until
 * DescribeStreamSummary of a pre-created stream answers ACTIVE (at most {@code
 * -Dkinesis.mock.startTimeout} seconds, default 120: a hang guard, since a loaded machine
 * can take tens of seconds to start Node and the JVM's first SDK call). With {@code KINESIS_ENDPOINT} set it starts
 * nothing and uses that endpoint.
 *
 * <p>Stopping: by PID (SIGTERM, then SIGKILL after 5 s) when the store closes, also after failed
 * tests; a JVM shutdown hook and a stdin watch in the server cover the JVM ending abruptly.
 *
 * <p>Test methods, constructors and lifecycle methods may declare parameters of type {@link
 * LocalKinesis} (the shared handle) and {@link KinesisAsyncClient} (a new client with the defaults
 * of {@link LocalKinesis#newClient()}, closed after the test or class that asked for it).
 *
 * <p>Failures: a server that cannot be installed, started or reached fails every test that uses it
 * with the reason and the tail of the server's output; a start failure is remembered, not retried by
 * every class. It never skips silently.
 */
public final class KinesisMockExtension implements BeforeAllCallback, ParameterResolver {

  private static final Namespace NAMESPACE = Namespace.create(KinesisMockExtension.class);
  // Store lookups search the parent contexts too: the keys keep a per-class server from being
  // satisfied by the shared one in the root store (and the reverse).
  private static final String SHARED_KEY = "shared-server";
  private static final String PER_CLASS_KEY = "per-class-server";

  private final boolean perClass;

  /** Shared mode; this constructor serves {@code @ExtendWith}. Prefer {@link #shared()} in code. */
  public KinesisMockExtension() {
    this(false);
  }

  private KinesisMockExtension(boolean perClass) {
    this.perClass = perClass;
  }

  /** One server for the whole JVM run (the default of {@code @ExtendWith}). */
  public static KinesisMockExtension shared() {
    return new KinesisMockExtension(false);
  }

  /** A server of its own for the test class that registers this extension. */
  public static KinesisMockExtension perClass() {
    return new KinesisMockExtension(true);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    // Start (or fail) before the first test, so the failure names the server, not a test.
    if (perClass) {
      context
          .getStore(NAMESPACE)
          .computeIfAbsent(
              PER_CLASS_KEY,
              key -> Server.start("kinesis-mock-" + context.getRequiredTestClass().getSimpleName()),
              Server.class);
    } else {
      kinesis(context);
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == LocalKinesis.class || type == KinesisAsyncClient.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    LocalKinesis kinesis = kinesis(context);
    if (parameter.getParameter().getType() == LocalKinesis.class) {
      return kinesis;
    }
    KinesisAsyncClient client = kinesis.newClient();
    // Closed with the context that asked for it: the test method, or the class for a constructor.
    context.getStore(NAMESPACE).put(new Object(), (AutoCloseable) client::close);
    return client;
  }

  /** The server of this context: per-class servers are found through the store's parent chain. */
  private LocalKinesis kinesis(ExtensionContext context) {
    Server server;
    if (perClass) {
      server = context.getStore(NAMESPACE).get(PER_CLASS_KEY, Server.class);
      if (server == null) {
        throw new ParameterResolutionException(
            "KinesisMockExtension.perClass() must be registered on a static field");
      }
    } else {
      server =
          context
              .getRoot()
              .getStore(NAMESPACE)
              .computeIfAbsent(SHARED_KEY, key -> Server.start("kinesis-mock"), Server.class);
    }
    return server.kinesis();
  }

  /** A started server or the failure that prevented it; closed by the store that holds it. */
  private static final class Server implements AutoCloseable {
    private final @Nullable LocalKinesis kinesis;
    private final @Nullable RuntimeException failure;

    private Server(@Nullable LocalKinesis kinesis, @Nullable RuntimeException failure) {
      this.kinesis = kinesis;
      this.failure = failure;
    }

    static Server start(String logName) {
      try {
        return new Server(LocalKinesis.start(logName), null);
      } catch (RuntimeException e) {
        return new Server(null, e);
      }
    }

    LocalKinesis kinesis() {
      if (failure != null) {
        throw new IllegalStateException("no Kinesis endpoint for this test: " + failure.getMessage(),
            failure);
      }
      return Objects.requireNonNull(kinesis);
    }

    @Override
    public void close() {
      if (kinesis != null) {
        kinesis.close();
      }
    }
  }
}
