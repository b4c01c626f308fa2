package dev.kinesisresilient.test;

/**
 * Where a {@link KinesisTestEnvironment} gets its Kinesis API from.
 *
 * <p>{@link #AUTO} picks the first available in this order, and logs the choice and why at INFO:
 * {@link #ENDPOINT}, {@link #LOCALSTACK}, {@link #KINESIS_MOCK}, {@link #IN_MEMORY}. Force one with
 * {@link LocalKinesisTest#backend()}, {@link LocalKinesisExtension.Builder#backend} or the system
 * property {@value KinesisTestEnvironment#BACKEND_PROPERTY} (values: the constant names, case and
 * {@code -}/{@code _} insensitive, for example {@code kinesis-mock}). A forced backend that is not
 * available fails the test with the reason; it is never replaced silently.
 *
 * @since 0.1.0
 */
public enum KinesisBackend {
  /** The first available of the others, in declaration order (the default). */
  AUTO,
  /**
   * The endpoint in the environment variable or system property {@value
   * KinesisTestEnvironment#ENDPOINT_VARIABLE} (LocalStack you started yourself, a real account).
   * Available when it is set. Credentials: the default provider chain when {@code
   * AWS_ACCESS_KEY_ID} or {@code AWS_PROFILE} is set, else fake static ones.
   */
  ENDPOINT,
  /**
   * LocalStack in Docker through Testcontainers' {@code testcontainers-localstack} 2.x module
   * (class {@code org.testcontainers.localstack.LocalStackContainer}), which the user adds to the
   * test class path. Available when that module is present and a Docker daemon answers. Not
   * exercised by this project's build, whose machines have no Docker.
   */
  LOCALSTACK,
  /**
   * kinesis-mock (npm {@code kinesis-local}, the Kinesis engine inside LocalStack) run by Node.js on
   * loopback, installed with {@code npm ci} from the lock file shipped in this jar. Available when
   * {@code node} and {@code npm} are on the PATH.
   */
  KINESIS_MOCK,
  /**
   * The in-memory {@link dev.kinesisresilient.core.testing.FakeKinesisAsyncClient}: no endpoint, no
   * HTTP; always available.
   */
  IN_MEMORY
}
