package io.jcontainerd.metadata.bolt;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.jcontainerd.containers.Container;
import io.jcontainerd.leases.Lease;
import io.jcontainerd.types.TypedValue;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The stored form of records: protobuf wire format with field numbers of our own (below), so that
 * records stay compact, fast to read, and can gain fields without a migration.
 *
 * <pre>
 * Container:  1 label (repeated {1 key, 2 value})   2 image         3 runtime name
 *             4 runtime options (Any)               5 spec (Any)    6 snapshotter
 *             7 snapshot key                        8 created (Ts)  9 updated (Ts)
 *            10 extension (repeated {1 key, 2 Any})
 * Lease:      1 label (repeated {1 key, 2 value})   2 created (Ts)
 * Any:        1 type url, 2 value       Ts: 1 seconds, 2 nanos
 * </pre>
 */
final class RecordCodec {
    private RecordCodec() {
    }

    static byte[] encode(Container c) {
        return write(out -> {
            for (Map.Entry<String, String> e : c.labels().entrySet()) {
                out.writeByteArray(1, entry(e.getKey(), e.getValue()));
            }
            writeString(out, 2, c.image());
            writeString(out, 3, c.runtime().name());
            writeAny(out, 4, c.runtime().options());
            writeAny(out, 5, c.spec());
            writeString(out, 6, c.snapshotter());
            writeString(out, 7, c.snapshotKey());
            writeTime(out, 8, c.createdAt());
            writeTime(out, 9, c.updatedAt());
            for (Map.Entry<String, TypedValue> e : c.extensions().entrySet()) {
                out.writeByteArray(10, write(x -> {
                    x.writeString(1, e.getKey());
                    writeAny(x, 2, e.getValue());
                }));
            }
        });
    }

    static Container decodeContainer(String id, byte[] data) {
        Map<String, String> labels = new LinkedHashMap<>();
        Map<String, TypedValue> extensions = new LinkedHashMap<>();
        String image = "";
        String runtimeName = "";
        TypedValue options = null;
        TypedValue spec = null;
        String snapshotter = "";
        String snapshotKey = "";
        Instant created = null;
        Instant updated = null;
        try {
            CodedInputStream in = CodedInputStream.newInstance(data);
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                switch (WireFormat.getTagFieldNumber(tag)) {
                    case 1 -> {
                        String[] kv = readEntry(in);
                        labels.put(kv[0], kv[1]);
                    }
                    case 2 -> image = in.readString();
                    case 3 -> runtimeName = in.readString();
                    case 4 -> options = readAny(in);
                    case 5 -> spec = readAny(in);
                    case 6 -> snapshotter = in.readString();
                    case 7 -> snapshotKey = in.readString();
                    case 8 -> created = readTime(in);
                    case 9 -> updated = readTime(in);
                    case 10 -> {
                        int limit = in.pushLimit(in.readRawVarint32());
                        String key = "";
                        TypedValue value = new TypedValue("", null);
                        for (int t = in.readTag(); t != 0; t = in.readTag()) {
                            switch (WireFormat.getTagFieldNumber(t)) {
                                case 1 -> key = in.readString();
                                case 2 -> value = readAny(in);
                                default -> in.skipField(t);
                            }
                        }
                        in.popLimit(limit);
                        extensions.put(key, value);
                    }
                    default -> in.skipField(tag);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt container record " + id, e);
        }
        return new Container(id, labels, image, new Container.Runtime(runtimeName, options), spec, snapshotter,
                snapshotKey, created, updated, extensions);
    }

    /** Lease: 1 label (repeated {1 key, 2 value}), 2 created (Ts). */
    static byte[] encodeLease(Lease l) {
        return write(out -> {
            for (Map.Entry<String, String> e : l.labels().entrySet()) {
                out.writeByteArray(1, entry(e.getKey(), e.getValue()));
            }
            writeTime(out, 2, l.createdAt());
        });
    }

    static Lease decodeLease(String id, byte[] data) {
        Map<String, String> labels = new LinkedHashMap<>();
        Instant created = null;
        try {
            CodedInputStream in = CodedInputStream.newInstance(data);
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                switch (WireFormat.getTagFieldNumber(tag)) {
                    case 1 -> {
                        String[] kv = readEntry(in);
                        labels.put(kv[0], kv[1]);
                    }
                    case 2 -> created = readTime(in);
                    default -> in.skipField(tag);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt lease record " + id, e);
        }
        return new Lease(id, created, labels);
    }

    private interface Writer {
        void write(CodedOutputStream out) throws IOException;
    }

    private static byte[] write(Writer w) {
        try {
            ByteArrayOutputStream buf = new ByteArrayOutputStream(256);
            CodedOutputStream out = CodedOutputStream.newInstance(buf);
            w.write(out);
            out.flush();
            return buf.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] entry(String key, String value) {
        return write(out -> {
            out.writeString(1, key);
            out.writeString(2, value);
        });
    }

    /** Reads a length-delimited {1 key, 2 value} entry in place. */
    private static String[] readEntry(CodedInputStream in) throws IOException {
        int limit = in.pushLimit(in.readRawVarint32());
        String[] kv = {"", ""};
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> kv[0] = in.readString();
                case 2 -> kv[1] = in.readString();
                default -> in.skipField(tag);
            }
        }
        in.popLimit(limit);
        return kv;
    }

    private static void writeString(CodedOutputStream out, int field, String s) throws IOException {
        if (s != null && !s.isEmpty()) {
            out.writeString(field, s);
        }
    }

    private static void writeAny(CodedOutputStream out, int field, TypedValue v) throws IOException {
        if (v != null) {
            out.writeByteArray(field, write(x -> {
                x.writeString(1, v.typeUrl());
                x.writeByteArray(2, v.value());
            }));
        }
    }

    private static TypedValue readAny(CodedInputStream in) throws IOException {
        int limit = in.pushLimit(in.readRawVarint32());
        String url = "";
        byte[] value = new byte[0];
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> url = in.readString();
                case 2 -> value = in.readByteArray();
                default -> in.skipField(tag);
            }
        }
        in.popLimit(limit);
        return new TypedValue(url, value);
    }

    private static void writeTime(CodedOutputStream out, int field, Instant t) throws IOException {
        if (t != null) {
            out.writeByteArray(field, write(x -> {
                x.writeInt64(1, t.getEpochSecond());
                x.writeInt32(2, t.getNano());
            }));
        }
    }

    private static Instant readTime(CodedInputStream in) throws IOException {
        int limit = in.pushLimit(in.readRawVarint32());
        long seconds = 0;
        int nanos = 0;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> seconds = in.readInt64();
                case 2 -> nanos = in.readInt32();
                default -> in.skipField(tag);
            }
        }
        in.popLimit(limit);
        return Instant.ofEpochSecond(seconds, nanos);
    }
}
