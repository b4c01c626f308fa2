package dev.kinesisresilient.test;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/** The extension on the in-memory backend: no server, so a unit test. */
@LocalKinesisTest(backend = KinesisBackend.IN_MEMORY, shards = 2)
final class LocalKinesisExtensionInMemoryTest {

  @Test
  void streamPerTest_createdActiveWithTheShardsAsked(
      TestStream stream, KinesisAsyncClient client, KinesisTestEnvironment env) {
    assertThat(env.backend()).isEqualTo(KinesisBackend.IN_MEMORY);
    assertThat(env.endpoint()).isEmpty();
    assertThat(stream.shardCount()).isEqualTo(2);
    assertThat(
            client
                .describeStreamSummary(b -> b.streamName(stream.name()))
                .join()
                .streamDescriptionSummary())
        .satisfies(s -> assertThat(s.streamStatus()).isEqualTo(StreamStatus.ACTIVE))
        .satisfies(s -> assertThat(s.openShardCount()).isEqualTo(2));

    client
        .putRecord(b -> b.streamName(stream.name()).partitionKey("k").data(SdkBytes.fromUtf8String("v")))
        .join();

    assertThat(env.fake().orElseThrow().storedRecords(stream.name())).hasSize(1);
  }

  @Test
  void streamPerTest_eachTestGetsItsOwnStream(TestStream stream, KinesisTestEnvironment env) {
    assertThat(env.fake().orElseThrow().storedRecords(stream.name())).isEmpty();
  }
}
