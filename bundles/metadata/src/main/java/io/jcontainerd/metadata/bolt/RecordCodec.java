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
        String[] text = {"", "", "", ""}; // image, runtime name, snapshotter, snapshot key
        TypedValue[] any = {null, null}; // runtime options, spec
        Instant[] times = {null, null}; // created, updated
        try {
            CodedInputStream in = CodedInputStream.newInstance(data);
            readFields(in, (field, tag) -> {
                switch (field) {
                    case 1 -> readEntry(in, labels::put);
                    case 2 -> text[0] = in.readString();
                    case 3 -> text[1] = in.readString();
                    case 4 -> any[0] = readAny(in);
                    case 5 -> any[1] = readAny(in);
                    case 6 -> text[2] = in.readString();
                    case 7 -> text[3] = in.readString();
                    case 8 -> times[0] = readTime(in);
                    case 9 -> times[1] = readTime(in);
                    case 10 -> {
                        String[] key = {""};
                        TypedValue[] value = {new TypedValue("", null)};
                        readNested(in, (f, t) -> {
                            switch (f) {
                                case 1 -> key[0] = in.readString();
                                case 2 -> value[0] = readAny(in);
                                default -> in.skipField(t);
                            }
                        });
                        extensions.put(key[0], value[0]);
                    }
                    default -> in.skipField(tag);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt container record " + id, e);
        }
        return new Container(id, labels, text[0], new Container.Runtime(text[1], any[0]), any[1], text[2],
                text[3], times[0], times[1], extensions);
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
        Instant[] created = {null};
        try {
            CodedInputStream in = CodedInputStream.newInstance(data);
            readFields(in, (field, tag) -> {
                switch (field) {
                    case 1 -> readEntry(in, labels::put);
                    case 2 -> created[0] = readTime(in);
                    default -> in.skipField(tag);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt lease record " + id, e);
        }
        return new Lease(id, created[0], labels);
    }

    /** Handles one field of a message being read: its number and raw tag (to skip it). */
    private interface FieldReader {
        void read(int field, int tag) throws IOException;
    }

    /** Reads fields until the end of the message (or of the current limit). */
    private static void readFields(CodedInputStream in, FieldReader reader) throws IOException {
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            reader.read(WireFormat.getTagFieldNumber(tag), tag);
        }
    }

    /** Reads a length-delimited nested message in place. */
    private static void readNested(CodedInputStream in, FieldReader reader) throws IOException {
        int limit = in.pushLimit(in.readRawVarint32());
        readFields(in, reader);
        in.popLimit(limit);
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

    /** Reads a {1 key, 2 value} entry and hands it to {@code sink}. */
    private static void readEntry(CodedInputStream in, java.util.function.BiConsumer<String, String> sink) throws IOException {
        String[] kv = {"", ""};
        readNested(in, (field, tag) -> {
            switch (field) {
                case 1 -> kv[0] = in.readString();
                case 2 -> kv[1] = in.readString();
                default -> in.skipField(tag);
            }
        });
        sink.accept(kv[0], kv[1]);
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
        String[] url = {""};
        byte[][] value = {new byte[0]};
        readNested(in, (field, tag) -> {
            switch (field) {
                case 1 -> url[0] = in.readString();
                case 2 -> value[0] = in.readByteArray();
                default -> in.skipField(tag);
            }
        });
        return new TypedValue(url[0], value[0]);
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
        long[] seconds = {0};
        int[] nanos = {0};
        readNested(in, (field, tag) -> {
            switch (field) {
                case 1 -> seconds[0] = in.readInt64();
                case 2 -> nanos[0] = in.readInt32();
                default -> in.skipField(tag);
            }
        });
        return Instant.ofEpochSecond(seconds[0], nanos[0]);
    }
}
