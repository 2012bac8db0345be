package io.jcontainerd.differ.walking;

import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Keeps the raw bytes of the headers that precede each tar entry, so that binary PAX values
 * (xattrs such as {@code security.capability}) can be read byte for byte: commons-compress decodes
 * every PAX value as UTF-8, which is lossy for them.
 *
 * <p>Sits between the decompressed stream and the {@code TarArchiveInputStream}, which reads
 * headers block by block without read-ahead; {@link #startEntry()} before asking for the next entry.
 */
final class PaxRecorder extends FilterInputStream {
    private static final int LIMIT = 4 << 20;

    private long pos;
    private long start;
    private ByteArrayOutputStream rec;
    private boolean recording;

    PaxRecorder(InputStream in) {
        super(in);
    }

    /** Starts recording: the next entry's headers begin at the next 512-byte boundary. */
    void startEntry() {
        rec = new ByteArrayOutputStream(1024);
        start = pos;
        recording = true;
    }

    /** Stops recording (the entry's data follows); what was recorded stays for {@link #paxRecords()}. */
    void endHeaders() {
        recording = false;
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b >= 0) {
            if (recording && rec != null && rec.size() < LIMIT) {
                rec.write(b);
            }
            pos++;
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) {
            if (recording && rec != null) {
                if (rec.size() + n <= LIMIT) {
                    rec.write(b, off, n);
                } else {
                    rec = null;
                }
            }
            pos += n;
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] buf = new byte[(int) Math.min(n, 65536)];
        long left = n;
        while (left > 0) {
            int r = read(buf, 0, (int) Math.min(left, buf.length));
            if (r < 0) {
                break;
            }
            left -= r;
        }
        return n - left;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    /**
     * The raw PAX records (key to value bytes) of the entry whose headers were recorded since
     * {@link #startEntry()}; empty if the recording overflowed or holds no PAX header.
     */
    Map<String, byte[]> paxRecords() {
        Map<String, byte[]> out = new HashMap<>();
        if (rec == null) {
            return out;
        }
        byte[] data = rec.toByteArray();
        int i = (int) (((start + 511) / 512) * 512 - start);
        while (i + 512 <= data.length) {
            byte type = data[i + 156];
            long size = parseNumber(data, i + 124, 12);
            int body = i + 512;
            if (size < 0 || body + size > data.length) {
                break;
            }
            if (type == 'x' || type == 'X') {
                parseRecords(data, body, body + (int) size, out);
            } else if (type != 'g' && type != 'L' && type != 'K') {
                break;
            }
            i = body + (int) ((size + 511) / 512 * 512);
        }
        return out;
    }

    private static long parseNumber(byte[] b, int off, int len) {
        if ((b[off] & 0x80) != 0) {
            long v = b[off] & 0x7f;
            for (int k = 1; k < len; k++) {
                v = (v << 8) | (b[off + k] & 0xff);
            }
            return v;
        }
        long v = 0;
        for (int k = 0; k < len; k++) {
            int c = b[off + k];
            if (c == 0 || c == ' ') {
                if (v != 0) {
                    break;
                }
                continue;
            }
            if (c < '0' || c > '7') {
                return -1;
            }
            v = v * 8 + (c - '0');
        }
        return v;
    }

    private static void parseRecords(byte[] b, int from, int to, Map<String, byte[]> out) {
        int p = from;
        while (p < to) {
            int sp = p;
            int len = 0;
            while (sp < to && b[sp] >= '0' && b[sp] <= '9') {
                len = len * 10 + (b[sp] - '0');
                sp++;
            }
            if (sp >= to || b[sp] != ' ' || len <= 0 || p + len > to) {
                return;
            }
            int end = p + len - 1; // the record's trailing newline
            int eq = sp + 1;
            while (eq < end && b[eq] != '=') {
                eq++;
            }
            if (eq >= end) {
                return;
            }
            String key = new String(b, sp + 1, eq - sp - 1, StandardCharsets.UTF_8);
            out.put(key, Arrays.copyOfRange(b, eq + 1, end));
            p += len;
        }
    }
}
