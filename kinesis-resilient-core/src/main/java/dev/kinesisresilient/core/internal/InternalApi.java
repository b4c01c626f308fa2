package dev.kinesisresilient.core.internal;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a package, type or member that is public only because another kinesis-resilient module uses
 * it. It is not part of the promised API: it may change or disappear in any release, without notice.
 * Every {@code *.internal} package carries it on its {@code package-info.java}; Javadoc leaves those
 * packages out.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.PACKAGE, ElementType.TYPE, ElementType.METHOD, ElementType.CONSTRUCTOR,
    ElementType.FIELD})
public @interface InternalApi {}
