package dev.kinesisresilient.core.testing;

import dev.kinesisresilient.core.BatchLimits;
import dev.kinesisresilient.core.StreamNames;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.model.CreateStreamRequest;
import software.amazon.awssdk.services.kinesis.model.CreateStreamResponse;
import software.amazon.awssdk.services.kinesis.model.DeleteStreamRequest;
import software.amazon.awssdk.services.kinesis.model.DeleteStreamResponse;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryRequest;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryResponse;
import software.amazon.awssdk.services.kinesis.model.EncryptionType;
import software.amazon.awssdk.services.kinesis.model.ListShardsRequest;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.awssdk.services.kinesis.model.ListStreamsRequest;
import software.amazon.awssdk.services.kinesis.model.ListStreamsResponse;
import software.amazon.awssdk.services.kinesis.model.RecordDistributionStrategy;
import software.amazon.awssdk.services.kinesis.model.ScalingType;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardFilterType;
import software.amazon.awssdk.services.kinesis.model.StreamDescriptionSummary;
import software.amazon.awssdk.services.kinesis.model.StreamMode;
import software.amazon.awssdk.services.kinesis.model.StreamModeDetails;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;
import software.amazon.awssdk.services.kinesis.model.StreamSummary;
import software.amazon.awssdk.services.kinesis.model.UpdateShardCountRequest;
import software.amazon.awssdk.services.kinesis.model.UpdateShardCountResponse;

/**
 * The streams of a {@link FakeKinesisAsyncClient} by name, how a request's StreamName or StreamARN
 * finds one, and the control-plane operations on them (CreateStream, DeleteStream, ListStreams,
 * DescribeStreamSummary, ListShards, UpdateShardCount). Each stream gets a new incarnation number, so
 * tokens and iterators of a deleted stream fail against its successor. Guarded by the client's lock.
 */
final class StreamAdmin {

  static final int MAX_SHARD_COUNT = 10_000;
  private static final int DEFAULT_LIST_SHARDS_MAX_RESULTS = 1000;
  private static final int DEFAULT_LIST_STREAMS_LIMIT = 100;

  private final Object lock;
  private final Clock clock;
  private final long perShardBytesPerSecond;
  private final int perShardRecordsPerSecond;
  private final BatchLimits batchLimits;
  private final String accountId;
  private final Region region;
  private final ServiceErrors errors;
  private final PageTokens tokens;
  private final Map<String, FakeStream> streams = new TreeMap<>();
  private long nextIncarnation;

  StreamAdmin(Object lock, Clock clock, long perShardBytesPerSecond, int perShardRecordsPerSecond,
      BatchLimits batchLimits, String accountId, Region region, ServiceErrors errors, PageTokens tokens) {
    this.lock = lock;
    this.clock = clock;
    this.perShardBytesPerSecond = perShardBytesPerSecond;
    this.perShardRecordsPerSecond = perShardRecordsPerSecond;
    this.batchLimits = batchLimits;
    this.accountId = accountId;
    this.region = region;
    this.errors = errors;
    this.tokens = tokens;
  }

  String streamArn(String streamName) {
    Objects.requireNonNull(streamName, "streamName");
    return "arn:aws:kinesis:" + region.id() + ":" + accountId + ":stream/" + streamName;
  }

  Set<String> names() {
    return streams.keySet();
  }

  /** The stream for the inspection methods: IllegalArgumentException, not a service error. */
  private FakeStream requireStream(String streamName) {
    FakeStream s = streams.get(streamName);
    if (s == null) {
      throw new IllegalArgumentException("no stream named " + streamName);
    }
    return s;
  }

  /** Creates the builder's streams, provisioned and ACTIVE. Called once, from the client's constructor. */
  void addInitialStreams(Map<String, Integer> shardCounts) {
    Instant now = clock.instant();
    for (Map.Entry<String, Integer> e : shardCounts.entrySet()) {
      addStream(e.getKey(), StreamMode.PROVISIONED, null, e.getValue(), now);
    }
  }

  // The inspection methods check their arguments and take the lock themselves; the rest is called with
  // the lock held.

  /** Every record stored in a stream, across its shards, in the order they were stored. */
  List<StoredRecord> storedRecords(String streamName) {
    Objects.requireNonNull(streamName, "streamName");
    synchronized (lock) {
      List<StoredRecord> all = new ArrayList<>();
      for (FakeShard s : requireStream(streamName).shards) {
        all.addAll(s.records);
      }
      // Sequence numbers are decimals without leading zeros: the shorter is smaller, equal lengths compare
      // as text (no BigInteger parsed per comparison).
      all.sort(Comparator.comparingInt((StoredRecord r) -> r.sequenceNumber().length())
          .thenComparing(StoredRecord::sequenceNumber));
      return List.copyOf(all);
    }
  }

  List<StoredRecord> storedRecords(String streamName, String shardId) {
    Objects.requireNonNull(streamName, "streamName");
    Objects.requireNonNull(shardId, "shardId");
    synchronized (lock) {
      FakeShard shard = requireStream(streamName).shard(shardId);
      if (shard == null) {
        throw new IllegalArgumentException("no shard " + shardId + " in stream " + streamName);
      }
      return List.copyOf(shard.records);
    }
  }

