package dev.kinesisresilient.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kinesisresilient.core.testing.FakeKinesisAsyncClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

final class StreamNamesTest {
  private final FakeKinesisAsyncClient client = FakeKinesisAsyncClient.builder().stream("orders", 1).build();

  @ParameterizedTest
  @ValueSource(strings = {"orders/1", "bad name!", "caf\u00e9", "", "a:b", "tab\there"})
  void writerStreamName_invalid_rejectedAtTheSetterNamingFieldAndRule(String name) {
    KinesisBatchWriter.Builder b = KinesisBatchWriter.builder(client);
    assertThatThrownBy(() -> b.streamName(name)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("streamName must be 1..128 characters of [a-zA-Z0-9_.-]");
  }

  @Test
  void streamName_lengthAndCharacterBounds() {
    assertThat(StreamNames.isValidName("a")).isTrue();
    assertThat(StreamNames.isValidName("A-b_c.9")).isTrue();
    assertThat(StreamNames.isValidName("x".repeat(128))).isTrue();
    assertThat(StreamNames.isValidName("x".repeat(129))).isFalse();
    assertThat(StreamNames.isValidName("")).isFalse();
    assertThatThrownBy(() -> StreamNames.requireValidName(null, "streamName"))
        .isInstanceOf(NullPointerException.class).hasMessage("streamName");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "arn:aws:kinesis:us-east-1:123456789012:stream/", // empty name
      "arn:aws:sqs:us-east-1:123456789012:stream/orders", // wrong service
      "arn:aws:kinesis:us-east-1:12345678901:stream/orders", // 11-digit account
      "arn:aws:kinesis:us-east-1:1234567890123:stream/orders", // 13-digit account
      "arn:aws:kinesis:us-east-1:123456789012:table/orders", // not a stream
      "arn:aws:kinesis::123456789012:stream/orders", // no region
      "arn:gcp:kinesis:us-east-1:123456789012:stream/orders", // not an AWS partition
      "orders", // a name, not an ARN
  })
  void writerStreamArn_invalid_rejectedAtTheSetterNamingFieldAndRule(String arn) {
    KinesisBatchWriter.Builder b = KinesisBatchWriter.builder(client);
    assertThatThrownBy(() -> b.streamArn(arn)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("streamArn must ")
        .hasMessageContaining(arn);
  }

  @Test
  void streamArn_invalidName_messageQuotesTheNameRule() {
    assertThatThrownBy(() -> StreamNames.requireValidArn("arn:aws:kinesis:us-east-1:123456789012:stream/orders/1",
        "streamArn")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1..128 characters of [a-zA-Z0-9_.-]");
    assertThatThrownBy(() -> StreamNames.requireValidArn("arn:aws:kinesis:us-east-1:123456789012:stream/",
        "streamArn")).hasMessageContaining(StreamNames.NAME_RULE);
    assertThatThrownBy(() -> StreamNames.requireValidArn("arn:aws:kinesis:us-east-1:12345678901:stream/orders",
        "streamArn")).hasMessageContaining(StreamNames.ARN_RULE);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "arn:aws:kinesis:us-east-1:123456789012:stream/orders",
      "arn:aws-cn:kinesis:cn-north-1:123456789012:stream/orders",
      "arn:aws-us-gov:kinesis:us-gov-west-1:123456789012:stream/orders",
      "arn:aws-iso-b:kinesis:us-isob-east-1:123456789012:stream/orders",
  })
  void streamArn_validPartitions_acceptedAndNameTaken(String arn) {
    assertThat(StreamNames.requireValidArn(arn, "streamArn")).isEqualTo("orders");
    assertThat(StreamNames.nameOfArn(arn)).isEqualTo("orders");
    KinesisBatchWriter w = KinesisBatchWriter.builder(client).streamArn(arn).build();
    w.close();
  }
}
