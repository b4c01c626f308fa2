/** Core: limits, records, batching, retry, classification, writer, client factory. */
@NullMarked
package dev.kinesisresilient.core;

import org.jspecify.annotations.NullMarked;
