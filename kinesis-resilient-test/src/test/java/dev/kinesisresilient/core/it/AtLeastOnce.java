package dev.kinesisresilient.core.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kinesisresilient.core.RecordResult;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What the writer and the producer promise about the stream, checked against what it holds: at-least-once
 * delivery, as PutRecords allows it (it has no idempotency key).
 *
 * <ul>
 *   <li>Every acknowledged record is stored, one copy exactly on the reported shard with the reported
 *       sequence number, and every copy holds the bytes given.
 *   <li>A record is stored at most once per attempt: a duplicate only where attempts &gt; 1 (an
 *       attempt whose answer was lost or late, was retried and was stored as well). A failed record
 *       may be stored too ("failed" means not known to be stored), at most once per attempt.
 *   <li>Nothing is stored that was not sent.
 * </ul>
 *
 * <p>It does not assert "stored once" or "first attempt": on a loaded machine an attempt can outlast
 * its timeout while the server stores it, and the retry is stored again. That is the promise working,
 * not a failure. Tests that inject no fault and use timeouts as hang guards may still assert more.
 *
 * <p>Records are identified by partition key: every record of a test must have its own.
 */
public final class AtLeastOnce {

  /** What was found: records stored more than once and their extra copies. */
  public record Summary(int acknowledged, int failed, int duplicated, int extraCopies, int failedButStored) {}

  private AtLeastOnce() {}

  /**
   * Checks every result against the stream's content.
   *
   * @param results one per record written (unique partition keys)
   * @param stored the whole stream, read after the last write completed
   * @return counts, for a test's own assertions or output
   */
  public static Summary check(Collection<? extends RecordResult> results, ReadBack stored) {
    Set<String> sent = new HashSet<>();
    int acknowledged = 0;
    int duplicated = 0;
    int extraCopies = 0;
    int failedButStored = 0;
    for (RecordResult result : results) {
      String key = result.record().partitionKey();
      assertThat(sent.add(key)).as("partition key %s used by one record only", key).isTrue();
      List<ReadBack.Stored> copies = stored.copies(key);
      assertThat(copies.size())
          .as("copies of %s (at most one per attempt: %s)", key, result)
          .isLessThanOrEqualTo(result.attempts());
      assertThat(copies)
          .as("copies of %s hold the bytes given", key)
          .allSatisfy(c -> assertThat(c.record().data()).isEqualTo(result.record().data()));
      if (result instanceof RecordResult.Acknowledged a) {
        acknowledged++;
        assertThat(copies)
            .as("copies of acknowledged %s at %s/%s", key, a.shardId(), a.sequenceNumber())
            .filteredOn(c -> c.shardId().equals(a.shardId())
                && c.record().sequenceNumber().equals(a.sequenceNumber()))
            .hasSize(1);
      } else if (!copies.isEmpty()) {
        failedButStored++;
      }
      if (copies.size() > 1) {
        duplicated++;
        extraCopies += copies.size() - 1;
      }
    }
    assertThat(sent).as("every stored record was sent").containsAll(stored.keys());
    return new Summary(acknowledged, results.size() - acknowledged, duplicated, extraCopies, failedButStored);
  }
}
