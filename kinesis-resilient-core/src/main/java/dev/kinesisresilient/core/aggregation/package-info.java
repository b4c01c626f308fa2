/**
 * The KPL aggregated record format: many user records packed into one Kinesis record, readable by
 * every KPL-aware consumer (KCL, Lambda deaggregators), and transparent deaggregation.
 */
@NullMarked
package dev.kinesisresilient.core.aggregation;

import org.jspecify.annotations.NullMarked;
