package dev.kinesisresilient.core.it;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Where kinesis-mock is installed, and its installation when an IDE run finds it missing.
 *
 * <p>The directory is {@code tools/kinesis-mock} of the repository: the system property {@code
 * kinesis.mock.dir} (set by the parent POM's failsafe configuration), else the first {@code
 * tools/kinesis-mock} holding a {@code package.json} in the working directory or one of its parents.
 */
final class KinesisMockInstallation {

  static final String DIR_PROPERTY = "kinesis.mock.dir";
  private static final long INSTALL_TIMEOUT_MINUTES = 10;

  private final Path dir;

  private KinesisMockInstallation(Path dir) {
    this.dir = dir;
  }

  /** Finds the directory and installs kinesis-mock there if {@code node_modules} lacks it. */
  static KinesisMockInstallation ensureInstalled() {
    KinesisMockInstallation installation = new KinesisMockInstallation(locate());
    if (!Files.isRegularFile(installation.mainJs())
        || !Files.isRegularFile(installation.certificate())) {
      installation.install();
    }
    return installation;
  }

  Path dir() {
    return dir;
  }

  /** The server's entry point, {@code node_modules/kinesis-local/main.js}, absolute. */
  Path mainJs() {
    return dir.resolve("node_modules/kinesis-local/main.js");
  }

  /** The self-signed certificate; kinesis-mock serves nothing unless given its absolute path. */
  Path certificate() {
    return dir.resolve("node_modules/kinesis-local/server.json");
  }

  /** The preload script that ends the server when the JVM's end closes its stdin. */
  Path exitWithParentScript() {
    return dir.resolve("exit-with-parent.cjs");
  }

  /** The {@code node} executable on the PATH, or an error saying what to install. */
  static Path node() {
    return onPath("node", "node.exe")
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "kinesis-mock runs on Node.js, but 'node' is not on the PATH. Install Node.js 20"
                        + " or later with npm (Debian/Ubuntu: apt-get install nodejs npm), set"
                        + " KINESIS_ENDPOINT to an existing Kinesis endpoint, or skip the"
                        + " integration tests with -DskipITs."));
  }

  private static Path locate() {
    String configured = System.getProperty(DIR_PROPERTY);
    if (configured != null && !configured.isBlank()) {
      Path path = Path.of(configured).toAbsolutePath().normalize();
      if (!Files.isRegularFile(path.resolve("package.json"))) {
        throw new IllegalStateException(
            "-D" + DIR_PROPERTY + "=" + configured + " holds no package.json");
      }
      return path;
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path candidate = p.resolve("tools/kinesis-mock");
      if (Files.isRegularFile(candidate.resolve("package.json"))) {
        return candidate.normalize();
      }
    }
    throw new IllegalStateException(
        "cannot find tools/kinesis-mock/package.json from "
            + Path.of("").toAbsolutePath()
            + "; set -D"
            + DIR_PROPERTY
            + " or KINESIS_ENDPOINT");
  }

  /** Runs tools/kinesis-mock/InstallKinesisMock.java, the same installer the Maven build runs. */
  private void install() {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command =
        List.of(
            java.toString(), dir.resolve("InstallKinesisMock.java").toString(), dir.toString());
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      process.getOutputStream().close();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(INSTALL_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new IllegalStateException("installing kinesis-mock timed out: " + command);
      }
      if (process.exitValue() != 0 || !Files.isRegularFile(mainJs())) {
        throw new IllegalStateException(
            "kinesis-mock is not installed in "
                + dir
                + " and installing it failed (exit code "
                + process.exitValue()
                + "):\n"
                + output.strip());
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while installing kinesis-mock", e);
    }
  }

  static Optional<Path> onPath(String... names) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String entry : path.split(File.pathSeparator)) {
      if (entry.isEmpty()) {
        continue;
      }
      for (String name : names) {
        Path candidate = Path.of(entry, name);
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return Optional.of(candidate);
        }
      }
    }
    return Optional.empty();
  }
}
