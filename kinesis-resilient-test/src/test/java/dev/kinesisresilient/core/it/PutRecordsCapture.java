package dev.kinesisresilient.core.it;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;

/**
 * Records what a client was asked to send with PutRecords, for assertions that the service itself
 * (kinesis-mock) does not make: kinesis-mock accepts 501 entries and requests over 5 MiB, so the
 * writer's limits are checked here, on the requests it built.
 *
 * <p>Two views:
 *
 * <ul>
 *   <li><b>As built</b> ({@code beforeExecution}, the request before any other interceptor changed
 *       it): one {@link Built} per PutRecords call with its entry count and bytes (data plus UTF-8
 *       partition key, as the service counts them), and how often each partition key was put in a
 *       request ({@link #sends}).
 *   <li><b>As transmitted</b> ({@code beforeTransmission}, after fault injection dropped entries
 *       or failed the whole call): the partition keys of each attempt that went on the wire, and
 *       whether an HTTP response came back for it ({@code afterTransmission}). An attempt on the
 *       wire without a response (a stalled or reset connection, an attempt timeout) may or may not
 *       have been stored: its keys are {@link #keysTransmittedWithoutResponse()}, the only records
 *       that can legitimately appear twice in the stream.
 * </ul>
 *
 * <p>Register it on the client after a {@link PutRecordsFaultInterceptor}, so that the transmitted
 * view sees what that interceptor left. Thread-safe; one instance per client.
 */
public final class PutRecordsCapture implements ExecutionInterceptor {

  /** The partition key of {@link PutRecordsFaultInterceptor}'s placeholder entry; never counted. */
  private static final String PLACEHOLDER_KEY = "fault-injection-placeholder";

  /** One PutRecords request as the caller built it. */
  public record Built(String stream, int entries, long bytes) {}

  private static final class Attempt {
    final List<String> keys;
    volatile boolean answered;

    Attempt(List<String> keys) {
      this.keys = keys;
    }
  }

  private final ExecutionAttribute<Attempt> attemptAttribute =
      new ExecutionAttribute<>("PutRecordsCapture.attempt." + System.identityHashCode(this));
  private final ConcurrentLinkedQueue<Built> built = new ConcurrentLinkedQueue<>();
  private final Map<String, AtomicLong> sends = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Attempt> transmitted = new ConcurrentLinkedQueue<>();
  private final Map<String, AtomicLong> transmissions = new ConcurrentHashMap<>();
  private final LongAccumulator maxEntries = new LongAccumulator(Math::max, 0);
  private final LongAccumulator maxBytes = new LongAccumulator(Math::max, 0);

  @Override
  public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
    if (!(context.request() instanceof PutRecordsRequest request)) {
      return;
    }
    long bytes = 0;
    for (PutRecordsRequestEntry entry : request.records()) {
      bytes += entryBytes(entry);
      sends.computeIfAbsent(entry.partitionKey(), k -> new AtomicLong()).incrementAndGet();
    }
    String stream = request.streamName() != null ? request.streamName() : request.streamARN();
    built.add(new Built(stream, request.records().size(), bytes));
    maxEntries.accumulate(request.records().size());
    maxBytes.accumulate(bytes);
  }

  @Override
  public void beforeTransmission(
      Context.BeforeTransmission context, ExecutionAttributes attributes) {
    if (!(context.request() instanceof PutRecordsRequest request)) {
      return;
    }
    List<String> keys =
        request.records().stream()
            .map(PutRecordsRequestEntry::partitionKey)
            .filter(k -> !PLACEHOLDER_KEY.equals(k))
            .toList();
    for (String key : keys) {
      transmissions.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
    }
    Attempt attempt = new Attempt(keys);
    attributes.putAttribute(attemptAttribute, attempt);
    transmitted.add(attempt);
  }

  @Override
  public void afterTransmission(Context.AfterTransmission context, ExecutionAttributes attributes) {
    Attempt attempt = attributes.getAttribute(attemptAttribute);
    if (attempt != null) {
      attempt.answered = true;
    }
  }

  /** Data bytes plus the partition key's UTF-8 bytes: the size the service counts. */
  public static long entryBytes(PutRecordsRequestEntry entry) {
    return (long) entry.data().asByteArrayUnsafe().length
        + entry.partitionKey().getBytes(StandardCharsets.UTF_8).length;
  }

  /** Every PutRecords request as built, in the order calls were made. */
  public List<Built> built() {
    return List.copyOf(built);
  }

  /** The most entries in one request as built. */
  public long maxEntries() {
    return maxEntries.get();
  }

  /** The most bytes in one request as built. */
  public long maxBytes() {
    return maxBytes.get();
  }

  /** How many requests (as built) held this partition key; 0 if none. */
  public long sends(String partitionKey) {
    AtomicLong n = sends.get(partitionKey);
    return n == null ? 0 : n.get();
  }

  /**
   * How many attempts put this partition key on the wire (after fault injection dropped entries):
   * the most copies of it the server can have stored.
   */
  public long transmissions(String partitionKey) {
    AtomicLong n = transmissions.get(partitionKey);
    return n == null ? 0 : n.get();
  }

  /** Entries over all requests as built. */
  public long entriesSent() {
    return built.stream().mapToLong(Built::entries).sum();
  }

  /** Attempts that went on the wire (not failed whole by fault injection). */
  public long attemptsTransmitted() {
    return transmitted.size();
  }

  /** Attempts that went on the wire and never saw an HTTP response. */
  public long attemptsWithoutResponse() {
    return transmitted.stream().filter(a -> !a.answered).count();
  }

  /** How many attempts put this partition key on the wire and never saw an HTTP response. */
  public long transmissionsWithoutResponse(String partitionKey) {
    return transmitted.stream().filter(a -> !a.answered && a.keys.contains(partitionKey)).count();
  }

  /** Keys of attempts that went on the wire and never saw an HTTP response. */
  public Set<String> keysTransmittedWithoutResponse() {
    Set<String> keys = new HashSet<>();
    for (Attempt a : transmitted) {
      if (!a.answered) {
        keys.addAll(a.keys);
      }
    }
    return keys;
  }
}
