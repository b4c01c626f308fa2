package dev.kinesisresilient.core.aggregation;

import dev.kinesisresilient.core.KinesisRecord;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.core.SdkBytes;

/**
 * Encodes and decodes the KPL aggregated record format, byte-compatible with the Kinesis Producer
 * Library and the consumers that read it.
 *
 * <p>Layout: the four magic bytes {@code F3 89 9A C2}, then a protobuf {@code AggregatedRecord}
 * message, then the 16-byte MD5 digest of that message. The message has a table of partition keys
 * (field 1), a table of explicit hash keys (field 2) and the records (field 3), each record naming its
 * keys by index into the tables (fields 1 and 2) and carrying its data (field 3); records may also carry
 * tags (field 4), which are read past and never written. This class has its own small wire codec for
 * this fixed schema, so the library needs no protobuf runtime (a frequent version conflict in Lambda
 * deployments); tests check it against protobuf-java.
 *
 * <p>Decoding never fails: data that is not a well-formed aggregate (wrong magic, too short, MD5
 * mismatch, malformed message, key index out of range) is returned unchanged as one record, as KPL
 * consumers do.
 *
 * <p>Stateless and thread-safe.
 *
 * @since 0.1.0
 */
public final class KplAggregation {

  private static final byte[] MAGIC = {(byte) 0xF3, (byte) 0x89, (byte) 0x9A, (byte) 0xC2};

  /** Bytes of the magic prefix. */
  public static final int MAGIC_BYTES = 4;

  /** Bytes of the MD5 trailer. */
  public static final int DIGEST_BYTES = 16;

  private KplAggregation() {}

  /**
   * The magic prefix.
   *
   * @return a copy of the four magic bytes
   */
  public static byte[] magic() {
    return MAGIC.clone();
  }

  /**
   * Packs records into one aggregate, de-duplicating keys in the tables.
   *
   * @param records the user records, in order; at least one
   * @return the aggregate's bytes (magic, message, MD5)
   * @throws IllegalArgumentException when {@code records} is empty
   */
  public static byte[] encode(List<KinesisRecord> records) {
    Objects.requireNonNull(records, "records");
    if (records.isEmpty()) {
      throw new IllegalArgumentException("records must not be empty");
    }
    AggregateBuilder b = new AggregateBuilder(Long.MAX_VALUE);
    for (KinesisRecord r : records) {
      b.add(Objects.requireNonNull(r, "record"));
    }
    return b.build();
  }

  /**
   * Whether data is a well-formed aggregate header and trailer: magic prefix and matching MD5.
   *
   * @param data a Kinesis record's data
   * @return true when it starts with the magic bytes and its trailer is the MD5 of the message
   */
  public static boolean isAggregate(byte[] data) {
    Objects.requireNonNull(data, "data");
    if (data.length < MAGIC_BYTES + DIGEST_BYTES) {
      return false;
    }
    for (int i = 0; i < MAGIC_BYTES; i++) {
      if (data[i] != MAGIC[i]) {
        return false;
      }
    }
    MessageDigest md5 = md5();
    md5.update(data, MAGIC_BYTES, data.length - MAGIC_BYTES - DIGEST_BYTES);
    byte[] digest = md5.digest();
    return Arrays.equals(digest, 0, DIGEST_BYTES, data, data.length - DIGEST_BYTES, data.length);
  }

  /**
   * The user records in a Kinesis record.
   *
   * @param data the Kinesis record's data
   * @param partitionKey the Kinesis record's partition key, used when it is not an aggregate
   * @param explicitHashKey the Kinesis record's explicit hash key, or null
   * @return the sub-records in order with sub-sequence numbers 0, 1, ...; or the record itself,
   *     unchanged, when the data is not a well-formed aggregate
   */
  public static List<UserRecord> decode(SdkBytes data, String partitionKey, @Nullable String explicitHashKey) {
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(partitionKey, "partitionKey");
    List<UserRecord> out = decodeAggregate(data.asByteArrayUnsafe(), (pk, ehk, bytes, sub) ->
        new UserRecord(pk, ehk, SdkBytes.fromByteArrayUnsafe(bytes), sub, true));
    return out != null ? out : List.of(new UserRecord(partitionKey, explicitHashKey, data, 0, false));
  }

  /**
   * The sub-records of an aggregate, built by the caller's factory, without touching any AWS SDK class:
   * for consumers whose class path has no AWS SDK (the Lambda module's processors).
   *
   * @param <T> the caller's sub-record type
   * @param data a Kinesis record's data, not modified
   * @param factory builds one sub-record from its keys, its data (a new array the caller may keep) and
   *     its sub-sequence number (0, 1, ...)
   * @return the sub-records in order (empty for a well-formed aggregate without records), or null when
   *     the data is not a well-formed aggregate
   * @since 0.1.0
   */
  public static <T> @Nullable List<T> decodeAggregate(byte[] data, SubRecordFactory<T> factory) {
    Objects.requireNonNull(factory, "factory");
    return isAggregate(data) ? tryDecodeMessage(data, MAGIC_BYTES, data.length - DIGEST_BYTES, factory) : null;
  }

