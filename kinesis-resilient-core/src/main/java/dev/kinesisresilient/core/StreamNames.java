package dev.kinesisresilient.core;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place where Kinesis stream names and stream ARNs are checked, and where a stream's name
 * is taken from its ARN. Every builder that takes a stream (the writer, the producer, the Lambda
 * test tools) validates through it, so a bad name fails at the call that sets it instead of on the
 * first request.
 *
 * <p>The rules are the service's: a name is {@value #NAME_RULE}; an ARN is {@value #ARN_RULE}, where
 * the partition is {@code aws} or {@code aws-<suffix>} ({@code aws-cn}, {@code aws-us-gov}, {@code
 * aws-iso}, ...) and the region is a region code such as {@code us-east-1}.
 *
 * <p>Thread-safe and stateless.
 *
 * <pre>{@code
 * String name = StreamNames.requireValidArn(arn, "streamArn"); // "orders" for ...:stream/orders
 * }</pre>
 *
 * <p>How it fails: {@link IllegalArgumentException} naming the field, the rule and the value given.
 *
 * @since 0.1.0
 */
public final class StreamNames {

  /** The rule a stream name follows, as quoted in exceptions. */
  public static final String NAME_RULE = "1..128 characters of [a-zA-Z0-9_.-]";

  /** The rule a stream ARN follows, as quoted in exceptions. */
  public static final String ARN_RULE = "arn:<partition>:kinesis:<region>:<12-digit account>:stream/<name>";

  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_.-]{1,128}");
  private static final Pattern ARN =
      Pattern.compile("arn:aws(?:-[a-z]+)*:kinesis:[a-z]{2}(?:-[a-z]+)+-[0-9]+:[0-9]{12}:stream/(.*)", Pattern.DOTALL);

  private StreamNames() {}

  /**
   * Whether {@code name} is a valid stream name ({@value #NAME_RULE}).
   *
   * @param name the name
   * @return true when valid
   * @throws NullPointerException when {@code name} is null
   */
  public static boolean isValidName(String name) {
    return NAME.matcher(Objects.requireNonNull(name, "name")).matches();
  }

  /**
   * Checks a stream name.
   *
   * @param name the name
   * @param field the option's name, quoted in the exception (for example {@code streamName})
   * @return {@code name}
   * @throws NullPointerException when {@code name} or {@code field} is null
   * @throws IllegalArgumentException when {@code name} is not {@value #NAME_RULE}
   */
  public static String requireValidName(String name, String field) {
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(name, field);
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(field + " must be " + NAME_RULE + ", was \"" + name + "\"");
    }
    return name;
  }

  /**
   * Checks a stream ARN, the name in it included, and returns that name.
   *
   * @param arn the ARN
   * @param field the option's name, quoted in the exception (for example {@code streamArn})
   * @return the stream's name, the part after {@code :stream/}
   * @throws NullPointerException when {@code arn} or {@code field} is null
   * @throws IllegalArgumentException when {@code arn} does not follow {@value #ARN_RULE}, or its name
   *     is not {@value #NAME_RULE}
   */
  public static String requireValidArn(String arn, String field) {
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(arn, field);
    Matcher m = ARN.matcher(arn);
    if (!m.matches()) {
      throw new IllegalArgumentException(field + " must be a Kinesis stream ARN, " + ARN_RULE + " (partition aws "
          + "or aws-<suffix>, a region code such as us-east-1), was \"" + arn + "\"");
    }
    String name = m.group(1);
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(field + " must end in a stream name of " + NAME_RULE + " after "
          + "\":stream/\", was \"" + arn + "\"");
    }
    return name;
  }

  /**
   * The stream's name taken from a stream ARN that {@link #requireValidArn} accepts.
   *
   * @param arn the ARN
   * @return the part after {@code :stream/}
   * @throws NullPointerException when {@code arn} is null
   * @throws IllegalArgumentException when {@code arn} is not a valid stream ARN
   */
  public static String nameOfArn(String arn) {
    return requireValidArn(arn, "streamArn");
  }
}
