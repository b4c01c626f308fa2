/** A Kinesis-triggered Lambda handler built on {@code kinesis-resilient-lambda}; see examples/lambda/template.yaml. */
@NullMarked
package dev.kinesisresilient.examples.lambda;

import org.jspecify.annotations.NullMarked;
