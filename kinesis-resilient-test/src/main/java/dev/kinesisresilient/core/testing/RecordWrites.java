package dev.kinesisresilient.core.testing;

import static dev.kinesisresilient.core.testing.FakeKinesisAsyncClient.PROVISIONED_THROUGHPUT_EXCEEDED;
import static dev.kinesisresilient.core.testing.FakeKinesisAsyncClient.rateExceededMessage;

import dev.kinesisresilient.core.BatchLimits;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.model.EncryptionType;
import software.amazon.awssdk.services.kinesis.model.PutRecordRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;

/**
 * The writes of a {@link FakeKinesisAsyncClient}: PutRecords and PutRecord. Validates a request against
 * the {@link BatchLimits} (rejecting it as a whole), routes each entry by explicit hash key or the MD5
 * of its partition key, then fails it by a scripted fault, throttles it on its shard's token buckets or
 * stores it. Guarded by the client's lock: every caller holds it.
 */
final class RecordWrites {

  private static final Pattern HASH_KEY = Pattern.compile("0|[1-9][0-9]{0,38}");

  private final Clock clock;
  private final BatchLimits batchLimits;
  private final String accountId;
  private final boolean enforceShardLimits;
  private final ServiceErrors errors;
  private final ScriptedFaults faults;
  private final StreamAdmin streams;
  private final MessageDigest md5 = newMd5();

  RecordWrites(Clock clock, BatchLimits batchLimits, String accountId, boolean enforceShardLimits,
      ServiceErrors errors, ScriptedFaults faults, StreamAdmin streams) {
    this.clock = clock;
    this.batchLimits = batchLimits;
    this.accountId = accountId;
    this.enforceShardLimits = enforceShardLimits;
    this.errors = errors;
    this.faults = faults;
    this.streams = streams;
  }

  PutRecordResponse putRecord(PutRecordRequest request) {
    FakeStream s = streams.stream(request.streamName(), request.streamARN());
    PutRecordsRequestEntry entry = PutRecordsRequestEntry.builder()
        .partitionKey(request.partitionKey())
        .data(request.data())
        .explicitHashKey(request.explicitHashKey())
        .build();
    long size = validateEntry(entry, "");
    BigInteger hashKey = hashKeyOf(entry);
    ScriptedFaults.EntryFailure fault = faults.nextEntryFault(entry);
    if (fault != null) {
      throw errors.error(fault.errorCode, fault.errorMessage);
    }
    Instant now = clock.instant();
    FakeShard shard = s.openShardFor(hashKey);
    if (enforceShardLimits && !shard.tryAcquire(size, now)) {
      throw errors.error(PROVISIONED_THROUGHPUT_EXCEEDED, rateExceededMessage(shard.id, s.name, accountId));
    }
    StoredRecord r = s.store(shard, entry.partitionKey(), entry.explicitHashKey(), entry.data(), now);
    return PutRecordResponse.builder()
        .shardId(r.shardId())
        .sequenceNumber(r.sequenceNumber())
        .encryptionType(EncryptionType.NONE)
        .build();
  }

