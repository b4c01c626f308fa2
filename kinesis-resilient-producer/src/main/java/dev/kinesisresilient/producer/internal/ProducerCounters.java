package dev.kinesisresilient.producer.internal;

import dev.kinesisresilient.core.FailureReason;
import dev.kinesisresilient.producer.ProducerStats;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/** The producer's counters, written by the sender (and by appending threads for {@code sent}). */
final class ProducerCounters {
  final AtomicLong sent = new AtomicLong();
  final AtomicLong acknowledged = new AtomicLong();
  final AtomicLongArray failed = new AtomicLongArray(FailureReason.values().length);
  final AtomicLong retried = new AtomicLong();
  final AtomicLong throttled = new AtomicLong();

  ProducerStats snapshot(long bufferedBytes, int inFlightRequests) {
    // Read the completions first: sent only grows, and a record is counted sent before it can complete,
    // so pending is never negative.
    long ack = acknowledged.get();
    Map<FailureReason, Long> byReason = new EnumMap<>(FailureReason.class);
    long failedTotal = 0;
    for (FailureReason r : FailureReason.values()) {
      long n = failed.get(r.ordinal());
      if (n > 0) {
        byReason.put(r, n);
        failedTotal += n;
      }
    }
    long s = sent.get();
    return new ProducerStats(s, ack, failedTotal, byReason, s - ack - failedTotal, bufferedBytes, inFlightRequests,
        retried.get(), throttled.get());
  }
}
