package dev.kinesisresilient.test;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Where kinesis-mock (npm {@code kinesis-local}) is installed, and its installation when missing.
 *
 * <p>The directory is the system property {@code kinesis.mock.dir} when set (this project's build
 * sets it to {@code tools/kinesis-mock}); else a cache directory, {@code
 * kinesis.resilient.test.cacheDir} or {@code ~/.cache/kinesis-resilient}, plus {@code
 * kinesis-mock-<first 12 hex digits of the lock file's SHA-256>}, into which the {@code
 * package.json}, {@code package-lock.json} and {@code exit-with-parent.cjs} shipped in this jar are
 * copied. Installation is {@code npm ci} (exactly the locked versions), under a file lock so that
 * parallel test JVMs install once. Not thread-safe on its own; callers serialise through the
 * extension's store.
 */
final class KinesisMockInstallation {

  static final String DIR_PROPERTY = "kinesis.mock.dir";
  static final String CACHE_DIR_PROPERTY = "kinesis.resilient.test.cacheDir";
  private static final String RESOURCES = "/dev/kinesisresilient/test/kinesis-mock/";
  private static final List<String> SHIPPED =
      List.of("package.json", "package-lock.json", "exit-with-parent.cjs");
  private static final long INSTALL_TIMEOUT_MINUTES = 10;

  private final Path dir;

  private KinesisMockInstallation(Path dir) {
    this.dir = dir;
  }

  /** Finds or prepares the directory and installs kinesis-mock there if it is missing. */
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
                        + " or later with npm (Debian/Ubuntu: apt-get install nodejs npm), or set"
                        + " KINESIS_ENDPOINT to an existing Kinesis endpoint."));
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
    String base = System.getProperty(CACHE_DIR_PROPERTY);
    return prepareCacheDir(
        base != null && !base.isBlank()
            ? Path.of(base)
            : Path.of(System.getProperty("user.home"), ".cache", "kinesis-resilient"));
  }

  /** Copies the shipped package files into {@code root}/kinesis-mock-(hash of the lock file). */
  static Path prepareCacheDir(Path root) {
    byte[] lock = resource("package-lock.json");
    String hash;
    try {
      hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(lock));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
    Path dir = root.resolve("kinesis-mock-" + hash.substring(0, 12)).toAbsolutePath().normalize();
    try {
      Files.createDirectories(dir);
      for (String name : SHIPPED) {
        Path target = dir.resolve(name);
        Path temp = Files.createTempFile(dir, name, ".tmp");
        Files.write(temp, resource(name));
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the kinesis-mock directory " + dir, e);
    }
    return dir;
  }

  private static byte[] resource(String name) {
    try (InputStream in = KinesisMockInstallation.class.getResourceAsStream(RESOURCES + name)) {
      if (in == null) {
        throw new IllegalStateException(
            "kinesis-resilient-test is missing its resource " + RESOURCES + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCES + name, e);
    }
  }

  /** {@code npm ci} in the directory, once across JVMs (file lock), from the committed lock file. */
  @SuppressWarnings("try") // the lock is held for the block, never read
  private void install() {
    Path npm =
        onPath("npm", "npm.cmd")
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "kinesis-mock is installed with npm, but 'npm' is not on the PATH. Install"
                            + " Node.js 20 or later with npm, or set KINESIS_ENDPOINT."));
    List<String> command = List.of(npm.toString(), "ci", "--no-audit", "--no-fund");
    try (FileChannel channel =
            FileChannel.open(
                dir.resolve(".install.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock ignored = channel.lock()) {
      if (Files.isRegularFile(mainJs()) && Files.isRegularFile(certificate())) {
        return; // Another JVM installed it while we waited for the lock.
      }
      Process process =
          new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
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
                + " and '"
                + String.join(" ", command)
                + "' failed (exit code "
                + process.exitValue()
                + "):\n"
                + output.strip());
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + command + " in " + dir, e);
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
