/**
 * The {@code esm-check} command: reads SAM and CloudFormation templates (YAML or JSON, short- and
 * long-form intrinsics; CDK synth output is CloudFormation), Terraform plan JSON and recorded Lambda
 * {@code GetEventSourceMapping} / {@code ListEventSourceMappings} responses, and checks every Kinesis
 * event source mapping with {@link dev.kinesisresilient.lambda.check.MappingCheck}. Start at {@link
 * dev.kinesisresilient.esmcheck.EsmCheck}.
 *
 * @since 0.1.0
 */
@NullMarked
package dev.kinesisresilient.esmcheck;

import org.jspecify.annotations.NullMarked;
