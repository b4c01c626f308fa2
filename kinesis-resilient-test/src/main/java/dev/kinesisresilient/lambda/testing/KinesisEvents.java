package dev.kinesisresilient.lambda.testing;

import com.amazonaws.services.lambda.runtime.events.KinesisEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import dev.kinesisresilient.core.KinesisRecord;
import dev.kinesisresilient.core.StreamNames;
import dev.kinesisresilient.core.aggregation.KplAggregation;
import dev.kinesisresilient.lambda.internal.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Kinesis events as the Lambda runtime delivers them: built from records, read from the JSON Lambda
 * sends (for fixtures captured from real invocations), and written back to that JSON.
 *
 * <p>The JSON shape (AWS Lambda developer guide, "Using Lambda with Kinesis"):
 *
 * <pre>{@code
 * {"Records":[{"kinesis":{"kinesisSchemaVersion":"1.0","partitionKey":"1",
 *   "sequenceNumber":"49590338271490256608559692538361571095921575989136588898",
 *   "data":"SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg==","approximateArrivalTimestamp":1545084650.987},
 *   "eventSource":"aws:kinesis","eventVersion":"1.0",
 *   "eventID":"shardId-000000000006:49590338271490256608559692538361571095921575989136588898",
 *   "eventName":"aws:kinesis:record","invokeIdentityArn":"arn:aws:iam::123456789012:role/lambda-role",
 *   "awsRegion":"us-east-2","eventSourceARN":"arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream"}]}
 * }</pre>
 *
 * <p>Stateless and thread-safe.
 *
 * @since 0.1.0
 */
public final class KinesisEvents {

  /** The region events are built for unless told otherwise: {@value}. */
  public static final String DEFAULT_REGION = "us-east-1";
  /** The account id in default ARNs: {@value}. */
  public static final String DEFAULT_ACCOUNT_ID = "123456789012";
  /** The shard events are built for unless told otherwise: {@value}. */
  public static final String DEFAULT_SHARD_ID = "shardId-000000000000";
  /** The first generated sequence number. */
  public static final BigInteger FIRST_SEQUENCE_NUMBER =
      new BigInteger("49590338271490256608559692538361571095921575989136588898");

  private KinesisEvents() {}

  /**
   * A builder of one event (one shard's batch).
   *
   * @return a new builder with the defaults: stream {@code test-stream} in {@value #DEFAULT_REGION},
   *     shard {@value #DEFAULT_SHARD_ID}, arrival times from the system clock
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Reads an event from the JSON Lambda sends.
   *
   * @param json the event JSON
   * @return the event
   * @throws IllegalArgumentException when the text is not a Kinesis event
   */
  public static KinesisEvent fromJson(String json) {
    Map<String, @Nullable Object> root = Json.parseObject(json);
    Object recs = root.get("Records");
    if (!(recs instanceof List<?> list)) {
      throw new IllegalArgumentException("not a Kinesis event: no Records array");
    }
    List<KinesisEvent.KinesisEventRecord> out = new ArrayList<>();
    for (Object o : list) {
      if (!(o instanceof Map<?, ?> m)) {
        throw new IllegalArgumentException("not a Kinesis event: a record is not an object");
      }
      KinesisEvent.KinesisEventRecord er = new KinesisEvent.KinesisEventRecord();
      er.setEventSource(str(m.get("eventSource")));
      er.setEventVersion(str(m.get("eventVersion")));
      er.setEventID(str(m.get("eventID")));
      er.setEventName(str(m.get("eventName")));
      er.setInvokeIdentityArn(str(m.get("invokeIdentityArn")));
      er.setAwsRegion(str(m.get("awsRegion")));
      er.setEventSourceARN(str(m.get("eventSourceARN")));
      if (m.get("kinesis") instanceof Map<?, ?> k) {
        KinesisEvent.Record r = new KinesisEvent.Record();
        r.setKinesisSchemaVersion(str(k.get("kinesisSchemaVersion")));
        r.setPartitionKey(str(k.get("partitionKey")));
        r.setSequenceNumber(str(k.get("sequenceNumber")));
        r.setEncryptionType(str(k.get("encryptionType")));
        String data = str(k.get("data"));
        if (data != null) {
          r.setData(ByteBuffer.wrap(Base64.getDecoder().decode(data)));
        }
        Object ts = k.get("approximateArrivalTimestamp");
        if (ts instanceof BigDecimal seconds) {
          r.setApproximateArrivalTimestamp(new Date(
              seconds.movePointRight(3).setScale(0, RoundingMode.HALF_UP).longValueExact()));
        } else if (ts != null) {
          throw new IllegalArgumentException("approximateArrivalTimestamp must be epoch seconds, was " + ts);
        }
        er.setKinesis(r);
      }
      out.add(er);
    }
    KinesisEvent event = new KinesisEvent();
    event.setRecords(out);
    return event;
  }

