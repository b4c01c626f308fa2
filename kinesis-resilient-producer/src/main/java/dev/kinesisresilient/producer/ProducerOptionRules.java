package dev.kinesisresilient.producer;

import dev.kinesisresilient.core.BatchLimits;
import dev.kinesisresilient.producer.internal.ProducerSettings;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The rules {@link ResilientProducerBuilder} checks: the range of one option, the options checked against
 * each other in {@code build()}, and the default client id. Each throws naming the option(s) and the rule.
 */
final class ProducerOptionRules {

  private ProducerOptionRules() {}

  static void requireRange(String name, Duration value, Duration min, Duration max) {
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw new IllegalArgumentException(name + " must be in " + min + ".." + max + ", was " + value);
    }
  }

  /**
   * The checks across options that {@code build()} makes (the stream's presence aside).
   *
   * @param maxAggregateBytesSet whether {@code maxAggregateBytes} was set explicitly
   */
  static void checkAcrossOptions(Duration deliveryTimeout, Duration lingerTime, Duration attemptTimeout,
      long maxBufferedBytes, BatchLimits limits, boolean maxAggregateBytesSet, long maxAggregateBytes,
      boolean aggregation, boolean preserveOrder) {
    if (deliveryTimeout.compareTo(lingerTime.plus(attemptTimeout)) < 0) {
      throw new IllegalStateException("deliveryTimeout (" + deliveryTimeout + ") must be at least lingerTime ("
          + lingerTime + ") + attemptTimeout (" + attemptTimeout + ")");
    }
    if (maxBufferedBytes < limits.maxRecordBytes() + ProducerSettings.RECORD_OVERHEAD_BYTES) {
      throw new IllegalStateException("maxBufferedBytes (" + maxBufferedBytes + ") must hold one record of "
          + "limits.maxRecordBytes (" + limits.maxRecordBytes() + ") plus " + ProducerSettings.RECORD_OVERHEAD_BYTES
          + " bytes of overhead");
    }
    if (maxAggregateBytesSet && maxAggregateBytes > limits.maxRecordBytes()) {
      throw new IllegalStateException("maxAggregateBytes (" + maxAggregateBytes + ") must not exceed "
          + "limits.maxRecordBytes (" + limits.maxRecordBytes() + ")");
    }
    if (aggregation && preserveOrder) {
      throw new IllegalStateException("aggregation and preserveOrder cannot both be on");
    }
  }

  /** The client id used when none is set: the stream name, made safe and cut to 56 characters, plus a random suffix. */
  static String defaultClientId(String streamName) {
    return sanitize(streamName) + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0x100000));
  }

  private static String sanitize(String stream) {
    String s = stream.replaceAll("[^A-Za-z0-9._-]", "_");
    return s.length() > 56 ? s.substring(0, 56) : s;
  }
}
