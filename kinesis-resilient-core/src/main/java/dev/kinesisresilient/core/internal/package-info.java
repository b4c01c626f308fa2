/** Implementation details of the core module; not API, may change in any release. */
@NullMarked
package dev.kinesisresilient.core.internal;

import org.jspecify.annotations.NullMarked;
