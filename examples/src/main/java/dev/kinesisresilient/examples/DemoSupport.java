package dev.kinesisresilient.examples;

import dev.kinesisresilient.core.RecordResult;
import dev.kinesisresilient.core.testing.FakeKinesisAsyncClient;
import dev.kinesisresilient.core.testing.StoredRecord;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What the demos share: argument parsing and the final check against the fake's shards. */
final class DemoSupport {

  private DemoSupport() {}

  /** Parses {@code --name value} pairs. */
  static Map<String, String> parse(String[] args) {
    Map<String, String> out = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("usage: --name value ...; bad argument " + args[i]);
      }
      out.put(args[i].substring(2), args[++i]);
    }
    return out;
  }

  /**
   * Checks every acknowledged record against what the fake stored (same shard, sequence number and
   * bytes), prints the verified and lost counts, and returns the lost count: records neither failed
   * nor found where their acknowledgement said.
   */
  static long verifyAndPrintLost(FakeKinesisAsyncClient fake, String stream, List<RecordResult.Acknowledged> acks,
      long records, long failed) {
    Map<String, RecordResult.Acknowledged> byPosition = new HashMap<>();
    for (RecordResult.Acknowledged a : acks) {
      byPosition.put(a.shardId() + "/" + a.sequenceNumber(), a);
    }
    List<StoredRecord> stored = fake.storedRecords(stream);
    long verified = 0;
    for (StoredRecord s : stored) {
      RecordResult.Acknowledged a = byPosition.get(s.shardId() + "/" + s.sequenceNumber());
      if (a != null && a.record().data().equals(s.data())) {
        verified++;
      }
    }
    System.out.printf("verified in shards   %,d of %,d stored%n", verified, stored.size());
    long lost = records - acks.size() - failed + (acks.size() - verified);
    System.out.printf("lost                 %,d%n", lost);
    return lost;
  }
}
