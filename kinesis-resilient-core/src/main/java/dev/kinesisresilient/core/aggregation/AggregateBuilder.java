package dev.kinesisresilient.core.aggregation;

import dev.kinesisresilient.core.KinesisRecord;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Packs user records one by one into a KPL aggregate, knowing its exact encoded size after every
 * record, so a producer can stop before an aggregate outgrows a limit.
 *
 * <p>Partition keys and explicit hash keys are stored once each in the aggregate's tables. {@link
 * #sizeBytes()} is the aggregate's data size; the Kinesis record that carries it also counts its own
 * partition key (by KPL convention, the first user record's), see {@link #recordSizeBytes()}.
 *
 * <p>Not thread-safe; one builder per aggregate being filled.
 *
 * <pre>{@code
 * AggregateBuilder b = new AggregateBuilder(BatchLimits.MIB);
 * for (KinesisRecord r : small) {
 *   if (!b.tryAdd(r)) { send(b.toKinesisRecord()); b = new AggregateBuilder(BatchLimits.MIB); b.tryAdd(r); }
 * }
 * }</pre>
 *
 * @since 0.1.0
 */
public final class AggregateBuilder {

  private final long maxRecordBytes;
  private final Map<String, Integer> keys = new LinkedHashMap<>();
  private final Map<String, Integer> hashKeys = new LinkedHashMap<>();
  private final List<KinesisRecord> records = new ArrayList<>();
  private long messageBytes;
  private @Nullable String firstPartitionKey;
  private @Nullable String firstExplicitHashKey;

  /**
   * Creates an empty builder.
   *
   * @param maxRecordBytes the largest {@link #recordSizeBytes()} this aggregate may reach (data plus
   *     the outer partition key); e.g. the stream's per-record limit
   * @throws IllegalArgumentException when not positive
   */
  public AggregateBuilder(long maxRecordBytes) {
    if (maxRecordBytes <= 0) {
      throw new IllegalArgumentException("maxRecordBytes must be positive, was " + maxRecordBytes);
    }
    this.maxRecordBytes = maxRecordBytes;
  }

  /**
   * Adds a record if the aggregate stays within {@code maxRecordBytes}.
   *
   * @param record the user record
   * @return false, changing nothing, when it does not fit
   */
  public boolean tryAdd(KinesisRecord record) {
    Objects.requireNonNull(record, "record");
    long grow = growthOf(record);
    long outerKey = firstPartitionKey == null ? utf8(record.partitionKey()) : utf8(firstPartitionKey);
    long newSize = KplAggregation.MAGIC_BYTES + messageBytes + grow + KplAggregation.DIGEST_BYTES + outerKey;
    if (newSize > maxRecordBytes) {
      return false;
    }
    apply(record, grow);
    return true;
  }

  /**
   * Adds a record whatever the size; used to encode a given list.
   *
   * @param record the user record
   */
  void add(KinesisRecord record) {
    apply(record, growthOf(record));
  }

  private long growthOf(KinesisRecord r) {
    long grow = 0;
    Integer pk = keys.get(r.partitionKey());
    long pkIndex = pk != null ? pk : keys.size();
    if (pk == null) {
      grow += lengthDelimited(1, utf8(r.partitionKey()));
    }
    long recordMessage = tagSize(1) + varintSize(pkIndex);
    String ehk = r.explicitHashKey();
    if (ehk != null) {
      Integer e = hashKeys.get(ehk);
      long ehkIndex = e != null ? e : hashKeys.size();
      if (e == null) {
        grow += lengthDelimited(2, utf8(ehk));
      }
      recordMessage += tagSize(2) + varintSize(ehkIndex);
    }
    recordMessage += lengthDelimited(3, r.dataBytes());
    grow += lengthDelimited(3, recordMessage);
    return grow;
  }

  private void apply(KinesisRecord r, long grow) {
    keys.putIfAbsent(r.partitionKey(), keys.size());
    if (r.explicitHashKey() != null) {
      hashKeys.putIfAbsent(r.explicitHashKey(), hashKeys.size());
    }
    if (firstPartitionKey == null) {
      firstPartitionKey = r.partitionKey();
      firstExplicitHashKey = r.explicitHashKey();
    }
    records.add(r);
    messageBytes += grow;
  }

  /**
   * User records added so far.
   *
   * @return the count
   */
  public int count() {
    return records.size();
  }

  /**
   * The aggregate's encoded size: magic, message and MD5.
   *
   * @return bytes
   */
  public long sizeBytes() {
    return KplAggregation.MAGIC_BYTES + messageBytes + KplAggregation.DIGEST_BYTES;
  }

  /**
   * The size the carrying Kinesis record counts against the limits: {@link #sizeBytes()} plus the
   * outer partition key.
   *
   * @return bytes; 0 when empty
   */
  public long recordSizeBytes() {
    return firstPartitionKey == null ? 0 : sizeBytes() + utf8(firstPartitionKey);
  }

  /**
   * The user records, in order.
   *
   * @return an unmodifiable view
   */
  public List<KinesisRecord> records() {
    return java.util.Collections.unmodifiableList(records);
  }

  /**
   * Encodes the aggregate.
   *
   * @return magic, message, MD5
   * @throws IllegalStateException when empty
   */
  public byte[] build() {
    if (records.isEmpty()) {
      throw new IllegalStateException("no records added");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 8, sizeBytes()));
    out.writeBytes(KplAggregation.magic());
    ByteArrayOutputStream msg = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 8, messageBytes));
    for (String k : keys.keySet()) {
      writeBytesField(msg, 1, k.getBytes(StandardCharsets.UTF_8));
    }
    for (String k : hashKeys.keySet()) {
      writeBytesField(msg, 2, k.getBytes(StandardCharsets.UTF_8));
    }
    ByteArrayOutputStream rec = new ByteArrayOutputStream();
    for (KinesisRecord r : records) {
      rec.reset();
      writeVarint(rec, (1 << 3));
      writeVarint(rec, keys.get(r.partitionKey()));
      if (r.explicitHashKey() != null) {
        writeVarint(rec, (2 << 3));
        writeVarint(rec, hashKeys.get(r.explicitHashKey()));
      }
      writeBytesField(rec, 3, r.data().asByteArrayUnsafe());
      writeBytesField(msg, 3, rec.toByteArray());
    }
    byte[] message = msg.toByteArray();
    out.writeBytes(message);
    MessageDigest md5 = KplAggregation.md5();
    out.writeBytes(md5.digest(message));
    return out.toByteArray();
  }

  /**
   * The Kinesis record carrying the aggregate: the first user record's partition key and explicit
   * hash key (so it lands where the first user record would), the aggregate as data.
   *
   * @return the record
   * @throws IllegalStateException when empty
   */
  public KinesisRecord toKinesisRecord() {
    byte[] data = build();
    return new KinesisRecord(firstPartitionKey, software.amazon.awssdk.core.SdkBytes.fromByteArrayUnsafe(data),
        firstExplicitHashKey);
  }

  private static void writeBytesField(ByteArrayOutputStream out, int field, byte[] bytes) {
    writeVarint(out, ((long) field << 3) | 2);
    writeVarint(out, bytes.length);
    out.writeBytes(bytes);
  }

  private static void writeVarint(ByteArrayOutputStream out, long v) {
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }

  private static long lengthDelimited(int field, long length) {
    return tagSize(field) + varintSize(length) + length;
  }

  private static long tagSize(int field) {
    return varintSize((long) field << 3);
  }

  static int varintSize(long v) {
    int n = 1;
    while ((v & ~0x7FL) != 0) {
      n++;
      v >>>= 7;
    }
    return n;
  }

  private static long utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }
}
