package dev.kinesisresilient.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Packs records, in order, into PutRecords requests that respect {@link BatchLimits}.
 *
 * <p>One pass, O(n): a request is closed when the next record would push it over the record count
 * or the byte limit (data plus partition keys). A record over {@link BatchLimits#maxRecordBytes()}
 * is rejected on its own and placed in no request, because one invalid entry fails a whole
 * PutRecords request at the service. Records are never split or reordered.
 *
 * <p>Stateless and thread-safe.
 *
 * <pre>{@code
 * BatchPlanner.Plan<KinesisRecord> plan =
 *     BatchPlanner.plan(records, Function.identity(), BatchLimits.defaults());
 * for (List<KinesisRecord> request : plan.requests()) { ... }
 * }</pre>
 *
 * @since 0.1.0
 */
public final class BatchPlanner {

  private BatchPlanner() {}

  /**
   * Plans items into requests.
   *
   * @param <T> the item type, e.g. a producer's record with its future
   * @param items the items in the order they should be sent
   * @param recordOf the Kinesis record of each item
   * @param limits the limits in force
   * @return the requests, in order, and the rejected items
   * @throws NullPointerException when an argument or item is null
   */
  public static <T> Plan<T> plan(
      List<? extends T> items, Function<? super T, KinesisRecord> recordOf, BatchLimits limits) {
    Objects.requireNonNull(items, "items");
    Objects.requireNonNull(recordOf, "recordOf");
    Objects.requireNonNull(limits, "limits");
    List<List<T>> requests = new ArrayList<>();
    List<Rejected<T>> rejected = new ArrayList<>(0);
    List<T> current = new ArrayList<>();
    long currentBytes = 0;
    for (T item : items) {
      KinesisRecord record = Objects.requireNonNull(recordOf.apply(item), "record");
      long size = record.sizeBytes();
      if (size > limits.maxRecordBytes()) {
        rejected.add(new Rejected<>(item, new RecordTooLargeException(size, limits.maxRecordBytes())));
        continue;
      }
      if (current.size() == limits.maxRecordsPerRequest()
          || currentBytes + size > limits.maxRequestBytes()) {
        requests.add(List.copyOf(current));
        current = new ArrayList<>();
        currentBytes = 0;
      }
      current.add(item);
      currentBytes += size;
    }
    if (!current.isEmpty()) {
      requests.add(List.copyOf(current));
    }
    return new Plan<>(requests, rejected);
  }

  /**
   * The outcome of planning.
   *
   * @param <T> the item type
   * @param requests the requests, each non-empty and within the limits, in input order
   * @param rejected the items that can never be sent, with the reason
   * @since 0.1.0
   */
  public record Plan<T>(List<List<T>> requests, List<Rejected<T>> rejected) {
    /**
     * Copies the lists.
     *
     * @throws NullPointerException when a list is null
     */
    public Plan {
      requests = List.copyOf(requests);
      rejected = List.copyOf(rejected);
    }
  }

  /**
   * An item that breaks a per-record limit.
   *
   * @param <T> the item type
   * @param item the item
   * @param error why, naming the size and the limit
   * @since 0.1.0
   */
  public record Rejected<T>(T item, InvalidRecordException error) {
    /**
     * Checks the fields.
     *
     * @throws NullPointerException when a field is null
     */
    public Rejected {
      Objects.requireNonNull(item, "item");
      Objects.requireNonNull(error, "error");
    }
  }
}
