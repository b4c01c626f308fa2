package dev.kinesisresilient.test;

import java.net.URI;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * LocalStack through Testcontainers. The only class that references Testcontainers (an optional
 * dependency), so it is loaded only when Testcontainers is on the class path. Not exercised by this
 * project's build: its machines have no Docker.
 */
final class LocalStackBackend implements AutoCloseable {

  /** The image, overridable with {@value #IMAGE_PROPERTY}. */
  static final String DEFAULT_IMAGE = "localstack/localstack:4.10";

  static final String IMAGE_PROPERTY = "kinesis.resilient.test.localstackImage";

  private final LocalStackContainer container;

  private LocalStackBackend(LocalStackContainer container) {
    this.container = container;
  }

  static boolean dockerAvailable() {
    return DockerClientFactory.instance().isDockerAvailable();
  }

  static LocalStackBackend start() {
    String image = System.getProperty(IMAGE_PROPERTY, DEFAULT_IMAGE);
    LocalStackContainer container =
        new LocalStackContainer(DockerImageName.parse(image)).withServices("kinesis");
    container.start();
    return new LocalStackBackend(container);
  }

  URI endpoint() {
    return container.getEndpoint();
  }

  String region() {
    return container.getRegion();
  }

  String accessKey() {
    return container.getAccessKey();
  }

  String secretKey() {
    return container.getSecretKey();
  }

  @Override
  public void close() {
    container.stop();
  }
}
