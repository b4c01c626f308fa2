package dev.kinesisresilient.test;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One kinesis-mock server process: {@code node -r exit-with-parent.cjs <abs>/main.js} on two free
 * ports, its output appended to a log file, stopped by PID.
 *
 * <p>Lifecycle: {@link #start} launches the process (it is not ready yet: {@link KinesisTestEnvironment}
 * waits for readiness); {@link #close} sends SIGTERM, waits, then kills it forcibly. A JVM shutdown hook
 * does the same if the store that owns it is never closed, and {@code exit-with-parent.cjs} ends
 * the server when the JVM dies without running hooks (its stdin pipe closes). Thread-safe.
 */
final class KinesisMockProcess implements AutoCloseable {

  /** A stream created at startup, used for readiness and as a sink by fault injection. */
  static final String READINESS_STREAM = "kinesis-resilient-ready";

  private static final long STOP_GRACE_SECONDS = 5;

  private final Process process;
  private final int plainPort;
  private final int tlsPort;
  private final Path logFile;
  private final Thread shutdownHook;
  private boolean closed;

  private KinesisMockProcess(Process process, int plainPort, int tlsPort, Path logFile) {
    this.process = process;
    this.plainPort = plainPort;
    this.tlsPort = tlsPort;
    this.logFile = logFile;
    this.shutdownHook = new Thread(this::stop, "kinesis-mock-shutdown-" + process.pid());
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** Starts the server on two free ports; returns at once, before the server is ready. */
  static KinesisMockProcess start(KinesisMockInstallation installation, Path logFile) {
    int[] ports = freePorts(2);
    Map<String, String> env =
        Map.ofEntries(
            Map.entry("KINESIS_MOCK_PLAIN_PORT", Integer.toString(ports[0])),
            Map.entry("KINESIS_MOCK_TLS_PORT", Integer.toString(ports[1])),
            // Must be absolute, or the server serves nothing.
            Map.entry("KINESIS_MOCK_CERT_PATH", installation.certificate().toString()),
            Map.entry("SHARD_LIMIT", "1000"),
            Map.entry("ON_DEMAND_STREAM_COUNT_LIMIT", "100"),
            Map.entry("LOG_LEVEL", "WARN"),
            Map.entry("ROOT_LOG_LEVEL", "ERROR"),
            Map.entry("AWS_REGION", KinesisTestEnvironment.MOCK_REGION.id()),
            Map.entry("AWS_ACCOUNT_ID", KinesisTestEnvironment.MOCK_ACCOUNT_ID),
            Map.entry("INITIALIZE_STREAMS", READINESS_STREAM + ":1"),
            Map.entry("SHOULD_PERSIST_DATA", "false"),
            Map.entry("LOAD_DATA_IF_EXISTS", "false"),
            // State transitions default to 500 ms; short ones keep the suites fast.
            Map.entry("CREATE_STREAM_DURATION", "50ms"),
            Map.entry("DELETE_STREAM_DURATION", "50ms"),
            Map.entry("REGISTER_STREAM_CONSUMER_DURATION", "50ms"),
            Map.entry("DEREGISTER_STREAM_CONSUMER_DURATION", "50ms"),
            Map.entry("START_STREAM_ENCRYPTION_DURATION", "50ms"),
            Map.entry("STOP_STREAM_ENCRYPTION_DURATION", "50ms"),
            Map.entry("MERGE_SHARDS_DURATION", "100ms"),
            Map.entry("SPLIT_SHARD_DURATION", "100ms"),
            Map.entry("UPDATE_SHARD_COUNT_DURATION", "100ms"),
            Map.entry("UPDATE_STREAM_MODE_DURATION", "100ms"));
    List<String> command =
        List.of(
            KinesisMockInstallation.node().toString(),
            "-r",
            installation.exitWithParentScript().toString(),
            installation.mainJs().toString());
    try {
      Files.createDirectories(logFile.toAbsolutePath().getParent());
      Files.writeString(
          logFile,
          "=== " + Instant.now() + " starting kinesis-mock: " + String.join(" ", command) + " "
              + env + System.lineSeparator(),
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .directory(logFile.toAbsolutePath().getParent().toFile())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
      // Stdin stays a pipe: exit-with-parent.cjs ends the server when it closes.
      builder.environment().putAll(env);
      return new KinesisMockProcess(builder.start(), ports[0], ports[1], logFile);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
  }

  int plainPort() {
    return plainPort;
  }

  int tlsPort() {
    return tlsPort;
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  Path logFile() {
    return logFile;
  }

  /** Describes the process and the last lines of its output, for error messages. */
  String describe() {
    String state =
        process.isAlive() ? "running" : "exited with code " + process.exitValue();
    return "kinesis-mock pid "
        + process.pid()
        + " ("
        + state
        + ", http port "
        + plainPort
        + ", https port "
        + tlsPort
        + "), last lines of "
        + logFile.toAbsolutePath()
        + ":\n"
        + sinceLastStart(tail(logFile, 40));
  }

  /** The part of a log tail written since the last start header (the log is appended to). */
  private static String sinceLastStart(String tail) {
    int header = tail.lastIndexOf("=== ");
    return header < 0 ? tail : tail.substring(header);
  }

  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shutdownInProgress) {
      // The hook runs or has run.
    }
    stop();
  }

  private synchronized void stop() {
    if (closed) {
      return;
    }
    closed = true;
    List<ProcessHandle> children = new ArrayList<>(process.descendants().toList());
    process.destroy(); // SIGTERM
    try {
      if (!process.waitFor(STOP_GRACE_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly(); // SIGKILL
        process.waitFor(STOP_GRACE_SECONDS, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    children.forEach(ProcessHandle::destroyForcibly);
  }

  /**
   * Free TCP ports, all different. Another process may take one before the server binds it: the
   * caller retries on a failed start.
   */
  static int[] freePorts(int count) {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      int[] ports = new int[count];
      for (int i = 0; i < count; i++) {
        ServerSocket socket = new ServerSocket();
        sockets.add(socket);
        socket.setReuseAddress(false);
        // kinesis-mock listens on every interface: probe the wildcard address too.
        socket.bind(new InetSocketAddress(0));
        ports[i] = socket.getLocalPort();
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find free ports", e);
    } finally {
      for (ServerSocket socket : sockets) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // Best effort.
        }
      }
    }
  }

  /** The last {@code lines} lines of a file, read from at most its last 64 KiB. */
  static String tail(Path file, int lines) {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      long length = raf.length();
      long from = Math.max(0, length - 64 * 1024);
      byte[] bytes = new byte[(int) (length - from)];
      raf.seek(from);
      raf.readFully(bytes);
      String[] all = new String(bytes, StandardCharsets.UTF_8).split("\\R");
      int start = Math.max(0, all.length - lines);
      return String.join(System.lineSeparator(), List.of(all).subList(start, all.length));
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e + ")";
    }
  }
}
