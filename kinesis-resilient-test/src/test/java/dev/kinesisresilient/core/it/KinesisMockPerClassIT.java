package dev.kinesisresilient.core.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/** Per-class mode: a server of this class's own, with its own log, stopped after the class. */
final class KinesisMockPerClassIT {

  @RegisterExtension static final KinesisMockExtension KINESIS = KinesisMockExtension.perClass();

  @Test
  void perClass_ownServerWithItsOwnLog_servesTheClass(
      LocalKinesis kinesis, KinesisAsyncClient client) {
    String stream = kinesis.createStream(kinesis.uniqueStreamName("per-class"), 1);

    client
        .putRecord(b -> b.streamName(stream).partitionKey("k").data(SdkBytes.fromUtf8String("v")))
        .join();

    assertThat(kinesis.readAll(stream).values().stream().mapToInt(List::size).sum())
        .isEqualTo(1);
    if (!kinesis.isExternal()) {
      assertThat(kinesis.logFile())
          .get()
          .extracting(Path::getFileName)
          .hasToString("kinesis-mock-KinesisMockPerClassIT.log");
      assertThat(ProcessHandle.of(kinesis.pid().orElseThrow())).get().matches(ProcessHandle::isAlive);
    }
  }
}