  /** The stream a request names by StreamName, StreamARN or both, or the service's error. */
  FakeStream stream(@Nullable String streamName, @Nullable String streamArn) {
    String name = streamName;
    if (streamArn != null) {
      String prefix = "arn:aws:kinesis:" + region.id() + ":" + accountId + ":stream/";
      if (!streamArn.startsWith("arn:aws:kinesis:") || !streamArn.contains(":stream/")) {
        throw errors.invalidArgument("StreamARN " + streamArn + " is not a valid Kinesis stream ARN.");
      }
      if (!streamArn.startsWith(prefix)) {
        throw errors.error("ResourceNotFoundException", "Stream " + streamArn + " not found.");
      }
      String fromArn = streamArn.substring(prefix.length());
      if (name != null && !name.equals(fromArn)) {
        throw errors.invalidArgument("StreamName " + name + " and StreamARN " + streamArn
            + " name different streams.");
      }
      name = fromArn;
    }
    if (name == null) {
      throw errors.invalidArgument("Either StreamName or StreamARN must be provided.");
    }
    FakeStream s = streams.get(name);
    if (s == null) {
      throw errors.error("ResourceNotFoundException", "Stream " + name + " under account " + accountId
          + " not found.");
    }
    return s;
  }

  /** The stream a token or iterator names, if it is still the same incarnation, or the service's error. */
  FakeStream liveStream(String streamName, long incarnation) {
    FakeStream s = streams.get(streamName);
    if (s == null || s.incarnation != incarnation) {
      throw errors.error("ResourceNotFoundException", "Stream " + streamName + " under account " + accountId
          + " not found.");
    }
    return s;
  }

  FakeStream addStream(
      String name, StreamMode mode, @Nullable RecordDistributionStrategy strategy, int shardCount, Instant now) {
    FakeStream s = new FakeStream(name, streamArn(name), nextIncarnation++, mode, strategy, shardCount,
        perShardRecordsPerSecond, perShardBytesPerSecond, now);
    streams.put(name, s);
    return s;
  }

  CreateStreamResponse createStream(CreateStreamRequest request) {
    String name = request.streamName();
    if (name == null || !StreamNames.isValidName(name)) {
      throw errors.validation("1 validation error detected: Value at 'streamName' failed to satisfy constraint: "
          + "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+ and have length 1..128");
    }
    StreamMode mode = request.streamModeDetails() == null
        ? StreamMode.PROVISIONED
        : request.streamModeDetails().streamMode();
    int shards;
    if (mode == StreamMode.ON_DEMAND) {
      if (request.shardCount() != null) {
        throw errors.invalidArgument("ShardCount is not allowed for a stream in ON_DEMAND mode.");
      }
      shards = FakeKinesisAsyncClient.ON_DEMAND_SHARD_COUNT;
    } else if (mode == StreamMode.PROVISIONED) {
      if (request.shardCount() == null) {
        throw errors.invalidArgument("ShardCount is required for a stream in PROVISIONED mode.");
      }
      shards = request.shardCount();
      if (shards < 1 || shards > MAX_SHARD_COUNT) {
        throw errors.validation("1 validation error detected: Value '" + shards + "' at 'shardCount' failed to "
            + "satisfy constraint: Member must have value between 1 and " + MAX_SHARD_COUNT);
      }
    } else {
      throw errors.validation("1 validation error detected: Value at 'streamModeDetails.streamMode' failed to "
          + "satisfy constraint: Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]");
    }
    if (streams.containsKey(name)) {
      throw errors.error("ResourceInUseException", "Stream " + name + " under account " + accountId
          + " already exists.");
    }
    addStream(name, mode, request.recordDistributionStrategy(), shards, clock.instant());
    return CreateStreamResponse.builder().build();
  }

  DeleteStreamResponse deleteStream(DeleteStreamRequest request) {
    FakeStream s = stream(request.streamName(), request.streamARN());
    streams.remove(s.name);
    return DeleteStreamResponse.builder().build();
  }

  ListStreamsResponse listStreams(ListStreamsRequest request) {
    int limit = request.limit() == null ? DEFAULT_LIST_STREAMS_LIMIT : request.limit();
    if (limit < 1 || limit > MAX_SHARD_COUNT) {
      throw errors.validation("1 validation error detected: Value '" + limit + "' at 'limit' failed to satisfy "
          + "constraint: Member must have value between 1 and " + MAX_SHARD_COUNT);
    }
    String after = request.exclusiveStartStreamName();
    if (request.nextToken() != null) {
      after = tokens.decodeToken(request.nextToken(), "ListStreams");
    }
    List<String> names = new ArrayList<>();
    List<StreamSummary> summaries = new ArrayList<>();
    boolean more = false;
    for (FakeStream s : streams.values()) {
      if (after != null && s.name.compareTo(after) <= 0) {
        continue;
      }
      if (names.size() == limit) {
        more = true;
        break;
      }
      names.add(s.name);
      summaries.add(StreamSummary.builder()
          .streamName(s.name)
          .streamARN(s.arn)
          .streamStatus(StreamStatus.ACTIVE)
          .streamModeDetails(StreamModeDetails.builder().streamMode(s.mode).build())
          .streamCreationTimestamp(s.createdAt)
          .build());
    }
    return ListStreamsResponse.builder()
        .streamNames(names)
        .streamSummaries(summaries)
        .hasMoreStreams(more)
        .nextToken(more ? PageTokens.encodeToken("ListStreams", names.get(names.size() - 1)) : null)
        .build();
  }

