package io.jcontainerd.metadata.bolt;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;

/**
 * One transaction's view of the key space, with the undo log of a writer. Keys are strings here and
 * UTF-8 bytes in the map.
 */
final class KvTx {
    private static final byte[] ABSENT = new byte[0];

    private final MVMap<byte[], byte[]> map;
    private final boolean writable;
    private final Map<byte[], byte[]> undo = new TreeMap<>(Arrays::compareUnsigned);
    private final List<byte[]> undoOrder = new ArrayList<>();
    private boolean dirty;
    private final long contentRemovalsBefore;
    private boolean contentRemoved;

    /** {@code contentRemovals}: the store's count of committed transactions that removed content records. */
    KvTx(MVMap<byte[], byte[]> map, boolean writable, long contentRemovals) {
        this.map = map;
        this.writable = writable;
        this.contentRemovalsBefore = contentRemovals;
    }

    static byte[] bytes(String key) {
        return key.getBytes(StandardCharsets.UTF_8);
    }

    static String string(byte[] key) {
        return new String(key, StandardCharsets.UTF_8);
    }

    boolean writable() {
        return writable;
    }

    boolean modified() {
        return !undo.isEmpty();
    }

    /**
     * Marks this transaction as having removed something that may have held other things alive (an
     * image, a blob record, a snapshot, a container, a lease or one of its resources), as containerd
     * marks its database dirty: the garbage collector is told once the transaction is durable.
     */
    void markDirty() {
        dirty = true;
    }

    /** True if {@link #markDirty} was called. */
    boolean dirty() {
        return dirty;
    }

    /** Marks this transaction as having removed a blob or ingest record. */
    void markContentRemoved() {
        contentRemoved = true;
    }

    /** True if {@link #markContentRemoved} was called. */
    boolean contentRemoved() {
        return contentRemoved;
    }

    /** The store's count of transactions that removed content records, this one included if it did. */
    long contentRemovals() {
        return contentRemovalsBefore + (contentRemoved ? 1 : 0);
    }

    byte[] get(String key) {
        return map.get(bytes(key));
    }

    boolean exists(String key) {
        return map.containsKey(bytes(key));
    }

    void put(String key, byte[] value) {
        byte[] k = bytes(key);
        remember(k);
        map.put(k, value);
    }

    void delete(String key) {
        byte[] k = bytes(key);
        if (map.containsKey(k)) {
            remember(k);
            map.remove(k);
        }
    }

    /** Deletes every key starting with {@code prefix}. */
    void deleteAll(String prefix) {
        List<String> keys = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : scan(prefix)) {
            keys.add(e.getKey());
        }
        keys.forEach(this::delete);
    }

    /** True if some key starts with {@code prefix}. */
    boolean any(String prefix) {
        byte[] p = bytes(prefix);
        byte[] k = map.ceilingKey(p);
        return k != null && startsWith(k, p);
    }

    /** The first key at or after {@code from}, or {@code null}. */
    String ceilingKey(String from) {
        byte[] k = map.ceilingKey(bytes(from));
        return k == null ? null : string(k);
    }

    /** The entries whose keys start with {@code prefix}, in key order, as of now. */
    Iterable<Map.Entry<String, byte[]>> scan(String prefix) {
        byte[] p = bytes(prefix);
        return () -> new Iterator<>() {
            private final Cursor<byte[], byte[]> cursor = map.cursor(p);
            private byte[] nextKey = advance();

            private byte[] advance() {
                if (cursor.hasNext()) {
                    byte[] k = cursor.next();
                    if (startsWith(k, p)) {
                        return k;
                    }
                }
                return null;
            }

            @Override
            public boolean hasNext() {
                return nextKey != null;
            }

            @Override
            public Map.Entry<String, byte[]> next() {
                if (nextKey == null) {
                    throw new java.util.NoSuchElementException();
                }
                Map.Entry<String, byte[]> e = Map.entry(string(nextKey), cursor.getValue());
                nextKey = advance();
                return e;
            }
        };
    }

    private static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

    private void remember(byte[] key) {
        if (!writable) {
            throw new IllegalStateException("write in a read-only metadata transaction");
        }
        if (!undo.containsKey(key)) {
            byte[] old = map.get(key);
            undo.put(key, old == null ? ABSENT : old);
            undoOrder.add(key);
        }
    }

    /** Restores every key this transaction touched. */
    void rollback() {
        for (int i = undoOrder.size() - 1; i >= 0; i--) {
            byte[] k = undoOrder.get(i);
            byte[] old = undo.get(k);
            if (old == ABSENT) {
                map.remove(k);
            } else {
                map.put(k, old);
            }
        }
        undo.clear();
        undoOrder.clear();
    }
}
