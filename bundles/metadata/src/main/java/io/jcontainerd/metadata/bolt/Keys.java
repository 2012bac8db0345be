package io.jcontainerd.metadata.bolt;

/**
 * Keys of the store: a path of components joined by NUL, so that all keys under a path are one
 * contiguous range (NUL sorts first) and components may hold any other character.
 *
 * <p>The layout follows containerd's bolt buckets:
 * <pre>
 * v1/&lt;ns&gt;                         namespace marker (empty value)
 * v1/&lt;ns&gt;/labels/&lt;key&gt;            namespace label value
 * v1/&lt;ns&gt;/containers/&lt;id&gt;        container record
 * v1/&lt;ns&gt;/image/&lt;name&gt;            image record
 * v1/&lt;ns&gt;/content/blob/&lt;digest&gt;  blob record
 * v1/&lt;ns&gt;/snapshots/&lt;sn&gt;/&lt;key&gt;  snapshot record
 * v1/&lt;ns&gt;/leases/&lt;id&gt;            lease record
 * meta/version                     schema version
 * </pre>
 */
final class Keys {
    static final char SEP = '\0';

    static final String V1 = "v1";
    static final String LABELS = "labels";
    static final String CONTAINERS = "containers";
    static final String IMAGES = "image";
    static final String CONTENT = "content";
    static final String BLOBS = "blob";
    static final String SNAPSHOTS = "snapshots";
    static final String LEASES = "leases";

    private Keys() {
    }

    /** The key of a path. */
    static String of(String... path) {
        return String.join(String.valueOf(SEP), path);
    }

    /** The prefix every key below {@code path} starts with. */
    static String below(String... path) {
        return of(path) + SEP;
    }

    /** The last component of a key. */
    static String last(String key) {
        return key.substring(key.lastIndexOf(SEP) + 1);
    }

    /** The first key after everything below {@code path}, to skip a whole subtree when scanning. */
    static String after(String... path) {
        return of(path) + '\u0001';
    }
}