  /**
   * Reads an event from a classpath resource, for fixtures in {@code src/test/resources}.
   *
   * @param resource the resource path, for example {@code /events/kinesis-batch.json}
   * @return the event
   * @throws IllegalArgumentException when the resource is missing or not a Kinesis event
   * @throws UncheckedIOException when it cannot be read
   */
  public static KinesisEvent fromResource(String resource) {
    Objects.requireNonNull(resource, "resource");
    String path = resource.startsWith("/") ? resource : "/" + resource;
    try (InputStream in = KinesisEvents.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalArgumentException("no such resource: " + path);
      }
      return fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + path, e);
    }
  }

  /**
   * Writes an event as the JSON Lambda sends (data in base64, timestamps as epoch seconds with a
   * millisecond fraction; absent fields omitted).
   *
   * @param event the event
   * @return the JSON
   */
  public static String toJson(KinesisEvent event) {
    StringBuilder sb = new StringBuilder(256);
    Json.write(sb, toMap(event));
    return sb.toString();
  }

  /**
   * The JSON size of an event, as counted against Lambda's 6 MB invocation payload.
   *
   * @param event the event
   * @return UTF-8 bytes of {@link #toJson}
   */
  public static long payloadBytes(KinesisEvent event) {
    return toJson(event).getBytes(StandardCharsets.UTF_8).length;
  }

  /**
   * Writes a response as the JSON the runtime would return to Lambda.
   *
   * @param response the response, or null
   * @return {@code null} for null, else {@code {"batchItemFailures":[...]}}
   */
  public static String toJson(@Nullable StreamsEventResponse response) {
    if (response == null) {
      return "null";
    }
    Map<String, @Nullable Object> m = new LinkedHashMap<>();
    if (response.getBatchItemFailures() == null) {
      m.put("batchItemFailures", null);
    } else {
      List<Object> l = new ArrayList<>();
      for (StreamsEventResponse.BatchItemFailure f : response.getBatchItemFailures()) {
        if (f == null) {
          l.add(null);
        } else {
          Map<String, @Nullable Object> e = new LinkedHashMap<>();
          e.put("itemIdentifier", f.getItemIdentifier());
          l.add(e);
        }
      }
      m.put("batchItemFailures", l);
    }
    return Json.write(m);
  }

  static Map<String, @Nullable Object> toMap(KinesisEvent event) {
    List<Object> recs = new ArrayList<>();
    if (event.getRecords() != null) {
      for (KinesisEvent.KinesisEventRecord er : event.getRecords()) {
        recs.add(recordMap(er));
      }
    }
    Map<String, @Nullable Object> root = new LinkedHashMap<>();
    root.put("Records", recs);
    return root;
  }

  static Map<String, @Nullable Object> recordMap(KinesisEvent.KinesisEventRecord er) {
    Map<String, @Nullable Object> m = new LinkedHashMap<>();
    KinesisEvent.Record k = er.getKinesis();
    if (k != null) {
      Map<String, @Nullable Object> km = new LinkedHashMap<>();
      putIfSet(km, "kinesisSchemaVersion", k.getKinesisSchemaVersion());
      putIfSet(km, "partitionKey", k.getPartitionKey());
      putIfSet(km, "sequenceNumber", k.getSequenceNumber());
      if (k.getData() != null) {
        ByteBuffer b = k.getData().duplicate();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        km.put("data", Base64.getEncoder().encodeToString(bytes));
      }
      if (k.getApproximateArrivalTimestamp() != null) {
        km.put("approximateArrivalTimestamp",
            BigDecimal.valueOf(k.getApproximateArrivalTimestamp().getTime(), 3));
      }
      putIfSet(km, "encryptionType", k.getEncryptionType());
      m.put("kinesis", km);
    }
    putIfSet(m, "eventSource", er.getEventSource());
    putIfSet(m, "eventVersion", er.getEventVersion());
    putIfSet(m, "eventID", er.getEventID());
    putIfSet(m, "eventName", er.getEventName());
    putIfSet(m, "invokeIdentityArn", er.getInvokeIdentityArn());
    putIfSet(m, "awsRegion", er.getAwsRegion());
    putIfSet(m, "eventSourceARN", er.getEventSourceARN());
    return m;
  }

  private static void putIfSet(Map<String, @Nullable Object> m, String key, @Nullable Object v) {
    if (v != null) {
      m.put(key, v);
    }
  }

  private static @Nullable String str(@Nullable Object o) {
    return o == null ? null : o.toString();
  }

  /**
   * The record Lambda would put in an event for one stored Kinesis record.
   *
   * @param streamArn the stream ARN
   * @param region the region
   * @param shardId the shard
   * @param sequenceNumber the sequence number
   * @param partitionKey the partition key
   * @param data the data
   * @param arrival the arrival time (truncated to milliseconds, as Lambda does)
   * @return the event record
   */
  public static KinesisEvent.KinesisEventRecord record(String streamArn, String region, String shardId,
      String sequenceNumber, String partitionKey, byte[] data, Instant arrival) {
    KinesisEvent.Record r = new KinesisEvent.Record();
    r.setKinesisSchemaVersion("1.0");
    r.setPartitionKey(partitionKey);
    r.setSequenceNumber(sequenceNumber);
    r.setData(ByteBuffer.wrap(data.clone()));
    r.setApproximateArrivalTimestamp(new Date(arrival.toEpochMilli()));
    KinesisEvent.KinesisEventRecord er = new KinesisEvent.KinesisEventRecord();
    er.setKinesis(r);
    er.setEventSource("aws:kinesis");
    er.setEventVersion("1.0");
    er.setEventID(shardId + ":" + sequenceNumber);
    er.setEventName("aws:kinesis:record");
    String account = accountOf(streamArn);
    er.setInvokeIdentityArn("arn:aws:iam::" + account + ":role/lambda-kinesis-role");
    er.setAwsRegion(region);
    er.setEventSourceARN(streamArn);
    return er;
  }

  private static String accountOf(String arn) {
    String[] parts = arn.split(":");
    return parts.length > 4 && !parts[4].isEmpty() ? parts[4] : DEFAULT_ACCOUNT_ID;
  }

  /**
   * Builds one {@link KinesisEvent}: records of one shard, with increasing sequence numbers unless
   * given. Not thread-safe.
   *
   * @since 0.1.0
   */
  public static final class Builder {
    private String region = DEFAULT_REGION;
    private String streamArn = "arn:aws:kinesis:" + DEFAULT_REGION + ":" + DEFAULT_ACCOUNT_ID + ":stream/test-stream";
    private String shardId = DEFAULT_SHARD_ID;
    private Clock clock = Clock.systemUTC();
    private BigInteger nextSequence = FIRST_SEQUENCE_NUMBER;
    private final List<KinesisEvent.KinesisEventRecord> records = new ArrayList<>();

    private Builder() {}

    /**
     * The stream, by ARN; the region is taken from it.
     *
     * @param streamArn {@code arn:<partition>:kinesis:<region>:<12-digit account>:stream/<name>}
     * @return this builder
     * @throws IllegalArgumentException when it is not a stream ARN ({@link StreamNames})
     */
    public Builder streamArn(String streamArn) {
      StreamNames.requireValidArn(streamArn, "streamArn");
      String[] parts = streamArn.split(":");
      this.streamArn = streamArn;
      this.region = parts[3];
      return this;
    }

    /**
     * The shard of the following records.
     *
     * @param shardId for example {@code shardId-000000000001}
     * @return this builder
     */
    public Builder shardId(String shardId) {
      this.shardId = Objects.requireNonNull(shardId, "shardId");
      return this;
    }

    /**
     * The clock that stamps arrival times of records added without one.
     *
     * @param clock default {@link Clock#systemUTC()}
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The sequence number given to the next record added without one; later ones count up from it.
     *
     * @param sequenceNumber a decimal string
     * @return this builder
     */
    public Builder nextSequenceNumber(String sequenceNumber) {
      this.nextSequence = new BigInteger(Objects.requireNonNull(sequenceNumber, "sequenceNumber"));
      return this;
    }

    /**
     * Adds a record with the next sequence number, arrived now.
     *
     * @param partitionKey the partition key
     * @param data the data
     * @return this builder
     */
    public Builder record(String partitionKey, byte[] data) {
      return record(partitionKey, data, clock.instant());
    }

    /**
     * Adds a record with UTF-8 text data (often JSON), the next sequence number, arrived now.
     *
     * @param partitionKey the partition key
     * @param text the data as text
     * @return this builder
     */
    public Builder record(String partitionKey, String text) {
      return record(partitionKey, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Adds a record with the next sequence number.
     *
     * @param partitionKey the partition key
     * @param data the data
     * @param arrival its arrival time
     * @return this builder
     */
    public Builder record(String partitionKey, byte[] data, Instant arrival) {
      String seq = nextSequence.toString();
      nextSequence = nextSequence.add(BigInteger.ONE);
      return record(partitionKey, data, seq, arrival);
    }

    /**
     * Adds a KPL aggregate of the given user records as one Kinesis record with the next sequence
     * number, arrived now. As the KPL does, the carrying record takes the first user record's
     * partition key. The user records may have different keys.
     *
     * @param userRecords the user records, in order; at least one
     * @return this builder
     * @throws IllegalArgumentException when {@code userRecords} is empty
     */
    public Builder aggregate(List<KinesisRecord> userRecords) {
      Objects.requireNonNull(userRecords, "userRecords");
      if (userRecords.isEmpty()) {
        throw new IllegalArgumentException("an aggregate needs at least one user record");
      }
      return record(userRecords.get(0).partitionKey(), KplAggregation.encode(userRecords));
    }

    /**
     * Adds a record with everything given.
     *
     * @param partitionKey the partition key
     * @param data the data
     * @param sequenceNumber its sequence number
     * @param arrival its arrival time
     * @return this builder
     */
    public Builder record(String partitionKey, byte[] data, String sequenceNumber, Instant arrival) {
      records.add(KinesisEvents.record(streamArn, region, shardId, Objects.requireNonNull(sequenceNumber),
          Objects.requireNonNull(partitionKey), Objects.requireNonNull(data), Objects.requireNonNull(arrival)));
      BigInteger s = new BigInteger(sequenceNumber);
      if (s.compareTo(nextSequence) >= 0) {
        nextSequence = s.add(BigInteger.ONE);
      }
      return this;
    }

    /**
     * Builds the event; the builder can go on adding records for another event.
     *
     * @return the event
     */
    public KinesisEvent build() {
      KinesisEvent e = new KinesisEvent();
      e.setRecords(new ArrayList<>(records));
      return e;
    }
  }
}