  DescribeStreamSummaryResponse describeStreamSummary(DescribeStreamSummaryRequest request) {
    FakeStream s = stream(request.streamName(), request.streamARN());
    return DescribeStreamSummaryResponse.builder()
        .streamDescriptionSummary(StreamDescriptionSummary.builder()
            .streamName(s.name)
            .streamARN(s.arn)
            .streamStatus(StreamStatus.ACTIVE)
            .streamModeDetails(StreamModeDetails.builder().streamMode(s.mode).build())
            .retentionPeriodHours(24)
            .streamCreationTimestamp(s.createdAt)
            .enhancedMonitoring(List.of())
            .encryptionType(EncryptionType.NONE)
            .openShardCount(s.openShards().size())
            .consumerCount(0)
            .maxRecordSizeInKiB((int) (batchLimits.maxRecordBytes() / 1024))
            .recordDistributionStrategy(s.distributionStrategy)
            .build())
        .build();
  }

  ListShardsResponse listShards(ListShardsRequest request) {
    int max = request.maxResults() == null ? DEFAULT_LIST_SHARDS_MAX_RESULTS : request.maxResults();
    if (max < 1 || max > MAX_SHARD_COUNT) {
      throw errors.validation("1 validation error detected: Value '" + max + "' at 'maxResults' failed to "
          + "satisfy constraint: Member must have value between 1 and " + MAX_SHARD_COUNT);
    }
    FakeStream s;
    int offset = 0;
    if (request.nextToken() != null) {
      if (request.streamName() != null || request.streamARN() != null) {
        throw errors.invalidArgument("NextToken and StreamName or StreamARN cannot be provided together.");
      }
      String[] parts = tokens.decodeToken(request.nextToken(), "ListShards").split("\\|", 3);
      if (parts.length != 3) {
        throw errors.invalidArgument("Invalid NextToken.");
      }
      s = streams.get(parts[2]);
      if (s == null || s.incarnation != Long.parseLong(parts[0])) {
        throw errors.error("ResourceNotFoundException", "Stream " + parts[2] + " under account " + accountId
            + " not found.");
      }
      offset = Integer.parseInt(parts[1]);
    } else {
      s = stream(request.streamName(), request.streamARN());
    }
    List<FakeShard> selected = new ArrayList<>();
    String afterId = request.exclusiveStartShardId();
    if (request.shardFilter() != null && request.shardFilter().type() == ShardFilterType.AFTER_SHARD_ID) {
      afterId = request.shardFilter().shardId();
    }
    boolean openOnly = request.shardFilter() != null && request.shardFilter().type() == ShardFilterType.AT_LATEST;
    for (FakeShard shard : s.shards) {
      if ((afterId == null || shard.id.compareTo(afterId) > 0) && (!openOnly || shard.isOpen())) {
        selected.add(shard);
      }
    }
    int end = Math.min(selected.size(), offset + max);
    List<Shard> page = new ArrayList<>();
    for (int i = Math.min(offset, end); i < end; i++) {
      page.add(selected.get(i).toModel());
    }
    String next = end < selected.size()
        ? PageTokens.encodeToken("ListShards", s.incarnation + "|" + end + "|" + s.name)
        : null;
    return ListShardsResponse.builder().shards(page).nextToken(next).build();
  }

  UpdateShardCountResponse updateShardCount(UpdateShardCountRequest request) {
    FakeStream s = stream(request.streamName(), request.streamARN());
    Integer target = request.targetShardCount();
    if (target == null || target < 1 || target > MAX_SHARD_COUNT) {
      throw errors.validation("1 validation error detected: Value '" + target + "' at 'targetShardCount' failed to "
          + "satisfy constraint: Member must have value between 1 and " + MAX_SHARD_COUNT);
    }
    if (request.scalingType() != ScalingType.UNIFORM_SCALING) {
      throw errors.validation("1 validation error detected: Value '" + request.scalingTypeAsString()
          + "' at 'scalingType' failed to satisfy constraint: Member must satisfy enum value set: "
          + "[UNIFORM_SCALING]");
    }
    int current = s.openShards().size();
    s.reshard(target, clock.instant());
    return UpdateShardCountResponse.builder()
        .streamName(s.name)
        .streamARN(s.arn)
        .currentShardCount(current)
        .targetShardCount(target)
        .build();
  }
}
