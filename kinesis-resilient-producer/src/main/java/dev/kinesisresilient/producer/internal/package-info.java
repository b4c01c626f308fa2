/**
 * The producer's implementation: not API, may change in any release (see {@link
 * dev.kinesisresilient.core.internal.InternalApi}). The one entry point the API package uses is
 * {@link dev.kinesisresilient.producer.internal.DefaultResilientProducer#start}. See {@code
 * docs/design.md} for the stages of the sender loop and who owns what.
 */
@InternalApi
@NullMarked
package dev.kinesisresilient.producer.internal;

import dev.kinesisresilient.core.internal.InternalApi;
import org.jspecify.annotations.NullMarked;
