/**
 * Implementation details of the core module, shared with the other kinesis-resilient modules; not API,
 * may change in any release (see {@link dev.kinesisresilient.core.internal.InternalApi}).
 */
@InternalApi
@NullMarked
package dev.kinesisresilient.core.internal;

import org.jspecify.annotations.NullMarked;
