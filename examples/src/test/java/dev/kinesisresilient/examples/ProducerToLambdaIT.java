package dev.kinesisresilient.examples;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kinesisresilient.core.KinesisRecord;
import dev.kinesisresilient.core.RecordResult;
import dev.kinesisresilient.core.it.KinesisMockExtension;
import dev.kinesisresilient.core.it.LocalKinesis;
import dev.kinesisresilient.lambda.KinesisBatchProcessor;
import dev.kinesisresilient.lambda.testing.EsmSimulator;
import dev.kinesisresilient.lambda.testing.EventSourceMappingConfig;
import dev.kinesisresilient.producer.ResilientProducer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/**
 * End to end on a real Kinesis API (kinesis-mock): the producer packs small records into KPL
 * aggregates, kinesis-mock stores them, the local event source mapping reads them as Lambda would
 * (aggregates unopened) and the wrapped handler sees every user record, with its own key, at the
 * sequence number and sub-sequence number the producer reported. Delivery is at least once: a user
 * record reaches the handler a second time only when its aggregate took more than one attempt (an
 * attempt that outlasted its timeout on a loaded machine, stored and retried); the ESM itself
 * redelivers nothing.
 */
@ExtendWith(KinesisMockExtension.class)
final class ProducerToLambdaIT {

  @Test
  void aggregatedProducer_throughEsmSimulator_everyUserRecordHandledOnceWithItsKeyAndReportedPosition(
      LocalKinesis kinesis, KinesisAsyncClient client) {
    String stream = kinesis.createStream(kinesis.uniqueStreamName("e2e-agg"), 2);

    Map<String, KinesisRecord> sentByData = new HashMap<>();
    List<CompletableFuture<RecordResult>> futures = new ArrayList<>();
    try (ResilientProducer producer = ResilientProducer.builder(client).streamName(stream).clientId("e2e")
        .aggregation(true).maxAggregateBytes(16 * 1024).lingerTime(Duration.ofMillis(50))
        // Hang guards: no timeout is under test here, and kinesis-mock is slow on a busy machine.
        .attemptTimeout(Duration.ofSeconds(30)).deliveryTimeout(Duration.ofMinutes(3)).build()) {
      for (int i = 0; i < 1500; i++) {
        KinesisRecord r = KinesisRecord.of("customer-" + (i % 37) + (i % 5 == 0 ? "-ключ" : ""),
            ("{\"order\":" + i + "}").getBytes(UTF_8));
        sentByData.put(r.data().asUtf8String(), r);
        futures.add(producer.send(r));
      }
      producer.flush().join();
    }
    Map<String, RecordResult.Acknowledged> ackByData = new HashMap<>();
    for (CompletableFuture<RecordResult> f : futures) {
      RecordResult r = f.join();
      assertThat(r).as("every record acknowledged").isInstanceOf(RecordResult.Acknowledged.class);
      RecordResult.Acknowledged a = (RecordResult.Acknowledged) r;
      ackByData.put(a.record().data().asUtf8String(), a);
    }
    assertThat(ackByData.values()).filteredOn(RecordResult.Acknowledged::aggregated)
        .as("small records were aggregated").hasSizeGreaterThan(1000);

    Map<String, Integer> handledTimes = new ConcurrentHashMap<>();
    Map<String, Set<String>> positions = new ConcurrentHashMap<>();
    Map<String, Set<String>> keys = new ConcurrentHashMap<>();
    KinesisBatchProcessor processor = KinesisBatchProcessor.builder(r -> {
          String data = r.dataAsString();
          handledTimes.merge(data, 1, Integer::sum);
          keys.computeIfAbsent(data, d -> ConcurrentHashMap.newKeySet()).add(r.partitionKey());
          positions.computeIfAbsent(data, d -> ConcurrentHashMap.newKeySet())
              .add(r.shardId() + "/" + r.sequenceNumber() + "/" + r.subSequenceNumber());
        }).build();
    EsmSimulator esm = EsmSimulator.builder(client, stream, processor::handleRequest)
        .mapping(EventSourceMappingConfig.recommended().batchSize(20).build())
        .functionTimeout(Duration.ofSeconds(30)).build();
    esm.runUntilIdle();

    assertThat(esm.trace().redelivered()).isEmpty();
    assertThat(handledTimes).as("user records handled, each sent").containsOnlyKeys(sentByData.keySet());
    for (Map.Entry<String, KinesisRecord> e : sentByData.entrySet()) {
      String data = e.getKey();
      RecordResult.Acknowledged a = ackByData.get(data);
      // Once per copy stored, and a copy per attempt at most.
      assertThat(handledTimes.get(data)).as("times %s was handled", data).isBetween(1, a.attempts());
      assertThat(keys.get(data)).containsExactly(e.getValue().partitionKey());
      assertThat(positions.get(data))
          .contains(a.shardId() + "/" + a.sequenceNumber() + "/" + a.subSequenceNumber())
          .hasSize(handledTimes.get(data));
    }
    client.deleteStream(b -> b.streamName(stream)).join();
  }
}
