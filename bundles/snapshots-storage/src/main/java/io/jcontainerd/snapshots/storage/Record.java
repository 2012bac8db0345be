package io.jcontainerd.snapshots.storage;

import io.jcontainerd.snapshots.Kind;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * One snapshot's stored fields (containerd's snapshot bucket: id, kind, parent, timestamps, labels,
 * and for committed snapshots the usage measured at commit). Stored as a versioned binary record.
 */
record Record(long id, Kind kind, String parent, Instant created, Instant updated, Map<String, String> labels,
        long size, long inodes) {
    private static final int VERSION = 1;

    Record {
        parent = parent == null ? "" : parent;
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    byte[] encode() {
        try {
            ByteArrayOutputStream buf = new ByteArrayOutputStream(128);
            DataOutputStream out = new DataOutputStream(buf);
            out.writeByte(VERSION);
            out.writeLong(id);
            out.writeByte(kind.ordinal());
            writeString(out, parent);
            writeTime(out, created);
            writeTime(out, updated);
            Map<String, String> sorted = new TreeMap<>(labels);
            out.writeInt(sorted.size());
            for (Map.Entry<String, String> e : sorted.entrySet()) {
                writeString(out, e.getKey());
                writeString(out, e.getValue());
            }
            out.writeLong(size);
            out.writeLong(inodes);
            out.flush();
            return buf.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Record decode(byte[] data) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
            int version = in.readByte();
            if (version != VERSION) {
                throw new IOException("unknown snapshot record version " + version);
            }
            long id = in.readLong();
            Kind kind = Kind.values()[in.readByte()];
            String parent = readString(in);
            Instant created = readTime(in);
            Instant updated = readTime(in);
            int n = in.readInt();
            Map<String, String> labels = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                labels.put(readString(in), readString(in));
            }
            return new Record(id, kind, parent, created, updated, labels, in.readLong(), in.readLong());
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt snapshot record", e);
        }
    }

    Record with(Kind kind, Instant created, Instant updated, Map<String, String> labels) {
        return new Record(id, kind, parent, created, updated, labels, size, inodes);
    }

    private static void writeTime(DataOutputStream out, Instant t) throws IOException {
        out.writeLong(t.getEpochSecond());
        out.writeInt(t.getNano());
    }

    private static Instant readTime(DataInputStream in) throws IOException {
        return Instant.ofEpochSecond(in.readLong(), in.readInt());
    }

    // labels may be longer than writeUTF's 64 KiB limit allows in total, so lengths are ints
    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInputStream in) throws IOException {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        return new String(b, java.nio.charset.StandardCharsets.UTF_8);
    }
}
