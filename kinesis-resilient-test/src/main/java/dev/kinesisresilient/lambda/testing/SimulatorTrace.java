package dev.kinesisresilient.lambda.testing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What an {@link EsmSimulator} did, for assertions: every invocation, how often each sequence
 * number was delivered, every checkpoint, and which records were filtered or discarded.
 *
 * <p>Not thread-safe; read it from the thread that drives the simulator. Accessors return copies.
 *
 * @since 0.1.0
 */
public final class SimulatorTrace {

  /**
   * How one invocation attempt ended, as the mapping saw it.
   *
   * @since 0.1.0
   */
  public enum Outcome {
    /** The function returned and the batch counts as done. */
    SUCCESS,
    /** A valid partial batch response: records before the lowest reported one are committed. */
    PARTIAL_FAILURE,
    /** The function threw (a function error). */
    FUNCTION_ERROR,
    /** The function ran past its timeout (a function error; the response is discarded). */
    TIMEOUT,
    /** The response broke the partial response rules: the whole batch failed. */
    INVALID_RESPONSE,
    /** Lambda throttled the invocation: the function did not run; no retry attempt is used. */
    THROTTLED
  }

  /**
   * One invocation attempt.
   *
   * @param number the invocation's number, from 1
   * @param shardId the shard
   * @param lane the parallelization lane, 0 when ParallelizationFactor is 1
   * @param sequenceNumbers the batch, in order
   * @param retryAttempt retries of this batch before this attempt (0 on the first attempt)
   * @param outcome how it ended
   * @param reported the lowest reported sequence number of a partial failure, else null
   * @since 0.1.0
   */
  public record Invocation(int number, String shardId, int lane, List<String> sequenceNumbers,
      int retryAttempt, Outcome outcome, @Nullable String reported) {
    /**
     * Copies the list.
     *
     * @throws NullPointerException when a required field is null
     */
    public Invocation {
      Objects.requireNonNull(shardId, "shardId");
      sequenceNumbers = List.copyOf(sequenceNumbers);
      Objects.requireNonNull(outcome, "outcome");
    }
  }

  /**
   * A checkpoint: every record of the lane up to and including {@code sequenceNumber} is done
   * (succeeded, or discarded for age or exhausted retries).
   *
   * @param shardId the shard
   * @param lane the lane
   * @param sequenceNumber the last committed record
   * @since 0.1.0
   */
  public record Checkpoint(String shardId, int lane, String sequenceNumber) {}

  private final List<Invocation> invocations = new ArrayList<>();
  private final Map<String, Integer> deliveries = new LinkedHashMap<>();
  private final List<Checkpoint> checkpoints = new ArrayList<>();
  private final Set<String> committed = new LinkedHashSet<>();
  private final Set<String> filtered = new LinkedHashSet<>();
  private final Set<String> discarded = new LinkedHashSet<>();

  SimulatorTrace() {}

  void invocation(Invocation i) {
    invocations.add(i);
    if (i.outcome() != Outcome.THROTTLED) {
      for (String s : i.sequenceNumbers()) {
        deliveries.merge(s, 1, Integer::sum);
      }
    }
  }

  void checkpoint(String shardId, int lane, List<String> done, boolean succeeded) {
    if (done.isEmpty()) {
      return;
    }
    if (succeeded) {
      committed.addAll(done);
    }
    checkpoints.add(new Checkpoint(shardId, lane, done.get(done.size() - 1)));
  }

  void filtered(String seq) {
    filtered.add(seq);
  }

  void discarded(List<String> seqs) {
    discarded.addAll(seqs);
  }

  /**
   * Every invocation attempt, in order (throttled ones included).
   *
   * @return a copy
   */
  public List<Invocation> invocations() {
    return List.copyOf(invocations);
  }

  /**
   * How many times the function was given a record.
   *
   * @param sequenceNumber the record
   * @return 0 when never delivered
   */
  public int deliveries(String sequenceNumber) {
    return deliveries.getOrDefault(sequenceNumber, 0);
  }

  /**
   * Delivery counts of every delivered record.
   *
   * @return sequence number to count, in first-delivery order
   */
  public Map<String, Integer> deliveryCounts() {
    return Collections.unmodifiableMap(new LinkedHashMap<>(deliveries));
  }

  /**
   * Records delivered more than once.
   *
   * @return sequence number to count
   */
  public Map<String, Integer> redelivered() {
    Map<String, Integer> m = new LinkedHashMap<>();
    deliveries.forEach((k, v) -> {
      if (v > 1) {
        m.put(k, v);
      }
    });
    return m;
  }

  /**
   * Every checkpoint, in order.
   *
   * @return a copy
   */
  public List<Checkpoint> checkpoints() {
    return List.copyOf(checkpoints);
  }

  /**
   * Records the mapping considers done (the function succeeded on them).
   *
   * @return sequence numbers, in commit order
   */
  public Set<String> committed() {
    return Collections.unmodifiableSet(new LinkedHashSet<>(committed));
  }

  /**
   * Records the filter criteria dropped; they are never delivered.
   *
   * @return sequence numbers
   */
  public Set<String> filtered() {
    return Collections.unmodifiableSet(new LinkedHashSet<>(filtered));
  }

  /**
   * Records discarded for exhausted retries or age (sent to the on-failure destination, if any).
   *
   * @return sequence numbers
   */
  public Set<String> discarded() {
    return Collections.unmodifiableSet(new LinkedHashSet<>(discarded));
  }

  /** Counts only. */
  @Override
  public String toString() {
    return "SimulatorTrace[invocations=" + invocations.size() + ", delivered=" + deliveries.size()
        + ", redelivered=" + redelivered().size() + ", committed=" + committed.size() + ", filtered="
        + filtered.size() + ", discarded=" + discarded.size() + "]";
  }
}
