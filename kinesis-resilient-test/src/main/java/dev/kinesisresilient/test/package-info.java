/**
 * A real local Kinesis for JUnit 5 tests: {@link dev.kinesisresilient.test.LocalKinesisExtension}
 * (or the {@link dev.kinesisresilient.test.LocalKinesisTest} annotation) gives a test a {@link
 * dev.kinesisresilient.test.KinesisTestEnvironment}, a {@code KinesisAsyncClient} and a fresh
 * {@link dev.kinesisresilient.test.TestStream}, on the first available {@link
 * dev.kinesisresilient.test.KinesisBackend}: an endpoint you name, LocalStack, kinesis-mock, or the
 * in-memory fake.
 *
 * <p>Published in {@code kinesis-resilient-test}, which applications add with test scope.
 *
 * @since 0.1.0
 */
@NullMarked
package dev.kinesisresilient.test;

import org.jspecify.annotations.NullMarked;
