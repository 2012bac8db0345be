package io.jcontainerd.metadata.bolt;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.jcontainerd.snapshots.Kind;
import io.jcontainerd.snapshots.SnapshotIndex;
import io.jcontainerd.snapshots.SnapshotInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The stored form of a namespaced snapshot record, protobuf wire format:
 * <pre>
 * 1 backend key   2 parent   3 kind (Kind ordinal)   4 label (repeated {1 key, 2 value})
 * 5 created {1 seconds, 2 nanos}   6 updated {1 seconds, 2 nanos}
 * </pre>
 */
final class SnapshotCodec {
    private SnapshotCodec() {
    }

    static byte[] encode(SnapshotIndex.Entry e) {
        try {
            ByteArrayOutputStream buf = new ByteArrayOutputStream(128);
            CodedOutputStream out = CodedOutputStream.newInstance(buf);
            SnapshotInfo i = e.info();
            out.writeString(1, e.backendKey());
            if (!i.parent().isEmpty()) {
                out.writeString(2, i.parent());
            }
            out.writeInt32(3, i.kind().ordinal());
            for (Map.Entry<String, String> l : new TreeMap<>(i.labels()).entrySet()) {
                out.writeTag(4, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                out.writeUInt32NoTag(CodedOutputStream.computeStringSize(1, l.getKey())
                        + CodedOutputStream.computeStringSize(2, l.getValue()));
                out.writeString(1, l.getKey());
                out.writeString(2, l.getValue());
            }
            writeTime(out, 5, i.createdAt());
            writeTime(out, 6, i.updatedAt());
            out.flush();
            return buf.toByteArray();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    static SnapshotIndex.Entry decode(String key, byte[] data) {
        String backendKey = "";
        String parent = "";
        Kind kind = Kind.UNKNOWN;
        Map<String, String> labels = new LinkedHashMap<>();
        Instant created = null;
        Instant updated = null;
        try {
            CodedInputStream in = CodedInputStream.newInstance(data);
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                switch (WireFormat.getTagFieldNumber(tag)) {
                    case 1 -> backendKey = in.readString();
                    case 2 -> parent = in.readString();
                    case 3 -> {
                        int k = in.readInt32();
                        kind = k >= 0 && k < Kind.values().length ? Kind.values()[k] : Kind.UNKNOWN;
                    }
                    case 4 -> {
                        int limit = in.pushLimit(in.readRawVarint32());
                        String lk = "";
                        String lv = "";
                        for (int t = in.readTag(); t != 0; t = in.readTag()) {
                            switch (WireFormat.getTagFieldNumber(t)) {
                                case 1 -> lk = in.readString();
                                case 2 -> lv = in.readString();
                                default -> in.skipField(t);
                            }
                        }
                        in.popLimit(limit);
                        labels.put(lk, lv);
                    }
                    case 5 -> created = readTime(in);
                    case 6 -> updated = readTime(in);
                    default -> in.skipField(tag);
                }
            }
        } catch (IOException ex) {
            throw new UncheckedIOException("corrupt snapshot record " + key, ex);
        }
        return new SnapshotIndex.Entry(new SnapshotInfo(key, parent, kind, labels, created, updated), backendKey);
    }

    private static void writeTime(CodedOutputStream out, int field, Instant t) throws IOException {
        if (t == null) {
            return;
        }
        out.writeTag(field, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(CodedOutputStream.computeInt64Size(1, t.getEpochSecond())
                + CodedOutputStream.computeInt32Size(2, t.getNano()));
        out.writeInt64(1, t.getEpochSecond());
        out.writeInt32(2, t.getNano());
    }

    private static Instant readTime(CodedInputStream in) throws IOException {
        int limit = in.pushLimit(in.readRawVarint32());
        long seconds = 0;
        int nanos = 0;
        for (int t = in.readTag(); t != 0; t = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(t)) {
                case 1 -> seconds = in.readInt64();
                case 2 -> nanos = in.readInt32();
                default -> in.skipField(t);
            }
        }
        in.popLimit(limit);
        return Instant.ofEpochSecond(seconds, nanos);
    }
}
