package dev.kinesisresilient.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

final class CongestionWindowTest {

  private static void fill(CongestionWindow w) {
    while (w.tryAcquire()) {
      // take every free slot
    }
  }

  @Test
  void congestion_halvesOncePerEpisode_neverBelowOne() {
    CongestionWindow w = new CongestionWindow(8, true);
    long sentBefore = w.epoch();
    assertThat(w.onCongestion(sentBefore)).isTrue();
    assertThat(w.limit()).isEqualTo(4);
    // Another request of the same episode (sent before the decrease) changes nothing.
    assertThat(w.onCongestion(sentBefore)).isFalse();
    assertThat(w.limit()).isEqualTo(4);
    for (int k = 0; k < 10; k++) {
      w.onCongestion(w.epoch());
    }
    assertThat(w.limit()).isEqualTo(1);
    assertThat(w.decreases()).isEqualTo(11);
  }

  @Test
  void success_growsBackByOnePerWindowOfSuccesses_upToMax() {
    CongestionWindow w = new CongestionWindow(8, true);
    w.onCongestion(w.epoch());
    w.onCongestion(w.epoch());
    assertThat(w.limit()).isEqualTo(2);
    w.onSuccess();
    assertThat(w.limit()).isEqualTo(2);
    w.onSuccess();
    assertThat(w.limit()).isEqualTo(3);
    for (int k = 0; k < 100; k++) {
      w.onSuccess();
    }
    assertThat(w.limit()).isEqualTo(8);
  }

  @Test
  void slots_heldUntilReleased_evenAfterTheWindowShrinks() {
    CongestionWindow w = new CongestionWindow(4, true);
    fill(w);
    assertThat(w.inFlight()).isEqualTo(4);
    w.onCongestion(0);
    assertThat(w.hasRoom()).isFalse();
    w.release();
    w.release();
    assertThat(w.hasRoom()).isFalse(); // 2 in flight, limit 2
    w.release();
    assertThat(w.tryAcquire()).isTrue();
    assertThat(w.tryAcquire()).isFalse();
  }

  @Test
  void sharedEndpoint_episodeOfOneWindowHalvesTheOthers_countedOnce() {
    EndpointCongestion endpoint = new EndpointCongestion();
    CongestionWindow a = new CongestionWindow(8, true, endpoint);
    CongestionWindow b = new CongestionWindow(4, true, endpoint);
    long aTicket = a.epoch();
    long bTicket = b.epoch();
    assertThat(a.onCongestion(aTicket)).isTrue();
    assertThat(a.limit()).isEqualTo(4);
    assertThat(b.limit()).isEqualTo(2); // halved by a's episode when it looks
    // b's own request of the same episode changes nothing more, for either.
    assertThat(b.onCongestion(bTicket)).isFalse();
    assertThat(b.limit()).isEqualTo(2);
    assertThat(a.limit()).isEqualTo(4);
    // A new episode, seen first by b.
    assertThat(b.onCongestion(b.epoch())).isTrue();
    assertThat(b.limit()).isEqualTo(1);
    assertThat(a.limit()).isEqualTo(2);
    // Growth stays per window.
    b.onSuccess();
    assertThat(b.limit()).isEqualTo(2);
    assertThat(a.limit()).isEqualTo(2);
  }

  @Test
  void sharedEndpoint_byClientInstance() {
    Object client = new Object();
    assertThat(EndpointCongestion.of(client)).isSameAs(EndpointCongestion.of(client));
    assertThat(EndpointCongestion.of(new Object())).isNotSameAs(EndpointCongestion.of(client));
  }

  @Test
  void notAdaptive_fixedBound() {
    CongestionWindow w = new CongestionWindow(3, false);
    assertThat(w.onCongestion(w.epoch())).isFalse();
    fill(w);
    assertThat(w.inFlight()).isEqualTo(3);
    assertThat(w.limit()).isEqualTo(3);
  }

  @Test
  void congestionCodes_timeouts5xxAndIo_notThrottling() {
    assertThat(CongestionWindow.isCongestion(DefaultErrorClassifier.ATTEMPT_TIMEOUT)).isTrue();
    assertThat(CongestionWindow.isCongestion(DefaultErrorClassifier.CALL_TIMEOUT)).isTrue();
    assertThat(CongestionWindow.isCongestion(DefaultErrorClassifier.IO_ERROR)).isTrue();
    assertThat(CongestionWindow.isCongestion(DefaultErrorClassifier.SERVER_ERROR)).isTrue();
    assertThat(CongestionWindow.isCongestion("InternalFailure")).isTrue();
    assertThat(CongestionWindow.isCongestion("ServiceUnavailable")).isTrue();
    assertThat(CongestionWindow.isCongestion("ThrottlingException")).isFalse();
    assertThat(CongestionWindow.isCongestion("ProvisionedThroughputExceededException")).isFalse();
    assertThat(CongestionWindow.isTimeout(DefaultErrorClassifier.ATTEMPT_TIMEOUT)).isTrue();
    assertThat(CongestionWindow.isTimeout(DefaultErrorClassifier.IO_ERROR)).isFalse();
    assertThatThrownBy(() -> new CongestionWindow(0, true)).hasMessageContaining("max must be at least 1");
  }
}
