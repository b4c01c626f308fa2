package dev.kinesisresilient.core.aggregation;

import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Label;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An independent reference for the KPL format: protobuf-java's own parser and serializer over the
 * AggregatedRecord schema (proto2, as the KPL defines it), described in code so no protoc is needed.
 */
final class ProtobufReference {

  static final Descriptor AGGREGATED;
  static final Descriptor RECORD;
  static final Descriptor TAG;

  static {
    FileDescriptorProto file = FileDescriptorProto.newBuilder()
        .setName("kpl_messages.proto")
        .setSyntax("proto2")
        .addMessageType(DescriptorProto.newBuilder().setName("AggregatedRecord")
            .addField(field("partition_key_table", 1, Label.LABEL_REPEATED, Type.TYPE_STRING, null))
            .addField(field("explicit_hash_key_table", 2, Label.LABEL_REPEATED, Type.TYPE_STRING, null))
            .addField(field("records", 3, Label.LABEL_REPEATED, Type.TYPE_MESSAGE, "Record")))
        .addMessageType(DescriptorProto.newBuilder().setName("Tag")
            .addField(field("key", 1, Label.LABEL_REQUIRED, Type.TYPE_STRING, null))
            .addField(field("value", 2, Label.LABEL_OPTIONAL, Type.TYPE_STRING, null)))
        .addMessageType(DescriptorProto.newBuilder().setName("Record")
            .addField(field("partition_key_index", 1, Label.LABEL_REQUIRED, Type.TYPE_UINT64, null))
            .addField(field("explicit_hash_key_index", 2, Label.LABEL_OPTIONAL, Type.TYPE_UINT64, null))
            .addField(field("data", 3, Label.LABEL_REQUIRED, Type.TYPE_BYTES, null))
            .addField(field("tags", 4, Label.LABEL_REPEATED, Type.TYPE_MESSAGE, "Tag")))
        .build();
    try {
      FileDescriptor fd = FileDescriptor.buildFrom(file, new FileDescriptor[0]);
      AGGREGATED = fd.findMessageTypeByName("AggregatedRecord");
      RECORD = fd.findMessageTypeByName("Record");
      TAG = fd.findMessageTypeByName("Tag");
    } catch (Exception e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private static FieldDescriptorProto field(String name, int number, Label label, Type type, String typeName) {
    FieldDescriptorProto.Builder b = FieldDescriptorProto.newBuilder().setName(name).setNumber(number)
        .setLabel(label).setType(type);
    if (typeName != null) {
      b.setTypeName(typeName);
    }
    return b.build();
  }

  private ProtobufReference() {}

  /** One user record as the reference sees it. */
  record Sub(String partitionKey, String explicitHashKey, byte[] data) {}

  /** Decodes an aggregate with protobuf-java; checks magic and MD5 first. */
  static List<Sub> decode(byte[] aggregate) throws Exception {
    byte[] magic = {(byte) 0xF3, (byte) 0x89, (byte) 0x9A, (byte) 0xC2};
    if (!Arrays.equals(Arrays.copyOf(aggregate, 4), magic)) {
      throw new IllegalArgumentException("no magic");
    }
    byte[] message = Arrays.copyOfRange(aggregate, 4, aggregate.length - 16);
    byte[] digest = Arrays.copyOfRange(aggregate, aggregate.length - 16, aggregate.length);
    if (!Arrays.equals(MessageDigest.getInstance("MD5").digest(message), digest)) {
      throw new IllegalArgumentException("bad md5");
    }
    DynamicMessage m = DynamicMessage.parseFrom(AGGREGATED, message);
    FieldDescriptor pkt = AGGREGATED.findFieldByName("partition_key_table");
    FieldDescriptor ehkt = AGGREGATED.findFieldByName("explicit_hash_key_table");
    FieldDescriptor recs = AGGREGATED.findFieldByName("records");
    List<Sub> out = new ArrayList<>();
    for (int i = 0; i < m.getRepeatedFieldCount(recs); i++) {
      DynamicMessage r = (DynamicMessage) m.getRepeatedField(recs, i);
      long pki = (Long) r.getField(RECORD.findFieldByName("partition_key_index"));
      FieldDescriptor ehkiF = RECORD.findFieldByName("explicit_hash_key_index");
      String ehk = r.hasField(ehkiF) ? (String) m.getRepeatedField(ehkt, (int) (long) (Long) r.getField(ehkiF)) : null;
      byte[] data = ((ByteString) r.getField(RECORD.findFieldByName("data"))).toByteArray();
      out.add(new Sub((String) m.getRepeatedField(pkt, (int) pki), ehk, data));
    }
    return out;
  }

  /**
   * Encodes with protobuf-java. Keys go into the tables in the given order (duplicates kept when
   * {@code dedupe} is false, as some encoders do), with optional tags on each record.
   */
  static byte[] encode(List<Sub> subs, boolean dedupe, boolean withTags) throws Exception {
    DynamicMessage.Builder agg = DynamicMessage.newBuilder(AGGREGATED);
    FieldDescriptor pkt = AGGREGATED.findFieldByName("partition_key_table");
    FieldDescriptor ehkt = AGGREGATED.findFieldByName("explicit_hash_key_table");
    FieldDescriptor recs = AGGREGATED.findFieldByName("records");
    List<String> pks = new ArrayList<>();
    List<String> ehks = new ArrayList<>();
    for (Sub s : subs) {
      int pki = dedupe ? pks.indexOf(s.partitionKey()) : -1;
      if (pki < 0) {
        pks.add(s.partitionKey());
        agg.addRepeatedField(pkt, s.partitionKey());
        pki = pks.size() - 1;
      }
      DynamicMessage.Builder r = DynamicMessage.newBuilder(RECORD)
          .setField(RECORD.findFieldByName("partition_key_index"), (long) pki)
          .setField(RECORD.findFieldByName("data"), ByteString.copyFrom(s.data()));
      if (s.explicitHashKey() != null) {
        int ehki = dedupe ? ehks.indexOf(s.explicitHashKey()) : -1;
        if (ehki < 0) {
          ehks.add(s.explicitHashKey());
          agg.addRepeatedField(ehkt, s.explicitHashKey());
          ehki = ehks.size() - 1;
        }
        r.setField(RECORD.findFieldByName("explicit_hash_key_index"), (long) ehki);
      }
      if (withTags) {
        r.addRepeatedField(RECORD.findFieldByName("tags"), DynamicMessage.newBuilder(TAG)
            .setField(TAG.findFieldByName("key"), "source").setField(TAG.findFieldByName("value"), "test").build());
      }
      agg.addRepeatedField(recs, r.build());
    }
    byte[] message = agg.build().toByteArray();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(new byte[] {(byte) 0xF3, (byte) 0x89, (byte) 0x9A, (byte) 0xC2});
    out.write(message);
    out.write(MessageDigest.getInstance("MD5").digest(message));
    return out.toByteArray();
  }
}
