package dev.kinesisresilient.examples.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import dev.kinesisresilient.core.testing.ManualClock;
import dev.kinesisresilient.lambda.BatchResult;
import dev.kinesisresilient.lambda.KinesisBatchProcessor;
import dev.kinesisresilient.lambda.RecordOutcome;
import dev.kinesisresilient.lambda.testing.FakeLambdaContext;
import dev.kinesisresilient.lambda.testing.KinesisEvents;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The example's record logic under the wrapper, as an application would test it. */
final class OrdersHandlerTest {

  @Test
  void handle_nonJsonOrder_quarantinedAsPermanentWhileOthersSucceed() {
    ManualClock clock = ManualClock.create();
    List<String> quarantined = new ArrayList<>();
    KinesisBatchProcessor processor = KinesisBatchProcessor.builder(OrdersHandler::handle)
        .clock(clock).sleeper(clock::advance)
        .permanentFailure(e -> e instanceof IllegalArgumentException)
        .quarantineSink((q, left) -> quarantined.add(q.record().sequenceNumber()))
        .build();
    KinesisEvent event = KinesisEvents.builder().clock(clock)
        .record("order-1", "{\"type\":\"created\"}").record("order-2", "garbage").record("order-3", "{}").build();
    BatchResult result = processor.process(event, FakeLambdaContext.builder().clock(clock).build());
    assertThat(result.outcomes()).containsExactly(RecordOutcome.SUCCEEDED, RecordOutcome.QUARANTINED,
        RecordOutcome.SUCCEEDED);
    assertThat(result.response().getBatchItemFailures()).isEmpty();
    assertThat(quarantined).containsExactly(event.getRecords().get(1).getKinesis().getSequenceNumber());
  }
}
