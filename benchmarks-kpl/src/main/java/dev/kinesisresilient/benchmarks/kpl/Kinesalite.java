package dev.kinesisresilient.benchmarks.kpl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import dev.kinesisresilient.core.KinesisClientConfig;
import dev.kinesisresilient.core.KinesisClientFactory;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.ResourceInUseException;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/**
 * kinesalite (npm, pinned in this module's package-lock.json) on a free loopback port, through
 * {@code kinesalite-server.js}, which keeps it alive when a client drops a connection mid-request.
 * One server per run, so every run starts on an empty store.
 */
final class Kinesalite implements AutoCloseable {
  private final Process process;
  private final URI endpoint;
  private final KinesisAsyncClient admin;

  private Kinesalite(Process process, URI endpoint) {
    this.process = process;
    this.endpoint = endpoint;
    // Short timeouts: a request kinesalite leaves unanswered (seen right after start) is tried again.
    this.admin = KinesisClientFactory.create(KinesisClientConfig.forLocalEndpoint(endpoint).toBuilder()
        .attemptTimeout(Duration.ofSeconds(5))
        .apiCallTimeout(Duration.ofSeconds(5))
        .build());
  }

  /** Installs kinesalite with {@code npm ci} unless it is there. */
  static void install(Path moduleDir) throws IOException, InterruptedException {
    if (Files.isRegularFile(moduleDir.resolve("node_modules/kinesalite/cli.js"))) {
      return;
    }
    System.err.println("installing kinesalite: npm ci in " + moduleDir);
    Process p = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(moduleDir.toFile()).inheritIO().start();
    if (p.waitFor() != 0) {
      throw new IllegalStateException("npm ci failed in " + moduleDir + ": Node.js 18+ and npm are needed");
    }
  }

  static Kinesalite start(Path moduleDir, boolean https, Path log) throws IOException {
    int port = freePort();
    List<String> cmd = new ArrayList<>(List.of("node", "--max-old-space-size=8192", "kinesalite-server.js",
        "--port", Integer.toString(port), "--createStreamMs", "0", "--deleteStreamMs", "0", "--updateStreamMs", "0",
        "--shardLimit", "100"));
    if (https) {
      cmd.add("--ssl");
    }
    Process p = new ProcessBuilder(cmd).directory(moduleDir.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    Kinesalite k = new Kinesalite(p, URI.create((https ? "https" : "http") + "://127.0.0.1:" + port));
    k.awaitReady();
    return k;
  }

  URI endpoint() {
    return endpoint;
  }

  long pid() {
    return process.pid();
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      try {
        admin.listStreams().join();
        return;
      } catch (RuntimeException e) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          close();
          throw new IllegalStateException("kinesalite did not start on " + endpoint + " (see its log)", e);
        }
        sleep(100);
      }
    }
  }

  /** Creates a stream and waits until it is ACTIVE. */
  void createStream(String name, int shards) {
    for (int attempt = 1; ; attempt++) {
      try {
        admin.createStream(b -> b.streamName(name).shardCount(shards)).join();
        break;
      } catch (RuntimeException e) {
        if (attempt == 3 || e.getCause() instanceof ResourceInUseException) {
          if (e.getCause() instanceof ResourceInUseException) {
            break; // an earlier attempt created it
          }
          throw e;
        }
      }
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (admin.describeStreamSummary(b -> b.streamName(name)).join().streamDescriptionSummary().streamStatus()
        != StreamStatus.ACTIVE) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("stream " + name + " not ACTIVE after 30 s");
      }
      sleep(20);
    }
  }

  @Override
  public void close() {
    admin.close();
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
