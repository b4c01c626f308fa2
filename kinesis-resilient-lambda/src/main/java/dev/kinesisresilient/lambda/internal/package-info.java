/**
 * Implementation of the Lambda module. Not an API: anything here may change in any release.
 */
@NullMarked
package dev.kinesisresilient.lambda.internal;

import org.jspecify.annotations.NullMarked;
