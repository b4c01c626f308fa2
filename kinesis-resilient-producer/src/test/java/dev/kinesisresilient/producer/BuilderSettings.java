package dev.kinesisresilient.producer;

import dev.kinesisresilient.producer.internal.ProducerSettings;

/** Test access to {@link ResilientProducerBuilder}'s validated settings, for tests of the internals. */
public final class BuilderSettings {
  private BuilderSettings() {}

  /** Validates and builds the settings without starting anything. */
  public static ProducerSettings of(ResilientProducerBuilder builder) {
    return builder.settings();
  }
}
