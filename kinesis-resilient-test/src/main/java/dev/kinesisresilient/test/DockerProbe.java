package dev.kinesisresilient.test;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks Testcontainers whether a Docker daemon answers. Testcontainers is an optional dependency: the
 * class is looked up by name first, and the only reference to it lives in {@link LocalStackBackend},
 * which is loaded only when it is present.
 */
final class DockerProbe {

  private static final Logger LOG = LoggerFactory.getLogger(DockerProbe.class);
  private static final String LOCALSTACK_CLASS = "org.testcontainers.localstack.LocalStackContainer";

  private DockerProbe() {}

  static boolean testcontainersPresent() {
    try {
      Class.forName(LOCALSTACK_CLASS, false, DockerProbe.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  static boolean dockerReachable() {
    if (!testcontainersPresent()) {
      return false;
    }
    try {
      return LocalStackBackend.dockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      LOG.debug("Testcontainers' Docker probe failed", e);
      return false;
    }
  }
}
