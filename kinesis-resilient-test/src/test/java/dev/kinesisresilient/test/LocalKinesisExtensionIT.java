package dev.kinesisresilient.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/**
 * The extension against a real server: kinesis-mock here (no Docker on this project's machines),
 * or whatever {@code KINESIS_ENDPOINT} names. Checks a stream per test, created ACTIVE and deleted
 * after the test.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
final class LocalKinesisExtensionIT {

  @RegisterExtension
  static final LocalKinesisExtension KINESIS =
      LocalKinesisExtension.builder()
          .backend(
              System.getenv(KinesisTestEnvironment.ENDPOINT_VARIABLE) != null
                  ? KinesisBackend.ENDPOINT
                  : KinesisBackend.KINESIS_MOCK)
          .shards(2)
          .build();

  private static final List<String> SEEN = new ArrayList<>();

  @Test
  @Order(1)
  void firstTest_streamActiveAndWritable(TestStream stream, KinesisAsyncClient client, KinesisTestEnvironment env) {
    SEEN.add(stream.name());
    assertThat(env.backend()).isIn(KinesisBackend.KINESIS_MOCK, KinesisBackend.ENDPOINT);
    assertThat(env.endpoint()).isPresent();
    assertThat(
            client.describeStreamSummary(b -> b.streamName(stream.name())).join().streamDescriptionSummary())
        .satisfies(s -> assertThat(s.streamStatus()).isEqualTo(StreamStatus.ACTIVE))
        .satisfies(s -> assertThat(s.openShardCount()).isEqualTo(2));

    String sequence =
        client
            .putRecord(b -> b.streamName(stream.name()).partitionKey("k").data(SdkBytes.fromUtf8String("v")))
            .join()
            .sequenceNumber();

    assertThat(sequence).isNotBlank();
  }

  @Test
  @Order(2)
  void secondTest_newStream_previousOneDeleted(TestStream stream, KinesisAsyncClient client) {
    assertThat(SEEN).hasSize(1).doesNotContain(stream.name());
    String previous = SEEN.get(0);

    // Deleted after the first test (DeleteStream was sent; the server may still be finishing it).
    assertThatDeletedOrDeleting(client, previous);
  }

  private static void assertThatDeletedOrDeleting(KinesisAsyncClient client, String name) {
    try {
      StreamStatus status =
          client.describeStreamSummary(b -> b.streamName(name)).join().streamDescriptionSummary().streamStatus();
      assertThat(status).isEqualTo(StreamStatus.DELETING);
    } catch (java.util.concurrent.CompletionException e) {
      assertThat(e.getCause()).isInstanceOf(ResourceNotFoundException.class);
    }
  }

  @AfterAll
  static void unknownStream_describeFails(KinesisAsyncClient client) {
    assertThatThrownBy(() -> client.describeStreamSummary(b -> b.streamName("never-created-xyz")).join())
        .hasCauseInstanceOf(ResourceNotFoundException.class);
  }
}
