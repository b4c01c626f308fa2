/**
 * Integration-test infrastructure shared by every module's {@code *IT} classes: a real Kinesis API
 * on loopback (kinesis-mock, started by {@link dev.kinesisresilient.core.it.KinesisMockExtension}),
 * and fault injection that stays faithful to the service ({@link
 * dev.kinesisresilient.core.it.PutRecordsFaultInterceptor}, {@link
 * dev.kinesisresilient.core.it.FaultyTcpProxy}).
 *
 * <p>The server itself is started by {@code dev.kinesisresilient.test.KinesisTestEnvironment} (the
 * same code as the public {@code LocalKinesisExtension}). Published as the {@code test-jar} of
 * {@code kinesis-resilient-test} for the project's own ITs (not for users); another module depends
 * on it with {@code <type>test-jar</type>} and declares {@code exec-maven-plugin} in its build so
 * that kinesis-mock is installed before its ITs.
 */
@NullMarked
package dev.kinesisresilient.core.it;

import org.jspecify.annotations.NullMarked;
