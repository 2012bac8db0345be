package io.jcontainerd.metadata.bolt;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;

/** One transaction's view of the key space, with the undo log of a writer. */
final class KvTx {
    private static final byte[] ABSENT = new byte[0];

    private final MVMap<String, byte[]> map;
    private final boolean writable;
    private final Map<String, byte[]> undo = new LinkedHashMap<>();

    KvTx(MVMap<String, byte[]> map, boolean writable) {
        this.map = map;
        this.writable = writable;
    }

    boolean writable() {
        return writable;
    }

    boolean modified() {
        return !undo.isEmpty();
    }

    byte[] get(String key) {
        return map.get(key);
    }

    boolean exists(String key) {
        return map.containsKey(key);
    }

    void put(String key, byte[] value) {
        remember(key);
        map.put(key, value);
    }

    void delete(String key) {
        if (map.containsKey(key)) {
            remember(key);
            map.remove(key);
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
        String k = map.ceilingKey(prefix);
        return k != null && k.startsWith(prefix);
    }

    /** The first key at or after {@code from}, or {@code null}. */
    String ceilingKey(String from) {
        return map.ceilingKey(from);
    }

    /** The entries whose keys start with {@code prefix}, in key order, as of now. */
    Iterable<Map.Entry<String, byte[]>> scan(String prefix) {
        return () -> new Iterator<>() {
            private final Cursor<String, byte[]> cursor = map.cursor(prefix);
            private String nextKey = advance();

            private String advance() {
                if (cursor.hasNext()) {
                    String k = cursor.next();
                    if (k.startsWith(prefix)) {
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
                Map.Entry<String, byte[]> e = Map.entry(nextKey, cursor.getValue());
                nextKey = advance();
                return e;
            }
        };
    }

    private void remember(String key) {
        if (!writable) {
            throw new IllegalStateException("write in a read-only metadata transaction");
        }
        if (!undo.containsKey(key)) {
            byte[] old = map.get(key);
            undo.put(key, old == null ? ABSENT : old);
        }
    }

    /** Restores every key this transaction touched. */
    void rollback() {
        List<Map.Entry<String, byte[]>> entries = new ArrayList<>(undo.entrySet());
        for (int i = entries.size() - 1; i >= 0; i--) {
            Map.Entry<String, byte[]> e = entries.get(i);
            if (e.getValue() == ABSENT) {
                map.remove(e.getKey());
            } else {
                map.put(e.getKey(), e.getValue());
            }
        }
        undo.clear();
    }
}
