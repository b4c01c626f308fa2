/**
 * The KPL comparison benchmark: the KPL 1.1.1, a bare SDK PutRecords loop and {@code ResilientProducer},
 * side by side against kinesalite on loopback (docs/benchmarks.md, "Against the KPL"). Not a library: built
 * only with {@code -Pbench-kpl}, never installed or deployed.
 */
@NullMarked
package dev.kinesisresilient.benchmarks.kpl;

import org.jspecify.annotations.NullMarked;
