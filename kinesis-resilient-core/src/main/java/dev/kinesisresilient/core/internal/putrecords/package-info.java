/**
 * The PutRecords round trip, written once for every engine that calls PutRecords (the core writer,
 * the producer) and, for the retry decision, the Lambda processors: a stream reference ({@link
 * dev.kinesisresilient.core.internal.putrecords.StreamRef}), what a response or a failure means for
 * each entry ({@link dev.kinesisresilient.core.internal.putrecords.PutRecordsVerdicts}), when to
 * retry ({@link dev.kinesisresilient.core.internal.putrecords.RetryRule}) and a record's last error
 * ({@link dev.kinesisresilient.core.internal.putrecords.FailureTrail}). See docs/design.md, "The
 * PutRecords round trip". Not API, may change in any release (see {@link
 * dev.kinesisresilient.core.internal.InternalApi}).
 */
@InternalApi
@NullMarked
package dev.kinesisresilient.core.internal.putrecords;

import dev.kinesisresilient.core.internal.InternalApi;
import org.jspecify.annotations.NullMarked;
