package io.jcontainerd.snapshots.storage;

import static io.jcontainerd.errdefs.Errdefs.q;

import io.jcontainerd.errdefs.Errdefs;
import io.jcontainerd.filters.Adaptor;
import io.jcontainerd.filters.Filter;
import io.jcontainerd.snapshots.Kind;
import io.jcontainerd.snapshots.SnapshotInfo;
import io.jcontainerd.snapshots.Usage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.h2.mvstore.MVMap;

/**
 * The snapshot operations of one {@link MetaStore} transaction, with containerd's
 * {@code snapshots/storage} rules and messages. Ids are decimal strings from a sequence that never
 * goes back; the parent links ({@code <parent id>/<child id>} to the child's key) answer whether a
 * snapshot has children.
 */
public final class MetaTx {
    private static final String SEQ = "seq";

    /** A snapshot's id, info and (for committed snapshots) the usage stored at commit. */
    public record Entry(String id, SnapshotInfo info, Usage usage) {
    }

    /** What {@link #remove} took away. */
    public record Removed(String id, Kind kind) {
    }

    private final MVMap<String, byte[]> snapshots;
    private final MVMap<String, String> parents;
    private final MVMap<String, Long> meta;
    private final boolean writable;
    private final List<Runnable> undo = new ArrayList<>();

    MetaTx(MVMap<String, byte[]> snapshots, MVMap<String, String> parents, MVMap<String, Long> meta, boolean writable) {
        this.snapshots = snapshots;
        this.parents = parents;
        this.meta = meta;
        this.writable = writable;
    }

    /** The snapshot {@code key}: NotFound {@code snapshot does not exist} if there is none. */
    public Entry getInfo(String key) {
        Record r = record(key);
        if (r == null) {
            throw Errdefs.notFound("snapshot does not exist");
        }
        return new Entry(Long.toString(r.id()), info(key, r), new Usage(r.size(), r.inodes()));
    }

    /** Replaces labels ({@code labels}, {@code labels.<key>}; no paths: all labels) and sets updated. */
    public SnapshotInfo updateInfo(SnapshotInfo info, List<String> fieldPaths) {
        Record r = record(info.name());
        if (r == null) {
            throw Errdefs.notFound("snapshot does not exist");
        }
        Map<String, String> labels = new HashMap<>(r.labels());
        if (fieldPaths != null && !fieldPaths.isEmpty()) {
            for (String path : fieldPaths) {
                if (path.startsWith("labels.")) {
                    String k = path.substring("labels.".length());
                    String v = info.labels().get(k);
                    if (v == null || v.isEmpty()) {
                        labels.remove(k);
                    } else {
                        labels.put(k, v);
                    }
                } else if (path.equals("labels")) {
                    labels = new HashMap<>(info.labels());
                } else {
                    throw Errdefs.invalidArgument("cannot update %s field on snapshot %s", q(path), q(info.name()));
                }
            }
        } else {
            labels = new HashMap<>(info.labels());
        }
        labels.values().removeIf(String::isEmpty);
        Record updated = r.with(r.kind(), r.created(), Instant.now(), labels);
        put(info.name(), updated);
        return info(info.name(), updated);
    }

    /** Calls {@code visitor} for each snapshot matching {@code filter}, in key order. */
    public void walk(Filter filter, Consumer<SnapshotInfo> visitor) {
        for (Map.Entry<String, byte[]> e : snapshots.entrySet()) {
            SnapshotInfo info = info(e.getKey(), Record.decode(e.getValue()));
            if (filter == null || filter.match(adaptor(info))) {
                visitor.accept(info);
            }
        }
    }

    /** An active or view snapshot with its parent chain; FailedPrecondition for a committed one. */
    public StoredSnapshot getSnapshot(String key) {
        Record r = record(key);
        if (r == null) {
            throw Errdefs.notFound("snapshot does not exist");
        }
        if (r.kind() != Kind.ACTIVE && r.kind() != Kind.VIEW) {
            throw Errdefs.failedPrecondition("requested snapshot %s not active or view", key);
        }
        List<String> chain = List.of();
        if (!r.parent().isEmpty()) {
            Record p = record(r.parent());
            if (p == null) {
                throw Errdefs.notFound("parent does not exist");
            }
            chain = chain(p);
        }
        return new StoredSnapshot(Long.toString(r.id()), r.kind(), chain);
    }

    /** Creates an active or view snapshot on an optional committed parent. */
    public StoredSnapshot createSnapshot(Kind kind, String key, String parent, Map<String, String> labels) {
        if (kind != Kind.ACTIVE && kind != Kind.VIEW) {
            throw Errdefs.invalidArgument("snapshot type %s invalid; only snapshots of type Active or View can be created",
                    kindName(kind));
        }
        Record p = null;
        if (parent != null && !parent.isEmpty()) {
            p = record(parent);
            if (p == null) {
                throw Errdefs.notFound("missing parent %s bucket", q(parent));
            }
            if (p.kind() != Kind.COMMITTED) {
                throw Errdefs.invalidArgument("parent %s is not committed snapshot", q(parent));
            }
        }
        if (record(key) != null) {
            throw Errdefs.alreadyExists("snapshot %s", key);
        }
        long id = nextId();
        Instant now = Instant.now();
        Map<String, String> kept = new LinkedHashMap<>(labels == null ? Map.of() : labels);
        kept.values().removeIf(v -> v == null || v.isEmpty());
        put(key, new Record(id, kind, parent, now, now, kept, 0, 0));
        List<String> chain = List.of();
        if (p != null) {
            link(p.id(), id, key);
            chain = chain(p);
        }
        return new StoredSnapshot(Long.toString(id), kind, chain);
    }

