package dev.kinesisresilient.producer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kinesisresilient.core.BatchLimits;
import dev.kinesisresilient.core.KinesisRecord;
import dev.kinesisresilient.core.RecordTooLargeException;
import dev.kinesisresilient.core.testing.FakeKinesisAsyncClient;
import dev.kinesisresilient.producer.BuilderSettings;
import dev.kinesisresilient.producer.ResilientProducer;
import dev.kinesisresilient.producer.ResilientProducerBuilder;
import java.time.Duration;
import org.junit.jupiter.api.Test;

final class ProducerBuilderTest {
  private final FakeKinesisAsyncClient fake = FakeKinesisAsyncClient.builder().stream("s", 1).build();

  @Test
  void settings_defaults_areDocumentedValues() {
    ProducerSettings s = BuilderSettings.of(ResilientProducer.builder(fake).streamName("s"));
    assertThat(s.lingerTime()).isEqualTo(Duration.ofMillis(20));
    assertThat(s.maxBufferedBytes()).isEqualTo(32 * BatchLimits.MIB);
    assertThat(s.maxBlockTime()).isEqualTo(Duration.ofSeconds(10));
    assertThat(s.deliveryTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.attemptTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(s.maxInFlightRequests()).isEqualTo(8);
    assertThat(s.preserveOrder()).isFalse();
    assertThat(s.shardRecordsPerSecond()).isEqualTo(1000);
    assertThat(s.shardBytesPerSecond()).isEqualTo(BatchLimits.MIB);
    assertThat(s.retryPolicy().maxAttempts()).isEqualTo(100);
    assertThat(s.clientId()).startsWith("s-");
    assertThat(s.toString()).contains("lingerTime=PT0.02S", "deliveryTimeout=PT30S", "maxBufferedBytes=33554432");
  }

  @Test
  void setter_calledTwice_throwsIllegalState() {
    ResilientProducerBuilder b = ResilientProducer.builder(fake).lingerTime(Duration.ZERO);
    assertThatThrownBy(() -> b.lingerTime(Duration.ZERO)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("lingerTime");
    ResilientProducerBuilder c = ResilientProducer.builder(fake).streamName("s");
    assertThatThrownBy(() -> c.streamArn("arn:aws:kinesis:us-east-1:123456789012:stream/s"))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void build_deliveryTimeoutShorterThanLingerPlusAttempt_namesBothOptions() {
    ResilientProducerBuilder b = ResilientProducer.builder(fake).streamName("s")
        .deliveryTimeout(Duration.ofSeconds(2)).attemptTimeout(Duration.ofSeconds(2)).lingerTime(Duration.ofMillis(1));
    assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("deliveryTimeout").hasMessageContaining("lingerTime").hasMessageContaining("attemptTimeout");
  }

  @Test
  void build_bufferSmallerThanOneRecord_namesBothOptions() {
    ResilientProducerBuilder b = ResilientProducer.builder(fake).streamName("s").maxBufferedBytes(BatchLimits.MIB);
    assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("maxBufferedBytes").hasMessageContaining("limits.maxRecordBytes");
  }

  @Test
  void build_noStream_throws() {
    assertThatThrownBy(() -> ResilientProducer.builder(fake).build()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("streamName");
  }

  @Test
  void setters_outOfRange_throwNamingTheRange() {
    ResilientProducerBuilder b = ResilientProducer.builder(fake);
    assertThatThrownBy(() -> b.lingerTime(Duration.ofMinutes(2))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lingerTime");
    assertThatThrownBy(() -> b.maxInFlightRequests(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.maxBufferedBytes(1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.deliveryTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.shardLimits(0, 1024)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.clientId("bad id")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.streamName("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ResilientProducer.builder(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void streamNameAndArn_invalid_rejectedAtTheSetterNamingFieldAndRule() {
    for (String name : new String[] {"orders/1", "bad name!", "caf\u00e9", "x".repeat(129)}) {
      assertThatThrownBy(() -> ResilientProducer.builder(fake).streamName(name))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("streamName must be 1..128 characters of [a-zA-Z0-9_.-], was \"" + name + "\"");
    }
    for (String arn : new String[] {"arn:aws:kinesis:us-east-1:123456789012:stream/",
        "arn:aws:firehose:us-east-1:123456789012:stream/orders", "arn:aws:kinesis:us-east-1:12345678901:stream/orders",
        "arn:aws:kinesis:us-east-1:123456789012:stream/bad name!"}) {
      assertThatThrownBy(() -> ResilientProducer.builder(fake).streamArn(arn))
          .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("streamArn must ")
          .hasMessageContaining(arn);
    }
    for (String partition : new String[] {"aws", "aws-cn", "aws-us-gov"}) {
      String arn = "arn:" + partition + ":kinesis:us-gov-west-1:123456789012:stream/s";
      assertThat(BuilderSettings.of(ResilientProducer.builder(fake).streamArn(arn)).stream()).isEqualTo("s");
    }
  }

  @Test
  void send_badInput_rejectedAtTheCallWithCoreMessages() {
    Harness h = Harness.create(1, b -> b.limits(BatchLimits.defaults().withMaxRecordBytes(100)).maxBufferedBytes(BatchLimits.MIB));
    assertThatThrownBy(() -> h.producer.send(null)).isInstanceOf(NullPointerException.class).hasMessageContaining("record");
    assertThatThrownBy(() -> h.producer.send(KinesisRecord.of("k", new byte[200])))
        .isInstanceOf(RecordTooLargeException.class).hasMessageContaining("exceeds maxRecordBytes 100 bytes");
    assertThat(h.producer.stats().sent()).isZero();
  }

  @Test
  void build_startsNamedDaemonSenderThread_closeStopsIt() {
    ResilientProducer p = ResilientProducer.builder(fake).streamName("s").clientId("c1").build();
    Thread t = Thread.getAllStackTraces().keySet().stream()
        .filter(x -> x.getName().equals("kinesis-resilient-sender-c1")).findFirst().orElseThrow();
    assertThat(t.isDaemon()).isTrue();
    assertThat(p.send(KinesisRecord.of("k", new byte[1])).join().isAcknowledged()).isTrue();
    p.close(Duration.ofSeconds(5));
    assertThat(t.isAlive()).isFalse();
    assertThatThrownBy(() -> p.send(KinesisRecord.of("k", new byte[1]))).isInstanceOf(IllegalStateException.class);
    p.close(); // again: harmless
  }
}
