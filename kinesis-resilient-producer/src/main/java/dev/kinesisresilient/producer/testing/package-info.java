/**
 * Test doubles for applications that use the producer: {@link
 * dev.kinesisresilient.producer.testing.MockResilientProducer}, in the spirit of Kafka's {@code
 * MockProducer}. Published in the main artifact; nothing here starts a thread or sleeps.
 *
 * @since 0.1.0
 */
@NullMarked
package dev.kinesisresilient.producer.testing;

import org.jspecify.annotations.NullMarked;