    /** Removes a snapshot without children. */
    public Removed remove(String key) {
        Record r = record(key);
        if (r == null) {
            throw Errdefs.notFound("snapshot %s", key);
        }
        String prefix = pad(r.id()) + "/";
        String first = parents.ceilingKey(prefix);
        if (first != null && first.startsWith(prefix)) {
            throw Errdefs.failedPrecondition("cannot remove snapshot with child");
        }
        if (!r.parent().isEmpty()) {
            Record p = record(r.parent());
            if (p == null) {
                throw Errdefs.notFound("snapshot %s", key);
            }
            unlink(p.id(), r.id());
        }
        delete(key);
        return new Removed(Long.toString(r.id()), r.kind());
    }

    /** Turns active {@code key} into committed {@code name}, keeping its id and storing its usage. */
    public String commitActive(String key, String name, Usage usage, Map<String, String> labels) {
        if (record(name) != null) {
            throw Errdefs.alreadyExists("committed snapshot %s", name);
        }
        Record r = record(key);
        if (r == null) {
            throw Errdefs.notFound("failed to get active snapshot %s", q(key));
        }
        if (r.kind() != Kind.ACTIVE) {
            throw Errdefs.failedPrecondition("snapshot %s is not active", q(key));
        }
        Instant now = Instant.now();
        Map<String, String> kept = new LinkedHashMap<>(labels == null ? Map.of() : labels);
        kept.values().removeIf(v -> v == null || v.isEmpty());
        put(name, new Record(r.id(), Kind.COMMITTED, r.parent(), now, now, kept, usage.size(), usage.inodes()));
        delete(key);
        if (!r.parent().isEmpty()) {
            Record p = record(r.parent());
            if (p == null) {
                throw Errdefs.notFound("missing parent %s of snapshot %s", q(r.parent()), q(key));
            }
            link(p.id(), r.id(), name);
        }
        return Long.toString(r.id());
    }

    /** Every snapshot id with its key. */
    public Map<String, String> idMap() {
        Map<String, String> ids = new HashMap<>();
        for (Map.Entry<String, byte[]> e : snapshots.entrySet()) {
            ids.put(Long.toString(Record.decode(e.getValue()).id()), e.getKey());
        }
        return ids;
    }

    /** containerd's snapshot filter fields: {@code kind}, {@code name}, {@code parent}, {@code labels.*}. */
    public static Adaptor adaptor(SnapshotInfo info) {
        return path -> {
            if (path.isEmpty()) {
                return null;
            }
            return switch (path.get(0)) {
                case "kind" -> info.kind() == Kind.UNKNOWN ? null : kindName(info.kind());
                case "name" -> info.name();
                case "parent" -> info.parent();
                case "labels" -> info.labels().isEmpty() ? null : info.labels().get(String.join(".", path.subList(1, path.size())));
                default -> null;
            };
        };
    }

    /** The lower-case kind name of filters and messages. */
    public static String kindName(Kind kind) {
        return switch (kind) {
            case ACTIVE -> "active";
            case VIEW -> "view";
            case COMMITTED -> "committed";
            default -> "unknown";
        };
    }

    boolean modified() {
        return !undo.isEmpty();
    }

    void rollback() {
        for (int i = undo.size() - 1; i >= 0; i--) {
            undo.get(i).run();
        }
        undo.clear();
    }

    private List<String> chain(Record parent) {
        List<String> ids = new ArrayList<>();
        Record p = parent;
        while (true) {
            ids.add(Long.toString(p.id()));
            if (p.parent().isEmpty()) {
                return ids;
            }
            Record next = record(p.parent());
            if (next == null) {
                throw Errdefs.notFound("missing parent");
            }
            p = next;
        }
    }

    private static SnapshotInfo info(String key, Record r) {
        return new SnapshotInfo(key, r.parent(), r.kind(), r.labels(), r.created(), r.updated());
    }

    private Record record(String key) {
        byte[] b = snapshots.get(key);
        return b == null ? null : Record.decode(b);
    }

    private long nextId() {
        Long seq = meta.get(SEQ);
        long next = seq == null ? 1 : seq + 1;
        checkWritable();
        meta.put(SEQ, next);
        undo.add(() -> {
            if (seq == null) {
                meta.remove(SEQ);
            } else {
                meta.put(SEQ, seq);
            }
        });
        return next;
    }

    private void put(String key, Record r) {
        checkWritable();
        byte[] old = snapshots.put(key, r.encode());
        undo.add(() -> restore(snapshots, key, old));
    }

    private void delete(String key) {
        checkWritable();
        byte[] old = snapshots.remove(key);
        undo.add(() -> restore(snapshots, key, old));
    }

    private void link(long parent, long child, String childKey) {
        checkWritable();
        String k = pad(parent) + "/" + pad(child);
        String old = parents.put(k, childKey);
        undo.add(() -> restore(parents, k, old));
    }

    private void unlink(long parent, long child) {
        checkWritable();
        String k = pad(parent) + "/" + pad(child);
        String old = parents.remove(k);
        undo.add(() -> restore(parents, k, old));
    }

    private static <V> void restore(MVMap<String, V> map, String key, V old) {
        if (old == null) {
            map.remove(key);
        } else {
            map.put(key, old);
        }
    }

    private void checkWritable() {
        if (!writable) {
            throw new IllegalStateException("write in a read-only snapshot metadata transaction");
        }
    }

    /** Fixed width, so that the links of one parent are one key range. */
    private static String pad(long id) {
        return String.format("%019d", id);
    }
}
