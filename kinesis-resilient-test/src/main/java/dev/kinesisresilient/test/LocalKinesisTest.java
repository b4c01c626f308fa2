package dev.kinesisresilient.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a test class with {@link LocalKinesisExtension}: its tests may declare parameters of type
 * {@link KinesisTestEnvironment}, {@code KinesisAsyncClient} and {@link TestStream}.
 *
 * <pre>{@code
 * @LocalKinesisTest(shards = 2)
 * class OrdersIT {
 *   @Test
 *   void writes(TestStream stream, KinesisAsyncClient client) { ... }
 * }
 * }</pre>
 *
 * @since 0.1.0
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@ExtendWith(LocalKinesisExtension.class)
public @interface LocalKinesisTest {

  /**
   * The backend to force; default {@link KinesisBackend#AUTO} (the first available, see {@link
   * KinesisBackend}).
   *
   * @return the backend
   */
  KinesisBackend backend() default KinesisBackend.AUTO;

  /**
   * Shards of each {@link TestStream}; default 1, range 1 or more.
   *
   * @return the shard count
   */
  int shards() default 1;

  /**
   * Whether one {@link TestStream} serves the whole class (created before its first test, deleted
   * after its last) instead of one per test; default {@code false}.
   *
   * @return whether the stream is per class
   */
  boolean streamPerClass() default false;
}