  /**
   * Builds one sub-record of an aggregate for {@link #decodeAggregate(byte[], SubRecordFactory)}.
   *
   * @param <T> the sub-record type
   * @since 0.1.0
   */
  @FunctionalInterface
  public interface SubRecordFactory<T> {
    /**
     * One sub-record.
     *
     * @param partitionKey its partition key
     * @param explicitHashKey its explicit hash key, or null
     * @param data its data, a new array
     * @param subSequenceNumber its index in the aggregate, from 0
     * @return the sub-record
     */
    T create(String partitionKey, @Nullable String explicitHashKey, byte[] data, long subSequenceNumber);
  }

  /**
   * Parses the protobuf message; null when malformed.
   */
  private static <T> @Nullable List<T> tryDecodeMessage(byte[] b, int from, int to, SubRecordFactory<T> factory) {
    try {
      List<String> keys = new ArrayList<>();
      List<String> hashKeys = new ArrayList<>();
      List<long[]> recordBounds = new ArrayList<>();
      WireReader r = new WireReader(b, from, to);
      while (r.hasMore()) {
        long tag = r.varint();
        int field = (int) (tag >>> 3);
        int wire = (int) (tag & 7);
        if (field == 1 && wire == 2) {
          keys.add(r.string());
        } else if (field == 2 && wire == 2) {
          hashKeys.add(r.string());
        } else if (field == 3 && wire == 2) {
          int len = r.length();
          recordBounds.add(new long[] {r.pos, r.pos + len});
          r.skipBytes(len);
        } else {
          r.skip(wire);
        }
      }
      List<T> out = new ArrayList<>(recordBounds.size());
      long sub = 0;
      for (long[] bounds : recordBounds) {
        WireReader rr = new WireReader(b, (int) bounds[0], (int) bounds[1]);
        long pkIndex = -1;
        long ehkIndex = -1;
        int dataFrom = -1;
        int dataLen = 0;
        while (rr.hasMore()) {
          long tag = rr.varint();
          int field = (int) (tag >>> 3);
          int wire = (int) (tag & 7);
          if (field == 1 && wire == 0) {
            pkIndex = rr.varint();
          } else if (field == 2 && wire == 0) {
            ehkIndex = rr.varint();
          } else if (field == 3 && wire == 2) {
            dataLen = rr.length();
            dataFrom = rr.pos;
            rr.skipBytes(dataLen);
          } else {
            rr.skip(wire);
          }
        }
        if (pkIndex < 0 || pkIndex >= keys.size() || dataFrom < 0 || ehkIndex >= hashKeys.size()) {
          return null;
        }
        String ehk = ehkIndex < 0 ? null : hashKeys.get((int) ehkIndex);
        out.add(factory.create(keys.get((int) pkIndex), ehk, Arrays.copyOfRange(b, dataFrom, dataFrom + dataLen),
            sub++));
      }
      return out;
    } catch (MalformedException e) {
      return null;
    }
  }

  /**
   * One MD5 instance per thread: {@code MessageDigest.getInstance} looks the algorithm up through the
   * security providers on every call. Callers use it between two calls of this method only.
   */
  private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(KplAggregation::newMd5);

  /** This thread's MD5 instance, reset. */
  static MessageDigest md5() {
    MessageDigest md5 = MD5.get();
    md5.reset();
    return md5;
  }

  private static MessageDigest newMd5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is required of every Java platform", e);
    }
  }

  /** Thrown inside the reader only. */
  private static final class MalformedException extends Exception {
    private static final long serialVersionUID = 1L;

    MalformedException() {
      super(null, null, false, false);
    }
  }

  /** A minimal protobuf reader over a byte range. */
  private static final class WireReader {
    private final byte[] b;
    private final int end;
    int pos;

    WireReader(byte[] b, int from, int to) {
      this.b = b;
      this.pos = from;
      this.end = to;
    }

    boolean hasMore() {
      return pos < end;
    }

    long varint() throws MalformedException {
      long result = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (pos >= end) {
          throw new MalformedException();
        }
        byte x = b[pos++];
        result |= (long) (x & 0x7F) << shift;
        if ((x & 0x80) == 0) {
          return result;
        }
      }
      throw new MalformedException();
    }

    int length() throws MalformedException {
      long len = varint();
      if (len < 0 || len > end - pos) {
        throw new MalformedException();
      }
      return (int) len;
    }

    String string() throws MalformedException {
      int len = length();
      String s = new String(b, pos, len, StandardCharsets.UTF_8);
      pos += len;
      return s;
    }

    void skipBytes(int len) {
      pos += len;
    }

    void skip(int wireType) throws MalformedException {
      switch (wireType) {
        case 0 -> varint();
        case 1 -> advance(8);
        case 2 -> skipBytes(length());
        case 5 -> advance(4);
        default -> throw new MalformedException();
      }
    }

    private void advance(int n) throws MalformedException {
      if (n > end - pos) {
        throw new MalformedException();
      }
      pos += n;
    }
  }
}
