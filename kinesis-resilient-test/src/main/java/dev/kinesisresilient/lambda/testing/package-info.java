/**
 * Test support for Kinesis-triggered Lambda functions: {@link
 * dev.kinesisresilient.lambda.testing.KinesisEvents} builds and reads events exactly as the Lambda
 * runtime delivers them, {@link dev.kinesisresilient.lambda.testing.FakeLambdaContext} is a
 * {@code Context} whose remaining time follows a clock, and {@link
 * dev.kinesisresilient.lambda.testing.EsmSimulator} is a local event source mapping that reads a
 * stream from any {@code KinesisAsyncClient} and invokes a handler with the mapping's retry, bisect,
 * age, filter and partial-response rules, and tumbling windows; {@link
 * dev.kinesisresilient.lambda.testing.TimeWindowEvents} builds tumbling-window events.
 *
 * <p>Published in the main artifact so applications can use them in their own tests. Nothing here
 * starts a thread; with a manual clock nothing sleeps.
 *
 * @since 0.1.0
 */
@NullMarked
package dev.kinesisresilient.lambda.testing;

import org.jspecify.annotations.NullMarked;
