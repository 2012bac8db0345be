package io.jcontainerd.content;

import io.jcontainerd.digest.Digest;
import java.util.List;

/**
 * The content records of the metadata store inside one transaction: which blobs each namespace has
 * committed (with its labels) and which ingests it has open. Used by the namespaced
 * {@link ContentStore} and by garbage collection.
 */
public interface ContentIndex {
    /** The namespace's record of {@code digest}, or {@code null}. */
    ContentInfo get(String namespace, Digest digest);

    /** All blob records of the namespace, by digest. */
    List<ContentInfo> list(String namespace);

    /** Creates or replaces a blob record. */
    void put(String namespace, ContentInfo info);

    /** Removes a blob record; false if there was none. */
    boolean delete(String namespace, Digest digest);

    /** The refs of the namespace's open ingests. */
    List<String> ingests(String namespace);

    /** The namespace's record of the ingest {@code ref}, or {@code null}. */
    IngestRecord ingest(String namespace, String ref);

    /** Creates or replaces an ingest record. */
    void putIngest(String namespace, String ref, IngestRecord record);

    /** Removes an ingest record; false if there was none. */
    boolean deleteIngest(String namespace, String ref);

    /**
     * A count that grows whenever a committed transaction removes a blob or ingest record (since the
     * store opened), so a caller can tell whether any went since it last looked. Inside a write
     * transaction it counts that transaction too once it has removed one.
     */
    long removals();
}
