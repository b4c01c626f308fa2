package dev.kinesisresilient.producer;

import dev.kinesisresilient.core.FailureReason;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * A snapshot of a producer's counters. Counts reconcile: {@code sent == acknowledged + failed +
 * pending} in every snapshot.
 *
 * @param sent records accepted by {@code send}/{@code trySend} (not those rejected there)
 * @param acknowledged records the service stored
 * @param failed records that ended failed, all reasons
 * @param failedByReason failed records per reason; only reasons that occurred
 * @param pending records accepted and not yet complete: buffered, waiting to retry or in flight
 * @param bufferedBytes bytes charged against {@code maxBufferedBytes} now (pending records, each at
 *     its size plus the per-record overhead)
 * @param inFlightRequests PutRecords requests in flight now
 * @param retriedEntries entries sent again after a failed attempt, all error codes
 * @param throttledEntries entries that came back with a throttling error code of their own ({@code
 *     ProvisionedThroughputExceededException}, or another code of the one throttling list, such as
 *     {@code KMSThrottlingException}); a whole request throttled is not counted here
 * @since 0.1.0
 */
public record ProducerStats(
    long sent,
    long acknowledged,
    long failed,
    Map<FailureReason, Long> failedByReason,
    long pending,
    long bufferedBytes,
    int inFlightRequests,
    long retriedEntries,
    long throttledEntries) {

  /**
   * Copies the map.
   *
   * @throws NullPointerException when the map is null
   */
  public ProducerStats {
    Map<FailureReason, Long> copy = new EnumMap<>(FailureReason.class);
    copy.putAll(Objects.requireNonNull(failedByReason, "failedByReason"));
    failedByReason = java.util.Collections.unmodifiableMap(copy);
  }
}
