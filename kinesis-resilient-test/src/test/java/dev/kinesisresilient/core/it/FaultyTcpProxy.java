package dev.kinesisresilient.core.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A loopback TCP proxy between a client and a plain-http server (kinesis-mock's http port) that
 * injects network faults into chosen HTTP requests.
 *
 * <p>Faults, decided per request (the first bytes a client sends on a connection, or after a
 * response came back on it, start a request; HTTP/1.1 without pipelining, as the SDK's netty client
 * speaks it):
 *
 * <ul>
 *   <li>{@link Fault#reset()}: reads the first bytes of the request, forwards nothing and resets the
 *       client's connection (SO_LINGER 0, so the client sees "connection reset"); the server never
 *       sees the request.
 *   <li>{@link Fault#stall()}: forwards the request (the server executes it, and may store records)
 *       but never the response, holding the connection open, so only the client's attempt timeout
 *       ends the attempt ({@code ApiCallAttemptTimeoutException}). When the client gives up and
 *       closes, the proxy keeps its connection to the server open, as a lost response on a real
 *       network would: the server executes the request however late it reads it (on a loaded
 *       machine that can be after the client's timeout). {@link #awaitResponsesWithheld} waits until
 *       the server has answered, that is, executed it.
 *   <li>{@link Fault#resetAfterRequest()}: forwards the request and resets the client's connection
 *       when the response arrives: executed by the server, lost for the client.
 *   <li>{@link Fault#latency(Duration)}: forwards the request after the given delay.
 * </ul>
 *
 * <p>Which requests: the next N ({@link #faultNextRequests}), each with a probability from a seeded
 * {@link Random} ({@link #faultRequests(Fault, double, long)}), or all ({@link
 * #faultAllRequests}), checked in that order; {@link #passThrough()} clears everything. Counters
 * report what was done.
 *
 * <pre>{@code
 * try (FaultyTcpProxy proxy = FaultyTcpProxy.start(kinesis.endpoint());
 *     KinesisAsyncClient client = kinesis.newClient(proxy.endpoint(),
 *         o -> o.apiCallAttemptTimeout(Duration.ofMillis(500)))) {
 *   proxy.faultNextRequests(Fault.stall(), 1);
 *   ...
 * }
 * }</pre>
 *
 * <p>Thread-safe. Plain blocking sockets on daemon threads: one acceptor, two per connection.
 * {@link #close()} closes the listener and every connection. A connection to the server that fails
 * closes the client's connection.
 */
public final class FaultyTcpProxy implements AutoCloseable {

  /** A network fault applied to one request. */
  public sealed interface Fault {
    /** Reset the client's connection after reading part of the request; forward nothing. */
    static Fault reset() {
      return Reset.INSTANCE;
    }

    /** Forward the request, never the response; keep the connection open. */
    static Fault stall() {
      return Stall.INSTANCE;
    }

    /** Forward the request, then reset the client's connection instead of forwarding the response. */
    static Fault resetAfterRequest() {
      return ResetAfterRequest.INSTANCE;
    }

    /** Forward the request after {@code delay}. */
    static Fault latency(Duration delay) {
      return new Latency(delay);
    }
  }

  private enum Reset implements Fault {
    INSTANCE
  }

  private enum Stall implements Fault {
    INSTANCE
  }

  private enum ResetAfterRequest implements Fault {
    INSTANCE
  }

  private record Latency(Duration delay) implements Fault {
    Latency {
      if (delay.isNegative()) {
        throw new IllegalArgumentException("negative delay: " + delay);
      }
    }
  }

  private static final int BUFFER = 16 * 1024;
  /** How many bytes of a request are read before deciding (a reset then cuts the request short). */
  private static final int FIRST_READ = 64;

  private final InetSocketAddress target;
  private final ServerSocket listener;
  private final Thread acceptor;
  private final Set<Connection> connections = ConcurrentHashMap.newKeySet();

  private final Deque<Fault> nextFaults = new ArrayDeque<>();
  private @Nullable Fault probabilisticFault;
  private double probability;
  private @Nullable Random random;
  private @Nullable Fault allFault;

  private final AtomicLong connectionsAccepted = new AtomicLong();
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong resets = new AtomicLong();
  private final AtomicLong stalls = new AtomicLong();
  private final AtomicLong resetsAfterRequest = new AtomicLong();
  private final AtomicLong delayed = new AtomicLong();
  private final AtomicLong responsesWithheld = new AtomicLong();
  private volatile boolean closed;

  private FaultyTcpProxy(InetSocketAddress target) throws IOException {
    this.target = target;
    this.listener = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
    this.acceptor = new Thread(this::acceptLoop, "faulty-tcp-proxy-" + listener.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Starts a proxy to the host and port of an http endpoint, for example {@code kinesis.endpoint()}. */
  public static FaultyTcpProxy start(URI target) {
    Objects.requireNonNull(target, "target");
    if (!"http".equalsIgnoreCase(target.getScheme()) || target.getPort() < 0) {
      throw new IllegalArgumentException("need an http endpoint with a port: " + target);
    }
    return start(target.getHost(), target.getPort());
  }

  /** Starts a proxy to {@code host:port}, listening on a free loopback port. */
  public static FaultyTcpProxy start(String host, int port) {
    try {
      return new FaultyTcpProxy(new InetSocketAddress(host, port));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on loopback", e);
    }
  }

  /** The proxy as an http endpoint for a client's {@code endpointOverride}. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + listener.getLocalPort());
  }

  /** The loopback port the proxy listens on. */
  public int port() {
    return listener.getLocalPort();
  }

  /** Forwards every request untouched from now on: clears all faults. */
  public synchronized FaultyTcpProxy passThrough() {
    nextFaults.clear();
    probabilisticFault = null;
    random = null;
    allFault = null;
    return this;
  }

  /** Applies {@code fault} to the next {@code count} requests (queued after earlier ones). */
  public synchronized FaultyTcpProxy faultNextRequests(Fault fault, int count) {
    Objects.requireNonNull(fault, "fault");
    if (count < 0) {
      throw new IllegalArgumentException("count must not be negative: " + count);
    }
    for (int i = 0; i < count; i++) {
      nextFaults.add(fault);
    }
    return this;
  }

  /** Applies {@code fault} to each request with {@code probability}, from a seeded Random. */
  public synchronized FaultyTcpProxy faultRequests(Fault fault, double probability, long seed) {
    Objects.requireNonNull(fault, "fault");
    if (!(probability >= 0.0 && probability <= 1.0)) {
      throw new IllegalArgumentException("probability must be in [0, 1]: " + probability);
    }
    this.probabilisticFault = fault;
    this.probability = probability;
    this.random = new Random(seed);
    return this;
  }

  /** Applies {@code fault} to every request not taken by a counted or probabilistic fault. */
  public synchronized FaultyTcpProxy faultAllRequests(Fault fault) {
    this.allFault = Objects.requireNonNull(fault, "fault");
    return this;
  }

  /** Client connections accepted. */
  public long connections() {
    return connectionsAccepted.get();
  }

  /** Requests seen (faulted or not). */
  public long requests() {
    return requests.get();
  }

  /** Requests cut short by {@link Fault#reset()}. */
  public long resets() {
    return resets.get();
  }

  /** Requests whose response was withheld by {@link Fault#stall()}. */
  public long stalls() {
    return stalls.get();
  }

  /** Stalled requests whose response the server has sent (and the proxy swallowed). */
  public long responsesWithheld() {
    return responsesWithheld.get();
  }

  /**
   * Waits until the server has answered {@code count} stalled requests, so that a test reads the
   * stream only after the server executed them. Polls every 20 ms.
   *
   * @param count stalled requests answered
   * @param timeout a hang guard
   * @throws IllegalStateException when fewer were answered within {@code timeout}
   */
  public void awaitResponsesWithheld(long count, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (responsesWithheld.get() < count) {
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("the server answered " + responsesWithheld.get() + " of "
            + count + " stalled requests within " + timeout);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
  }

  /** Requests forwarded and then reset by {@link Fault#resetAfterRequest()}. */
  public long resetsAfterRequest() {
    return resetsAfterRequest.get();
  }

  /** Requests delayed by {@link Fault#latency(Duration)}. */
  public long delayed() {
    return delayed.get();
  }

  /** Stops listening and closes every connection. */
  @Override
  public void close() {
    closed = true;
    closeQuietly(listener);
    for (Connection connection : connections) {
      connection.close();
    }
    try {
      acceptor.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private synchronized @Nullable Fault decide() {
    Fault next = nextFaults.poll();
    if (next != null) {
      return next;
    }
    Random r = random;
    if (probabilisticFault != null && r != null && r.nextDouble() < probability) {
      return probabilisticFault;
    }
    return allFault;
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        return; // Closed.
      }
      connectionsAccepted.incrementAndGet();
      Connection connection = new Connection(client, connectionsAccepted.get());
      connections.add(connection);
      connection.start();
    }
  }

  /** One client connection and its connection to the server. */
  private final class Connection {
    private final Socket client;
    private final Socket server = new Socket();
    private final long id;
    /** True until the client sends a request, and again once a response came back. */
    private volatile boolean awaitingRequest = true;
    private volatile boolean stalled;
    private volatile boolean responseSeen;
    private volatile boolean resetOnResponse;

    Connection(Socket client, long id) {
      this.client = client;
      this.id = id;
    }

    void start() {
      Thread upstream = new Thread(this::upstream, "faulty-tcp-proxy-c2s-" + id);
      upstream.setDaemon(true);
      upstream.start();
    }

    /** Client to server; decides each request's fault. Starts the server-to-client thread. */
    private void upstream() {
      try {
        client.setTcpNoDelay(true);
        server.connect(target, 5_000);
        server.setTcpNoDelay(true);
        Thread downstream = new Thread(this::downstream, "faulty-tcp-proxy-s2c-" + id);
        downstream.setDaemon(true);
        downstream.start();
        InputStream in = client.getInputStream();
        OutputStream out = server.getOutputStream();
        byte[] buffer = new byte[BUFFER];
        while (true) {
          // A response may come back while this read blocks: decide after it returns.
          int n = in.read(buffer, 0, awaitingRequest ? FIRST_READ : BUFFER);
          if (n < 0) {
            if (stalled) {
              // The client gave up on a stalled request: the server still gets to execute it. Its
              // connection stays open until the proxy closes (a half-close could abort a request it
              // has not read yet).
              return;
            }
            break;
          }
          if (awaitingRequest && !stalled) {
            awaitingRequest = false;
            requests.incrementAndGet();
            Fault fault = decide();
            if (fault instanceof Reset) {
              resets.incrementAndGet();
              reset();
              return;
            } else if (fault instanceof Stall) {
              stalls.incrementAndGet();
              stalled = true;
            } else if (fault instanceof ResetAfterRequest) {
              resetsAfterRequest.incrementAndGet();
              resetOnResponse = true;
            } else if (fault instanceof Latency latency) {
              delayed.incrementAndGet();
              Thread.sleep(latency.delay().toMillis());
            }
          }
          out.write(buffer, 0, n);
          out.flush();
        }
        server.shutdownOutput();
      } catch (IOException e) {
        if (stalled) {
          closeQuietly(client); // As above: the stalled request stays with the server.
        } else {
          close();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        close();
      }
    }

    /** Server to client; withholds stalled responses and resets on a reset-after-request. */
    private void downstream() {
      try {
        InputStream in = server.getInputStream();
        OutputStream out = client.getOutputStream();
        byte[] buffer = new byte[BUFFER];
        while (true) {
          int n = in.read(buffer);
          if (n < 0) {
            break;
          }
          if (stalled) {
            if (!responseSeen) {
              responseSeen = true;
              responsesWithheld.incrementAndGet();
            }
            continue; // Swallowed: the client waits until its attempt timeout.
          }
          if (resetOnResponse) {
            reset();
            return;
          }
          awaitingRequest = true;
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException e) {
        // Either side went away: close both below.
      }
      close(); // The server closed (or failed): so does the client's connection.
    }

    /** Closes the client's connection with an RST (SO_LINGER 0) and the server's normally. */
    private void reset() {
      try {
        client.setSoLinger(true, 0);
      } catch (SocketException ignored) {
        // Already closed.
      }
      close();
    }

    void close() {
      closeQuietly(client);
      closeQuietly(server);
      connections.remove(this);
    }
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception ignored) {
      // Best effort.
    }
  }
}