  PutRecordsResponse putRecords(PutRecordsRequest request) {
    FakeStream s = streams.stream(request.streamName(), request.streamARN());
    List<PutRecordsRequestEntry> entries = request.hasRecords() ? request.records() : List.of();
    if (entries.isEmpty()) {
      throw errors.validation("1 validation error detected: Value '[]' at 'records' failed to satisfy constraint: "
          + "Member must have length greater than or equal to 1");
    }
    int max = batchLimits.maxRecordsPerRequest();
    if (entries.size() > max) {
      throw errors.validation("1 validation error detected: Value of " + entries.size() + " records at 'records' "
          + "failed to satisfy constraint: Member must have length less than or equal to " + max);
    }
    long[] sizes = new long[entries.size()];
    BigInteger[] hashKeys = new BigInteger[entries.size()];
    long total = 0;
    for (int i = 0; i < entries.size(); i++) {
      PutRecordsRequestEntry entry = entries.get(i);
      sizes[i] = validateEntry(entry, "records." + (i + 1) + ".member.");
      hashKeys[i] = hashKeyOf(entry);
      total += sizes[i];
    }
    if (total > batchLimits.maxRequestBytes()) {
      throw errors.invalidArgument("Records size of " + total + " bytes (data and partition keys) exceeds the "
          + "request limit of " + batchLimits.maxRequestBytes() + " bytes.");
    }
    Instant now = clock.instant();
    List<PutRecordsResultEntry> results = new ArrayList<>(entries.size());
    int failed = 0;
    for (int i = 0; i < entries.size(); i++) {
      PutRecordsRequestEntry entry = entries.get(i);
      ScriptedFaults.EntryFailure fault = faults.nextEntryFault(entry);
      if (fault != null) {
        results.add(PutRecordsResultEntry.builder().errorCode(fault.errorCode).errorMessage(fault.errorMessage).build());
        failed++;
        continue;
      }
      FakeShard shard = s.openShardFor(hashKeys[i]);
      if (enforceShardLimits && !shard.tryAcquire(sizes[i], now)) {
        results.add(PutRecordsResultEntry.builder()
            .errorCode(PROVISIONED_THROUGHPUT_EXCEEDED)
            .errorMessage(rateExceededMessage(shard.id, s.name, accountId))
            .build());
        failed++;
        continue;
      }
      StoredRecord r = s.store(shard, entry.partitionKey(), entry.explicitHashKey(), entry.data(), now);
      results.add(PutRecordsResultEntry.builder().shardId(r.shardId()).sequenceNumber(r.sequenceNumber()).build());
    }
    return PutRecordsResponse.builder()
        .failedRecordCount(failed)
        .records(results)
        .encryptionType(EncryptionType.NONE)
        .build();
  }

  /** Validates one entry; returns its size (data plus partition key UTF-8 bytes). */
  private long validateEntry(PutRecordsRequestEntry entry, String path) {
    String key = entry.partitionKey();
    if (key == null) {
      throw errors.validation("1 validation error detected: Value null at '" + path + "partitionKey' failed to "
          + "satisfy constraint: Member must not be null");
    }
    int chars = key.codePointCount(0, key.length());
    if (chars < BatchLimits.MIN_PARTITION_KEY_CHARS || chars > BatchLimits.MAX_PARTITION_KEY_CHARS) {
      throw errors.validation("1 validation error detected: Value of " + chars + " characters at '" + path
          + "partitionKey' failed to satisfy constraint: Member must have length between "
          + BatchLimits.MIN_PARTITION_KEY_CHARS + " and " + BatchLimits.MAX_PARTITION_KEY_CHARS);
    }
    SdkBytes data = entry.data();
    if (data == null) {
      throw errors.validation("1 validation error detected: Value null at '" + path + "data' failed to satisfy "
          + "constraint: Member must not be null");
    }
    long size = (long) data.asByteArrayUnsafe().length + key.getBytes(StandardCharsets.UTF_8).length;
    if (size > batchLimits.maxRecordBytes()) {
      throw errors.invalidArgument("Record size of " + size + " bytes (data and partition key) at '" + path
          + "data' exceeds the record limit of " + batchLimits.maxRecordBytes() + " bytes.");
    }
    String ehk = entry.explicitHashKey();
    if (ehk != null
        && (!HASH_KEY.matcher(ehk).matches() || new BigInteger(ehk).compareTo(BatchLimits.MAX_HASH_KEY) > 0)) {
      throw errors.invalidArgument("Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. "
          + "Specified value was " + ehk);
    }
    return size;
  }

  private BigInteger hashKeyOf(PutRecordsRequestEntry entry) {
    String ehk = entry.explicitHashKey();
    if (ehk != null) {
      return new BigInteger(ehk);
    }
    // Its own digest, not core's HashKeys: the fake checks the producer's routing, so it must not share
    // its code (or its cache). One instance, reused under the lock: MessageDigest.getInstance per entry
    // looked the provider up every time.
    return new BigInteger(1, md5.digest(entry.partitionKey().getBytes(StandardCharsets.UTF_8)));
  }

  private static MessageDigest newMd5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is required of every Java platform", e);
    }
  }
}
