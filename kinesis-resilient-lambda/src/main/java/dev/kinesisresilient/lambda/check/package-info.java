/**
 * A check of Kinesis event source mapping (ESM) settings against the risks of Lambda's defaults:
 * infinite retries, no maximum record age, no partial batch response, no on-failure destination, no
 * bisect, and settings that do not fit each other or the function. Dependency-free: build an {@link
 * dev.kinesisresilient.lambda.check.EventSourceMappingSettings} (from your template, your
 * infrastructure code or a Lambda API response) and pass it to {@link
 * dev.kinesisresilient.lambda.check.MappingCheck}; every {@link
 * dev.kinesisresilient.lambda.check.Finding} names a stable {@link
 * dev.kinesisresilient.lambda.check.MappingRule}. The {@code kinesis-resilient-esm-check} tool reads
 * SAM, CloudFormation, CDK, Terraform and Lambda API files into these settings.
 *
 * @since 0.1.0
 */
@NullMarked
package dev.kinesisresilient.lambda.check;

import org.jspecify.annotations.NullMarked;
