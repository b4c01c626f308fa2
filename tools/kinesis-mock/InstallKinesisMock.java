import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Installs the pinned kinesis-mock (npm package {@code kinesis-local}) into {@code node_modules} next
 * to this file, with {@code npm ci}, for the integration tests.
 *
 * <p>Run with the JDK's single-file source launcher, giving this directory:
 *
 * <pre>{@code java tools/kinesis-mock/InstallKinesisMock.java tools/kinesis-mock}</pre>
 *
 * <p>The Maven build runs it in {@code pre-integration-test} (see the parent POM), and the JUnit
 * extension runs it when {@code node_modules} is missing (an IDE run). It:
 *
 * <ul>
 *   <li>fails with exit code 2 and a message saying what to install when {@code node} or {@code npm}
 *       is not on the PATH: the integration tests are never skipped silently;
 *   <li>does nothing when {@code node_modules} was installed from the current {@code package.json}
 *       and {@code package-lock.json} (a stamp holds their SHA-256), so repeated builds work offline;
 *   <li>serialises concurrent runs (parallel module builds) with a file lock.
 * </ul>
 *
 * <p>Plain JDK, no dependencies: it must run before anything else of the build is available.
 */
public final class InstallKinesisMock {

  private static final String STAMP = ".kinesis-resilient-install.sha256";
  private static final long NPM_TIMEOUT_MINUTES = 10;

  private InstallKinesisMock() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: java InstallKinesisMock.java <dir holding package.json>");
      System.exit(64);
    }
    Path dir = Path.of(args[0]).toAbsolutePath().normalize();
    System.exit(install(dir));
  }

  static int install(Path dir) throws IOException, InterruptedException {
    Path packageJson = dir.resolve("package.json");
    Path lockJson = dir.resolve("package-lock.json");
    if (!Files.isRegularFile(packageJson) || !Files.isRegularFile(lockJson)) {
      System.err.println("[kinesis-mock] no package.json and package-lock.json in " + dir);
      return 2;
    }
    Optional<Path> node = onPath("node", "node.exe");
    Optional<Path> npm = onPath("npm", "npm.cmd");
    if (node.isEmpty() || npm.isEmpty()) {
      System.err.println(
          "[kinesis-mock] ERROR: the integration tests run kinesis-mock (npm package kinesis-local)"
              + " on Node.js, but "
              + (node.isEmpty() ? "'node'" : "'npm'")
              + " is not on the PATH.\n"
              + "[kinesis-mock] Install Node.js 20 or later with npm (Debian/Ubuntu: apt-get install"
              + " nodejs npm; others: https://nodejs.org), or skip the integration tests with"
              + " -DskipITs.");
      return 2;
    }

    String wanted = sha256(packageJson, lockJson);
    Path nodeModules = dir.resolve("node_modules");
    Path lockFile = dir.resolve(".install.lock");
    try (FileChannel channel =
            FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock ignored = channel.lock()) {
      Path stamp = nodeModules.resolve(STAMP);
      if (Files.isRegularFile(stamp)
          && wanted.equals(Files.readString(stamp, StandardCharsets.UTF_8).trim())
          && Files.isRegularFile(nodeModules.resolve("kinesis-local/main.js"))) {
        System.out.println("[kinesis-mock] up to date in " + nodeModules);
        return 0;
      }
      System.out.println("[kinesis-mock] npm ci in " + dir + " (node " + version(node.get()) + ")");
      Process npmCi =
          new ProcessBuilder(
                  List.of(npm.get().toString(), "ci", "--no-audit", "--no-fund", "--loglevel=error"))
              .directory(dir.toFile())
              .inheritIO()
              .start();
      if (!npmCi.waitFor(NPM_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
        npmCi.destroyForcibly();
        System.err.println("[kinesis-mock] ERROR: npm ci did not finish in " + NPM_TIMEOUT_MINUTES
            + " minutes in " + dir);
        return 3;
      }
      if (npmCi.exitValue() != 0) {
        System.err.println("[kinesis-mock] ERROR: npm ci failed with exit code "
            + npmCi.exitValue() + " in " + dir
            + ": it needs the npm registry (or a populated npm cache); see npm's output above.");
        return 3;
      }
      if (!Files.isRegularFile(nodeModules.resolve("kinesis-local/main.js"))) {
        System.err.println("[kinesis-mock] ERROR: npm ci succeeded but "
            + nodeModules.resolve("kinesis-local/main.js") + " is missing");
        return 3;
      }
      Files.writeString(stamp, wanted + "\n", StandardCharsets.UTF_8);
      return 0;
    }
  }

  private static Optional<Path> onPath(String... names) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String entry : path.split(java.io.File.pathSeparator)) {
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

  private static String version(Path node) {
    try {
      Process p = new ProcessBuilder(node.toString(), "--version").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      p.waitFor(30, TimeUnit.SECONDS);
      return out;
    } catch (IOException e) {
      return "unknown version";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown version";
    }
  }

  private static String sha256(Path... files) throws IOException {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (Path file : files) {
        digest.update(Files.readAllBytes(file));
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
