package dev.kinesisresilient.core.internal.putrecords;

import dev.kinesisresilient.core.StreamNames;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryRequest;
import software.amazon.awssdk.services.kinesis.model.ListShardsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;

/**
 * A stream as the user named it: by name or by ARN, checked by {@link StreamNames}. It puts itself
 * on the requests that name a stream, so no caller chooses between {@code streamName} and {@code
 * streamARN} again, and it is the one place that takes a stream's name from its ARN.
 *
 * <p>Immutable and thread-safe.
 */
public final class StreamRef {

  private final String name;
  private final @Nullable String arn;

  private StreamRef(String name, @Nullable String arn) {
    this.name = name;
    this.arn = arn;
  }

  /**
   * A stream by name.
   *
   * @param name the stream name
   * @return the reference
   * @throws NullPointerException when {@code name} is null
   * @throws IllegalArgumentException when it is not a valid stream name (the message names {@code
   *     streamName} and the rule)
   */
  public static StreamRef ofName(String name) {
    return new StreamRef(StreamNames.requireValidName(name, "streamName"), null);
  }

  /**
   * A stream by ARN.
   *
   * @param arn the stream ARN
   * @return the reference
   * @throws NullPointerException when {@code arn} is null
   * @throws IllegalArgumentException when it is not a valid stream ARN (the message names {@code
   *     streamArn} and the rule)
   */
  public static StreamRef ofArn(String arn) {
    return new StreamRef(StreamNames.requireValidArn(arn, "streamArn"), arn);
  }

  /**
   * The stream a builder was given: exactly one of the two is set.
   *
   * @param name the stream name, or null
   * @param arn the stream ARN, or null
   * @return the reference (by ARN when the ARN is given)
   * @throws IllegalStateException when both or neither are given
   * @throws IllegalArgumentException when the one given is not valid
   */
  public static StreamRef of(@Nullable String name, @Nullable String arn) {
    if ((name == null) == (arn == null)) {
      throw new IllegalStateException("exactly one of streamName and streamArn is required, "
          + (name == null ? "neither was set" : "both were set"));
    }
    return arn != null ? ofArn(arn) : ofName(Objects.requireNonNull(name));
  }

  /**
   * The name after {@code :stream/} in a stream ARN as it comes in an event (never checked, may be a
   * placeholder such as {@code unknown}): the string itself when it has no {@code :stream/}.
   *
   * @param arn the event's source ARN
   * @return the stream name, or {@code arn} unchanged
   */
  public static String nameInArn(String arn) {
    int i = arn.indexOf(":stream/");
    return i < 0 ? arn : arn.substring(i + ":stream/".length());
  }

  /**
   * The stream's name (taken from the ARN when given by ARN): the {@code stream} tag of metrics and
   * the stream in log prefixes.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * The ARN, when the stream was given by ARN.
   *
   * @return the ARN, or null
   */
  public @Nullable String arn() {
    return arn;
  }

  /**
   * The stream as the user gave it, for settings and messages: the ARN, else the name.
   *
   * @return the ARN or the name
   */
  public String label() {
    return arn != null ? arn : name;
  }

  /**
   * Names the stream on a PutRecords request.
   *
   * @param builder the request builder
   * @return {@code builder}
   */
  public PutRecordsRequest.Builder applyTo(PutRecordsRequest.Builder builder) {
    return arn != null ? builder.streamARN(arn) : builder.streamName(name);
  }

  /**
   * Names the stream on a ListShards request (only on the first page: later pages carry a
   * NextToken and no stream).
   *
   * @param builder the request builder
   * @return {@code builder}
   */
  public ListShardsRequest.Builder applyTo(ListShardsRequest.Builder builder) {
    return arn != null ? builder.streamARN(arn) : builder.streamName(name);
  }

  /**
   * Names the stream on a DescribeStreamSummary request.
   *
   * @param builder the request builder
   * @return {@code builder}
   */
  public DescribeStreamSummaryRequest.Builder applyTo(DescribeStreamSummaryRequest.Builder builder) {
    return arn != null ? builder.streamARN(arn) : builder.streamName(name);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof StreamRef other && name.equals(other.name) && Objects.equals(arn, other.arn);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, arn);
  }

  @Override
  public String toString() {
    return label();
  }
}
