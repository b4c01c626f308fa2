package dev.kinesisresilient.test;

import java.util.Locale;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Chooses the backend: the rules of {@link KinesisBackend#AUTO} over injected probes, so that the
 * order is unit-tested without Docker, Node or environment variables. Stateless; thread-safe.
 */
final class BackendSelection {

  /** What the selection looks at; each probe is called at most once per {@link #choose}. */
  record Probes(
      Function<String, @Nullable String> environment,
      Function<String, @Nullable String> systemProperties,
      BooleanSupplier dockerReachable,
      BooleanSupplier nodeAvailable) {
    Probes {
      Objects.requireNonNull(environment, "environment");
      Objects.requireNonNull(systemProperties, "systemProperties");
      Objects.requireNonNull(dockerReachable, "dockerReachable");
      Objects.requireNonNull(nodeAvailable, "nodeAvailable");
    }

    /** The real environment: process environment, system properties, Docker and Node probes. */
    static Probes system() {
      return new Probes(
          System::getenv, System::getProperty, DockerProbe::dockerReachable, BackendSelection::nodeOnPath);
    }

    /** A system property wins over the environment variable of the same name. */
    @Nullable String setting(String name) {
      String value = systemProperties.apply(name);
      if (value == null || value.isBlank()) {
        value = environment.apply(name);
      }
      return value == null || value.isBlank() ? null : value.strip();
    }
  }

  /** The chosen backend and a one-line reason, for the log. */
  record Choice(KinesisBackend backend, String reason) {}

  private BackendSelection() {}

  /**
   * Chooses a backend.
   *
   * @param requested the backend asked for in code ({@link KinesisBackend#AUTO} when none)
   * @param networkOnly whether {@link KinesisBackend#IN_MEMORY} is excluded (the test needs a real
   *     endpoint)
   * @throws IllegalArgumentException if the backend property holds an unknown value
   * @throws IllegalStateException if a forced backend is not available, or none is
   */
  static Choice choose(KinesisBackend requested, boolean networkOnly, Probes probes) {
    KinesisBackend forced = requested;
    String source = "requested in code";
    if (forced == KinesisBackend.AUTO) {
      String property = probes.setting(KinesisTestEnvironment.BACKEND_PROPERTY);
      if (property != null) {
        forced = parse(property);
        source = KinesisTestEnvironment.BACKEND_PROPERTY + "=" + property;
      }
    }
    if (forced != KinesisBackend.AUTO) {
      if (networkOnly && forced == KinesisBackend.IN_MEMORY) {
        throw new IllegalStateException(
            "backend IN_MEMORY (" + source + ") cannot serve a test that needs a Kinesis endpoint");
      }
      String unavailable = unavailableReason(forced, probes);
      if (unavailable != null) {
        throw new IllegalStateException(
            "backend " + forced + " (" + source + ") is not available: " + unavailable);
      }
      return new Choice(forced, source);
    }
    String endpoint = probes.setting(KinesisTestEnvironment.ENDPOINT_VARIABLE);
    if (endpoint != null) {
      return new Choice(KinesisBackend.ENDPOINT, KinesisTestEnvironment.ENDPOINT_VARIABLE + "=" + endpoint);
    }
    String noDocker = unavailableReason(KinesisBackend.LOCALSTACK, probes);
    if (noDocker == null) {
      return new Choice(KinesisBackend.LOCALSTACK, "Testcontainers found a Docker daemon");
    }
    String noNode = unavailableReason(KinesisBackend.KINESIS_MOCK, probes);
    if (noNode == null) {
      return new Choice(
          KinesisBackend.KINESIS_MOCK,
          KinesisTestEnvironment.ENDPOINT_VARIABLE + " unset; LOCALSTACK: " + noDocker + "; node and npm found");
    }
    String why =
        KinesisTestEnvironment.ENDPOINT_VARIABLE
            + " unset; LOCALSTACK: "
            + noDocker
            + "; KINESIS_MOCK: "
            + noNode;
    if (networkOnly) {
      throw new IllegalStateException("no Kinesis endpoint available: " + why);
    }
    return new Choice(KinesisBackend.IN_MEMORY, why);
  }

  private static @Nullable String unavailableReason(KinesisBackend backend, Probes probes) {
    return switch (backend) {
      case ENDPOINT ->
          probes.setting(KinesisTestEnvironment.ENDPOINT_VARIABLE) == null
              ? KinesisTestEnvironment.ENDPOINT_VARIABLE + " is not set"
              : null;
      case LOCALSTACK ->
          probes.dockerReachable().getAsBoolean()
              ? null
              : "no Docker daemon reachable through Testcontainers (or testcontainers-localstack is"
                  + " not on the class path)";
      case KINESIS_MOCK -> probes.nodeAvailable().getAsBoolean() ? null : "node or npm is not on the PATH";
      case IN_MEMORY, AUTO -> null;
    };
  }

  /** Parses a backend name: the constant names, case-insensitive, {@code -} for {@code _}. */
  static KinesisBackend parse(String value) {
    String normalized = value.strip().toUpperCase(Locale.ROOT).replace('-', '_');
    for (KinesisBackend b : KinesisBackend.values()) {
      if (b.name().equals(normalized)) {
        return b;
      }
    }
    throw new IllegalArgumentException(
        KinesisTestEnvironment.BACKEND_PROPERTY
            + "="
            + value
            + " is not a backend; use one of auto, endpoint, localstack, kinesis-mock, in-memory");
  }

  private static boolean nodeOnPath() {
    return KinesisMockInstallation.onPath("node", "node.exe").isPresent()
        && KinesisMockInstallation.onPath("npm", "npm.cmd").isPresent();
  }
}
