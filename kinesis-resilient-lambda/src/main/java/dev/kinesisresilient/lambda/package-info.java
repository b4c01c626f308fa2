/**
 * A wrapper for Kinesis-triggered AWS Lambda handlers: per-record processing with a correct partial
 * batch response (stop at the first failure, report exactly that sequence number), deadline-aware
 * early stop, in-process retries, poison-pill quarantine, record age and filter rules, and per-shard
 * metrics (Micrometer and CloudWatch Embedded Metric Format). Start at {@link
 * dev.kinesisresilient.lambda.KinesisBatchProcessor}; for tumbling windows ({@code
 * KinesisTimeWindowEvent}), at {@link dev.kinesisresilient.lambda.TumblingWindowProcessor}.
 *
 * @since 0.1.0
 */
@NullMarked
package dev.kinesisresilient.lambda;

import org.jspecify.annotations.NullMarked;
