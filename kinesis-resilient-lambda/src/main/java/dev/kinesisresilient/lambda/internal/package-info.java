/**
 * Implementation of the Lambda module. Not an API: anything here may change in any release (see
 * {@link dev.kinesisresilient.core.internal.InternalApi}).
 */
@InternalApi
@NullMarked
package dev.kinesisresilient.lambda.internal;

import dev.kinesisresilient.core.internal.InternalApi;
import org.jspecify.annotations.NullMarked;
