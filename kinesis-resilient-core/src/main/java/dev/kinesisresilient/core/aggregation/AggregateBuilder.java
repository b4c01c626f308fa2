package dev.kinesisresilient.core.aggregation;

import dev.kinesisresilient.core.KinesisRecord;
import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
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
 * <p>Encoding writes straight into one array of the exact size, from the tables and per-record key
 * indexes gathered while adding: no intermediate streams or per-record buffers, and each key's UTF-8
 * bytes are computed once.
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
  private final Map<String, Integer> keys = new HashMap<>();
  private final Map<String, Integer> hashKeys = new HashMap<>();
  /** UTF-8 bytes of the partition key table, in index order. */
  private final List<byte[]> keyTable = new ArrayList<>();
  /** UTF-8 bytes of the explicit hash key table, in index order. */
  private final List<byte[]> hashKeyTable = new ArrayList<>();
  private final List<KinesisRecord> records = new ArrayList<>();
  /** Per record: partition key index, explicit hash key index (-1: none), encoded Record message size. */
  private int[] keyIndex = new int[16];
  private int[] hashKeyIndex = new int[16];
  private int[] recordMessageBytes = new int[16];
  private long messageBytes;
  private @Nullable String firstPartitionKey;
  private @Nullable String firstExplicitHashKey;
  private long firstPartitionKeyBytes;

  // What growthOf found for the record it sized, used by apply for the same record.
  private int pendingKey;
  private byte @Nullable [] pendingKeyBytes;
  private int pendingHashKey;
  private byte @Nullable [] pendingHashKeyBytes;
  private long pendingRecordMessage;

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
    long outerKey = firstPartitionKey == null ? pendingOuterKeyBytes(record) : firstPartitionKeyBytes;
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

  /** The outer partition key's bytes if {@code r} (sized by growthOf) became the first record. */
  private long pendingOuterKeyBytes(KinesisRecord r) {
    byte[] b = pendingKeyBytes;
    return b != null ? b.length : r.partitionKey().getBytes(StandardCharsets.UTF_8).length;
  }

  /** The bytes {@code r} adds to the message; leaves what it found in the pending fields for apply. */
  private long growthOf(KinesisRecord r) {
    long grow = 0;
    Integer pk = keys.get(r.partitionKey());
    pendingKey = pk != null ? pk : keys.size();
    pendingKeyBytes = null;
    if (pk == null) {
      pendingKeyBytes = r.partitionKey().getBytes(StandardCharsets.UTF_8);
      grow += lengthDelimited(1, pendingKeyBytes.length);
    }
    long recordMessage = tagSize(1) + varintSize(pendingKey);
    String ehk = r.explicitHashKey();
    pendingHashKey = -1;
    pendingHashKeyBytes = null;
    if (ehk != null) {
      Integer e = hashKeys.get(ehk);
      pendingHashKey = e != null ? e : hashKeys.size();
      if (e == null) {
        pendingHashKeyBytes = ehk.getBytes(StandardCharsets.UTF_8);
        grow += lengthDelimited(2, pendingHashKeyBytes.length);
      }
      recordMessage += tagSize(2) + varintSize(pendingHashKey);
    }
    recordMessage += lengthDelimited(3, r.dataBytes());
    pendingRecordMessage = recordMessage;
    grow += lengthDelimited(3, recordMessage);
    return grow;
  }

  /** Adds {@code r}, which growthOf has just sized. */
  private void apply(KinesisRecord r, long grow) {
    byte[] kb = pendingKeyBytes;
    if (kb != null) {
      keys.put(r.partitionKey(), pendingKey);
      keyTable.add(kb);
    }
    byte[] hb = pendingHashKeyBytes;
    if (hb != null) {
      hashKeys.put(Objects.requireNonNull(r.explicitHashKey()), pendingHashKey);
      hashKeyTable.add(hb);
    }
    if (firstPartitionKey == null) {
      firstPartitionKey = r.partitionKey();
      firstExplicitHashKey = r.explicitHashKey();
      firstPartitionKeyBytes = keyTable.get(pendingKey).length;
    }
    int n = records.size();
    if (n == keyIndex.length) {
      keyIndex = Arrays.copyOf(keyIndex, n * 2);
      hashKeyIndex = Arrays.copyOf(hashKeyIndex, n * 2);
      recordMessageBytes = Arrays.copyOf(recordMessageBytes, n * 2);
    }
    keyIndex[n] = pendingKey;
    hashKeyIndex[n] = pendingHashKey;
    recordMessageBytes[n] = Math.toIntExact(pendingRecordMessage);
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
    return firstPartitionKey == null ? 0 : sizeBytes() + firstPartitionKeyBytes;
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
   * @throws IllegalStateException when empty, or when it would exceed the largest Java array
   */
  public byte[] build() {
    if (records.isEmpty()) {
      throw new IllegalStateException("no records added");
    }
    if (sizeBytes() > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException("aggregate of " + sizeBytes() + " bytes exceeds the largest array");
    }
    byte[] out = new byte[(int) sizeBytes()];
    int pos = KplAggregation.MAGIC_BYTES;
    System.arraycopy(KplAggregation.magic(), 0, out, 0, pos);
    for (byte[] k : keyTable) {
      pos = writeBytesField(out, pos, 1, k);
    }
    for (byte[] k : hashKeyTable) {
      pos = writeBytesField(out, pos, 2, k);
    }
    for (int i = 0; i < records.size(); i++) {
      pos = writeVarint(out, pos, (3 << 3) | 2);
      pos = writeVarint(out, pos, recordMessageBytes[i]);
      pos = writeVarint(out, pos, 1 << 3);
      pos = writeVarint(out, pos, keyIndex[i]);
      if (hashKeyIndex[i] >= 0) {
        pos = writeVarint(out, pos, 2 << 3);
        pos = writeVarint(out, pos, hashKeyIndex[i]);
      }
      pos = writeBytesField(out, pos, 3, records.get(i).data().asByteArrayUnsafe());
    }
    MessageDigest md5 = KplAggregation.md5();
    md5.update(out, KplAggregation.MAGIC_BYTES, pos - KplAggregation.MAGIC_BYTES);
    try {
      pos += md5.digest(out, pos, KplAggregation.DIGEST_BYTES);
    } catch (DigestException e) {
      throw new IllegalStateException("MD5 digest did not fit its 16 bytes", e);
    }
    if (pos != out.length) {
      throw new IllegalStateException("encoded " + pos + " bytes, sized " + out.length);
    }
    return out;
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

  private static int writeBytesField(byte[] out, int pos, int field, byte[] bytes) {
    pos = writeVarint(out, pos, (field << 3) | 2);
    pos = writeVarint(out, pos, bytes.length);
    System.arraycopy(bytes, 0, out, pos, bytes.length);
    return pos + bytes.length;
  }

  /** Writes {@code v} (non-negative) as a protobuf varint at {@code pos}; returns the position after it. */
  private static int writeVarint(byte[] out, int pos, int v) {
    while ((v & ~0x7F) != 0) {
      out[pos++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    out[pos++] = (byte) v;
    return pos;
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
}
