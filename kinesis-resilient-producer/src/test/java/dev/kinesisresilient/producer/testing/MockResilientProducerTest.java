package dev.kinesisresilient.producer.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kinesisresilient.core.FailureReason;
import dev.kinesisresilient.core.KinesisRecord;
import dev.kinesisresilient.core.RecordResult;
import dev.kinesisresilient.producer.BufferFullException;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

final class MockResilientProducerTest {
  private static final KinesisRecord A = KinesisRecord.of("a", new byte[] {1});
  private static final KinesisRecord B = KinesisRecord.of("b", new byte[] {2});

  @Test
  void autoComplete_acknowledgesAtOnce_withIncreasingSequenceNumbers() {
    MockResilientProducer p = MockResilientProducer.autoComplete();
    RecordResult.Acknowledged a = (RecordResult.Acknowledged) p.send(A).join();
    RecordResult.Acknowledged b = (RecordResult.Acknowledged) p.trySend(B).orElseThrow().join();
    assertThat(a.shardId()).isEqualTo(MockResilientProducer.DEFAULT_SHARD_ID);
    assertThat(a.sequenceNumber().compareTo(b.sequenceNumber())).isNegative();
    assertThat(p.history()).containsExactly(A, B);
    assertThat(p.stats().acknowledged()).isEqualTo(2);
  }

  @Test
  void manual_completeNextAndFailNext_inSendOrder() {
    MockResilientProducer p = MockResilientProducer.manual();
    CompletableFuture<RecordResult> a = p.send(A);
    CompletableFuture<RecordResult> b = p.send(B);
    CompletableFuture<Void> flushed = p.flush();
    assertThat(a).isNotDone();
    assertThat(p.pendingCount()).isEqualTo(2);
    assertThat(p.completeNext("shardId-000000000003")).isTrue();
    assertThat(((RecordResult.Acknowledged) a.join()).shardId()).isEqualTo("shardId-000000000003");
    assertThat(flushed).isNotDone();
    assertThat(p.failNext(new IllegalStateException("boom"))).isTrue();
    RecordResult.Failed f = (RecordResult.Failed) b.join();
    assertThat(f.reason()).isEqualTo(FailureReason.NOT_RETRIABLE);
    assertThat(f.errorCode()).isEqualTo("IllegalStateException");
    assertThat(flushed).isCompleted();
    assertThat(p.completeNext()).isFalse();
    assertThat(p.stats().sent()).isEqualTo(2);
    assertThat(p.stats().failedByReason()).containsEntry(FailureReason.NOT_RETRIABLE, 1L);
  }

  @Test
  void failNext_withReason_reportsIt() {
    MockResilientProducer p = MockResilientProducer.manual();
    CompletableFuture<RecordResult> a = p.send(A);
    p.failNext(FailureReason.DEADLINE_EXCEEDED, "DeliveryTimeout", "too slow");
    assertThat(((RecordResult.Failed) a.join()).reason()).isEqualTo(FailureReason.DEADLINE_EXCEEDED);
  }

  @Test
  void clear_forgetsHistory_countsStillReconcile() {
    MockResilientProducer p = MockResilientProducer.autoComplete();
    p.send(A);
    p.clear();
    assertThat(p.history()).isEmpty();
    assertThat(p.stats().sent()).isEqualTo(p.stats().acknowledged());
  }

  @Test
  void futures_areCopies_and_closeRejectsSends() {
    MockResilientProducer p = MockResilientProducer.manual();
    CompletableFuture<RecordResult> a = p.send(A);
    a.cancel(true);
    assertThat(p.completeNext()).isTrue();
    p.close();
    assertThat(p.closed()).isTrue();
    assertThatThrownBy(() -> p.send(B)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void throwOnNextSend_throwsOnce_withoutRecording() {
    MockResilientProducer p = MockResilientProducer.autoComplete();
    p.throwOnNextSend(new BufferFullException("full"));
    assertThatThrownBy(() -> p.send(A)).isInstanceOf(BufferFullException.class);
    assertThat(p.history()).isEmpty();
    assertThat(p.send(A).join().isAcknowledged()).isTrue();
  }
}
