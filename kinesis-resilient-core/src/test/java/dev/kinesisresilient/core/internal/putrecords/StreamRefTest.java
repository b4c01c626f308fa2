package dev.kinesisresilient.core.internal.putrecords;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryRequest;
import software.amazon.awssdk.services.kinesis.model.ListShardsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;

final class StreamRefTest {

  private static final String ARN = "arn:aws:kinesis:eu-west-1:123456789012:stream/orders";

  @Test
  void ofName_namesTheStreamOnEveryRequest() {
    StreamRef ref = StreamRef.ofName("orders");

    assertThat(ref.name()).isEqualTo("orders");
    assertThat(ref.arn()).isNull();
    assertThat(ref.label()).isEqualTo("orders");
    PutRecordsRequest put = ref.applyTo(PutRecordsRequest.builder()).build();
    assertThat(put.streamName()).isEqualTo("orders");
    assertThat(put.streamARN()).isNull();
    ListShardsRequest list = ref.applyTo(ListShardsRequest.builder()).build();
    assertThat(list.streamName()).isEqualTo("orders");
    assertThat(list.streamARN()).isNull();
    DescribeStreamSummaryRequest describe = ref.applyTo(DescribeStreamSummaryRequest.builder()).build();
    assertThat(describe.streamName()).isEqualTo("orders");
    assertThat(describe.streamARN()).isNull();
  }

  @Test
  void ofArn_namesTheStreamByArnAndTakesTheNameFromIt() {
    StreamRef ref = StreamRef.ofArn(ARN);

    assertThat(ref.name()).isEqualTo("orders");
    assertThat(ref.arn()).isEqualTo(ARN);
    assertThat(ref.label()).isEqualTo(ARN);
    assertThat(ref).hasToString(ARN);
    PutRecordsRequest put = ref.applyTo(PutRecordsRequest.builder()).build();
    assertThat(put.streamARN()).isEqualTo(ARN);
    assertThat(put.streamName()).isNull();
    assertThat(ref.applyTo(ListShardsRequest.builder()).build().streamARN()).isEqualTo(ARN);
    assertThat(ref.applyTo(DescribeStreamSummaryRequest.builder()).build().streamARN()).isEqualTo(ARN);
  }

  @Test
  void ofName_invalid_rejectedNamingTheFieldAndRule() {
    assertThatThrownBy(() -> StreamRef.ofName("bad name"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("streamName")
        .hasMessageContaining("[a-zA-Z0-9_.-]");
  }

  @Test
  void ofArn_invalid_rejectedNamingTheField() {
    assertThatThrownBy(() -> StreamRef.ofArn("arn:aws:s3:::bucket"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("streamArn");
  }

  @Test
  void of_exactlyOneOfNameAndArn() {
    assertThat(StreamRef.of("orders", null)).isEqualTo(StreamRef.ofName("orders"));
    assertThat(StreamRef.of(null, ARN)).isEqualTo(StreamRef.ofArn(ARN));
    assertThat(StreamRef.ofName("orders")).isNotEqualTo(StreamRef.ofArn(ARN));
    assertThatThrownBy(() -> StreamRef.of(null, null)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("neither");
    assertThatThrownBy(() -> StreamRef.of("orders", ARN)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("both");
  }

  @Test
  void nameInArn_cutsAfterStreamSlashOrKeepsTheString() {
    assertThat(StreamRef.nameInArn(ARN)).isEqualTo("orders");
    assertThat(StreamRef.nameInArn("unknown")).isEqualTo("unknown");
  }
}
