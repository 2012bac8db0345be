package io.jcontainerd.metadata.bolt;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.jcontainerd.content.ContentInfo;
import io.jcontainerd.content.IngestRecord;
import io.jcontainerd.digest.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The stored form of content records, protobuf wire format with field numbers of our own:
 * <pre>
 * Blob:    1 size   2 created (Ts)   3 updated (Ts)   4 label (repeated {1 key, 2 value})
 * Ingest:  1 backend ref   2 expected digest   3 expires (Ts)
 * Ts:      1 seconds, 2 nanos
 * </pre>
 */
final class ContentCodec {
    private ContentCodec() {
    }

    static byte[] encodeBlob(ContentInfo info) {
        return write(out -> {
            out.writeInt64(1, info.size());
            writeTime(out, 2, info.createdAt());
            writeTime(out, 3, info.updatedAt());
            for (Map.Entry<String, String> e : info.labels().entrySet()) {
                out.writeByteArray(4, write(x -> {
                    x.writeString(1, e.getKey());
                    x.writeString(2, e.getValue());
                }));
            }
        });
    }

    static ContentInfo decodeBlob(Digest digest, byte[] data) {
        long[] size = {0};
        Instant[] times = {null, null};
        Map<String, String> labels = new LinkedHashMap<>();
        try {
            CodedInputStream in = CodedInputStream.newInstance(data);
            readFields(in, (field, tag) -> {
                switch (field) {
                    case 1 -> size[0] = in.readInt64();
                    case 2 -> times[0] = readTime(in);
                    case 3 -> times[1] = readTime(in);
                    case 4 -> {
                        String[] kv = {"", ""};
                        readNested(in, (f, t) -> {
                            switch (f) {
                                case 1 -> kv[0] = in.readString();
                                case 2 -> kv[1] = in.readString();
                                default -> in.skipField(t);
                            }
                        });
                        labels.put(kv[0], kv[1]);
                    }
                    default -> in.skipField(tag);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt blob record " + digest, e);
        }
        return new ContentInfo(digest, size[0], times[0], times[1], labels);
    }

    static byte[] encodeIngest(IngestRecord r) {
        return write(out -> {
            out.writeString(1, r.backendRef());
            if (r.expected() != null) {
                out.writeString(2, r.expected().toString());
            }
            writeTime(out, 3, r.expiresAt());
        });
    }

    static IngestRecord decodeIngest(String ref, byte[] data) {
        String[] text = {"", ""};
        Instant[] expires = {null};
        try {
            CodedInputStream in = CodedInputStream.newInstance(data);
            readFields(in, (field, tag) -> {
                switch (field) {
                    case 1 -> text[0] = in.readString();
                    case 2 -> text[1] = in.readString();
                    case 3 -> expires[0] = readTime(in);
                    default -> in.skipField(tag);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt ingest record " + ref, e);
        }
        return new IngestRecord(text[0], text[1].isEmpty() ? null : Digest.parse(text[1]), expires[0]);
    }

    private interface FieldReader {
        void read(int field, int tag) throws IOException;
    }

    private static void readFields(CodedInputStream in, FieldReader reader) throws IOException {
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            reader.read(WireFormat.getTagFieldNumber(tag), tag);
        }
    }

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
            ByteArrayOutputStream buf = new ByteArrayOutputStream(128);
            CodedOutputStream out = CodedOutputStream.newInstance(buf);
            w.write(out);
            out.flush();
            return buf.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
