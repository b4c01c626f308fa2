/**
 * A bounded, shard-aware, asynchronous producer for Kinesis Data Streams: {@link
 * dev.kinesisresilient.producer.ResilientProducer}.
 *
 * <p>Callers hand it records and get a future of each record's result; it batches records into
 * PutRecords requests, keeps each shard under its write limit, retries only what failed, and fails
 * every record that cannot be acknowledged within its delivery timeout with a reason, in bounded
 * memory. See {@code docs/producer.md}.
 *
 * @since 0.1.0
 */
@NullMarked
package dev.kinesisresilient.producer;

import org.jspecify.annotations.NullMarked;
