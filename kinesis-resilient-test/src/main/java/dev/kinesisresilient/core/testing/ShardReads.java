package dev.kinesisresilient.core.testing;

import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.kinesis.model.ChildShard;
import software.amazon.awssdk.services.kinesis.model.EncryptionType;
import software.amazon.awssdk.services.kinesis.model.GetRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.GetShardIteratorRequest;
import software.amazon.awssdk.services.kinesis.model.GetShardIteratorResponse;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/**
 * The reads of a {@link FakeKinesisAsyncClient}: GetShardIterator (where an iterator type starts in a
 * shard) and GetRecords (a page of records within the count and byte limits, the next iterator, or the
 * child shards at the end of a closed shard). Guarded by the client's lock: every caller holds it.
 */
final class ShardReads {

  private static final Pattern SEQUENCE_NUMBER = Pattern.compile("0|[1-9][0-9]{0,128}");

  private final Clock clock;
  private final String accountId;
  private final ServiceErrors errors;
  private final PageTokens tokens;
  private final StreamAdmin streams;

  ShardReads(Clock clock, String accountId, ServiceErrors errors, PageTokens tokens, StreamAdmin streams) {
    this.clock = clock;
    this.accountId = accountId;
    this.errors = errors;
    this.tokens = tokens;
    this.streams = streams;
  }

  GetShardIteratorResponse getShardIterator(GetShardIteratorRequest request) {
    FakeStream s = streams.stream(request.streamName(), request.streamARN());
    String shardId = request.shardId();
    FakeShard shard = shardId == null ? null : s.shard(shardId);
    if (shard == null) {
      throw errors.error("ResourceNotFoundException", "Shard " + shardId + " in stream " + s.name
          + " under account " + accountId + " does not exist");
    }
    ShardIteratorType type = request.shardIteratorType();
    if (type == null || type == ShardIteratorType.UNKNOWN_TO_SDK_VERSION) {
      throw errors.validation("1 validation error detected: Value '" + request.shardIteratorTypeAsString()
          + "' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: "
          + "[AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, TRIM_HORIZON, LATEST, AT_TIMESTAMP]");
    }
    int position;
    switch (type) {
      case TRIM_HORIZON:
        position = 0;
        break;
      case LATEST:
        position = shard.records.size();
        break;
      case AT_SEQUENCE_NUMBER:
      case AFTER_SEQUENCE_NUMBER:
        position = positionOfSequence(shard, request.startingSequenceNumber(),
            type == ShardIteratorType.AFTER_SEQUENCE_NUMBER);
        break;
      case AT_TIMESTAMP:
        Instant ts = request.timestamp();
        if (ts == null) {
          throw errors.invalidArgument("Timestamp must be provided for an AT_TIMESTAMP shard iterator.");
        }
        position = shard.records.size();
        for (int i = 0; i < shard.records.size(); i++) {
          if (!shard.records.get(i).approximateArrivalTimestamp().isBefore(ts)) {
            position = i;
            break;
          }
        }
        break;
      default:
        throw new IllegalStateException("unhandled iterator type " + type);
    }
    return GetShardIteratorResponse.builder().shardIterator(PageTokens.encodeIterator(s, shard, position)).build();
  }

  private int positionOfSequence(FakeShard shard, @Nullable String sequenceNumber, boolean after) {
    if (sequenceNumber == null || !SEQUENCE_NUMBER.matcher(sequenceNumber).matches()) {
      throw errors.invalidArgument("StartingSequenceNumber " + sequenceNumber + " used in GetShardIterator on shard "
          + shard.id + " is invalid.");
    }
    BigInteger wanted = new BigInteger(sequenceNumber);
    for (int i = 0; i < shard.records.size(); i++) {
      int c = new BigInteger(shard.records.get(i).sequenceNumber()).compareTo(wanted);
      if (after ? c > 0 : c >= 0) {
        return i;
      }
    }
    return shard.records.size();
  }

  GetRecordsResponse getRecords(GetRecordsRequest request) {
    int limit = request.limit() == null ? FakeKinesisAsyncClient.MAX_GET_RECORDS_LIMIT : request.limit();
    if (limit < 1 || limit > FakeKinesisAsyncClient.MAX_GET_RECORDS_LIMIT) {
      throw errors.validation("1 validation error detected: Value '" + limit + "' at 'limit' failed to satisfy "
          + "constraint: Member must have value between 1 and " + FakeKinesisAsyncClient.MAX_GET_RECORDS_LIMIT);
    }
    PageTokens.IteratorPosition it = tokens.decodeIterator(request.shardIterator());
    FakeStream s = streams.liveStream(it.streamName, it.incarnation);
    FakeShard shard = s.shard(it.shardId);
    if (shard == null) {
      throw errors.invalidArgument("Invalid ShardIterator.");
    }
    List<Record> out = new ArrayList<>();
    int position = Math.min(it.position, shard.records.size());
    long bytes = 0;
    while (position < shard.records.size() && out.size() < limit) {
      StoredRecord r = shard.records.get(position);
      if (!out.isEmpty() && bytes + r.sizeBytes() > FakeKinesisAsyncClient.MAX_GET_RECORDS_BYTES) {
        break;
      }
      bytes += r.sizeBytes();
      out.add(Record.builder()
          .sequenceNumber(r.sequenceNumber())
          .approximateArrivalTimestamp(r.approximateArrivalTimestamp())
          .data(r.data())
          .partitionKey(r.partitionKey())
          .encryptionType(EncryptionType.NONE)
          .build());
      position++;
    }
    boolean atEnd = position >= shard.records.size();
    long behind = atEnd
        ? 0
        : Math.max(0, Duration.between(shard.records.get(position).approximateArrivalTimestamp(), clock.instant()).toMillis());
    GetRecordsResponse.Builder response = GetRecordsResponse.builder().records(out).millisBehindLatest(behind);
    if (atEnd && !shard.isOpen()) {
      List<ChildShard> children = new ArrayList<>();
      for (FakeShard child : s.children(shard)) {
        List<String> parents = new ArrayList<>();
        parents.add(Objects.requireNonNull(child.parentShardId));
        if (child.adjacentParentShardId != null) {
          parents.add(child.adjacentParentShardId);
        }
        children.add(ChildShard.builder().shardId(child.id).parentShards(parents).hashKeyRange(child.hashKeyRange()).build());
      }
      response.nextShardIterator(null).childShards(children);
    } else {
      response.nextShardIterator(PageTokens.encodeIterator(s, shard, position));
    }
    return response.build();
  }
}
