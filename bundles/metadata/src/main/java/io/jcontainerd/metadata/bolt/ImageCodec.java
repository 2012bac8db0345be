package io.jcontainerd.metadata.bolt;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.jcontainerd.digest.Digest;
import io.jcontainerd.images.Descriptor;
import io.jcontainerd.images.Image;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The stored form of image records, protobuf wire format with field numbers of our own:
 *
 * <pre>
 * Image:  1 label (repeated {1 key, 2 value})   2 target media type   3 target digest (text)
 *         4 target size (int64)                 5 target annotation (repeated {1 key, 2 value})
 *         6 created {1 seconds, 2 nanos}        7 updated {1 seconds, 2 nanos}
 * </pre>
 *
 * The name is the record's key and is not repeated in the value. The digest is stored as text and
 * parsed leniently on read: the store validates it before writing.
 */
final class ImageCodec {
    private ImageCodec() {
    }

    static byte[] encode(Image image) {
        try {
            ByteArrayOutputStream buf = new ByteArrayOutputStream(256);
            CodedOutputStream out = CodedOutputStream.newInstance(buf);
            for (Map.Entry<String, String> e : image.labels().entrySet()) {
                writeEntry(out, 1, e.getKey(), e.getValue());
            }
            Descriptor target = image.target();
            if (target != null) {
                if (!target.mediaType().isEmpty()) {
                    out.writeString(2, target.mediaType());
                }
                if (target.digest() != null) {
                    out.writeString(3, target.digest().toString());
                }
                if (target.size() != 0) {
                    out.writeInt64(4, target.size());
                }
                for (Map.Entry<String, String> e : target.annotations().entrySet()) {
                    writeEntry(out, 5, e.getKey(), e.getValue());
                }
            }
            writeTime(out, 6, image.createdAt());
            writeTime(out, 7, image.updatedAt());
            out.flush();
            return buf.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Image decode(String name, byte[] data) {
        Map<String, String> labels = new LinkedHashMap<>();
        Map<String, String> annotations = new LinkedHashMap<>();
        String mediaType = "";
        Digest digest = null;
        long size = 0;
        Instant created = null;
        Instant updated = null;
        try {
            CodedInputStream in = CodedInputStream.newInstance(data);
            for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
                switch (WireFormat.getTagFieldNumber(tag)) {
                    case 1 -> readEntry(in, labels);
                    case 2 -> mediaType = in.readString();
                    case 3 -> digest = digest(in.readString());
                    case 4 -> size = in.readInt64();
                    case 5 -> readEntry(in, annotations);
                    case 6 -> created = readTime(in);
                    case 7 -> updated = readTime(in);
                    default -> in.skipField(tag);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt image record " + name, e);
        }
        return new Image(name, labels, new Descriptor(mediaType, digest, size, annotations), created, updated);
    }

    /** A stored digest: validated when written, so only split here. */
    private static Digest digest(String s) {
        int colon = s.indexOf(':');
        return colon < 0 ? new Digest("", s) : new Digest(s.substring(0, colon), s.substring(colon + 1));
    }

    private static void writeEntry(CodedOutputStream out, int field, String key, String value) throws IOException {
        int size = CodedOutputStream.computeStringSize(1, key) + CodedOutputStream.computeStringSize(2, value);
        out.writeTag(field, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(size);
        out.writeString(1, key);
        out.writeString(2, value);
    }

    private static void readEntry(CodedInputStream in, Map<String, String> sink) throws IOException {
        int limit = in.pushLimit(in.readRawVarint32());
        String key = "";
        String value = "";
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> key = in.readString();
                case 2 -> value = in.readString();
                default -> in.skipField(tag);
            }
        }
        in.popLimit(limit);
        sink.put(key, value);
    }

    private static void writeTime(CodedOutputStream out, int field, Instant t) throws IOException {
        if (t != null) {
            int size = CodedOutputStream.computeInt64Size(1, t.getEpochSecond())
                    + CodedOutputStream.computeInt32Size(2, t.getNano());
            out.writeTag(field, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            out.writeUInt32NoTag(size);
            out.writeInt64(1, t.getEpochSecond());
            out.writeInt32(2, t.getNano());
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
