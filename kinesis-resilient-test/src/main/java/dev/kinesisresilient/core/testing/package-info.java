/**
 * Test doubles for code that writes to Kinesis: a manual clock, a manual scheduler and an in-memory
 * Kinesis client with real shard limits and scripted faults.
 *
 * <p>Published in {@code kinesis-resilient-test}, which applications add with test scope. Nothing here
 * starts a thread or sleeps; time moves only when a test moves it.
 *
 * @since 0.1.0
 */
@NullMarked
package dev.kinesisresilient.core.testing;

import org.jspecify.annotations.NullMarked;
