package dev.kinesisresilient.producer.internal;

import dev.kinesisresilient.core.internal.RetryTokenBucket;
import java.util.function.IntSupplier;

/**
 * The retry budget as the producer applies it to records: a re-send after an error that needs a token
 * waits for one (or, with nothing in flight, goes as a probe: {@link RetryTokenBucket#mayResend}); a
 * first attempt never does. Sender thread only.
 */
final class RetryTokens {
  private final RetryTokenBucket bucket;
  private final IntSupplier requestsInFlight;

  RetryTokens(RetryTokenBucket bucket, IntSupplier requestsInFlight) {
    this.bucket = bucket;
    this.requestsInFlight = requestsInFlight;
  }

  /** Whether a retry may be sent now as far as the retry budget goes. */
  boolean allows(PendingRecord r) {
    return !RetryTokenBucket.needsToken(r.lastMetricCode()) || bucket.mayResend(requestsInFlight.getAsInt());
  }

  /** Takes the retry budget's token for a record about to be re-sent (none for a first attempt). */
  void spend(PendingRecord r) {
    if (r.attempts > 0 && RetryTokenBucket.needsToken(r.lastMetricCode())) {
      bucket.tryAcquire(1);
    }
  }

  /** Gives back the token {@link #spend} took for a record that did not go after all. */
  void giveBack(PendingRecord r) {
    if (r.attempts > 0 && RetryTokenBucket.needsToken(r.lastMetricCode())) {
      bucket.giveBack(1);
    }
  }

  /** Refills the budget by its share of one acknowledged record. */
  void onAcknowledged() {
    bucket.onAcknowledged(1);
  }
}
