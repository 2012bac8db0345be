package io.jcontainerd.metadata.bolt;

import static io.jcontainerd.metadata.bolt.Keys.BLOBS;
import static io.jcontainerd.metadata.bolt.Keys.CONTENT;
import static io.jcontainerd.metadata.bolt.Keys.V1;

import io.jcontainerd.content.ContentIndex;
import io.jcontainerd.content.ContentInfo;
import io.jcontainerd.content.IngestRecord;
import io.jcontainerd.digest.Digest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Content records on the key space (containerd's {@code content} bucket of a namespace): blob records
 * at {@code v1/<ns>/content/blob/<digest>}, ingest records at {@code v1/<ns>/content/ingests/<ref>}.
 * Writing either makes the namespace exist.
 */
final class ContentIndexImpl implements ContentIndex {
    static final String INGESTS = "ingests";

    private final KvTx tx;

    ContentIndexImpl(KvTx tx) {
        this.tx = tx;
    }

    @Override
    public ContentInfo get(String namespace, Digest digest) {
        byte[] v = tx.get(Keys.of(V1, namespace, CONTENT, BLOBS, digest.toString()));
        return v == null ? null : ContentCodec.decodeBlob(digest, v);
    }

    @Override
    public List<ContentInfo> list(String namespace) {
        List<ContentInfo> out = new ArrayList<>();
        String prefix = Keys.below(V1, namespace, CONTENT, BLOBS);
        for (Map.Entry<String, byte[]> e : tx.scan(prefix)) {
            Digest d;
            try {
                d = Digest.parse(e.getKey().substring(prefix.length()));
            } catch (Digest.InvalidDigestException notADigest) {
                continue; // containerd skips keys that are not digests
            }
            out.add(ContentCodec.decodeBlob(d, e.getValue()));
        }
        return out;
    }

    @Override
    public void put(String namespace, ContentInfo info) {
        NamespaceStoreImpl.ensure(tx, namespace);
        tx.put(Keys.of(V1, namespace, CONTENT, BLOBS, info.digest().toString()), ContentCodec.encodeBlob(info));
    }

    @Override
    public boolean delete(String namespace, Digest digest) {
        String key = Keys.of(V1, namespace, CONTENT, BLOBS, digest.toString());
        if (!tx.exists(key)) {
            return false;
        }
        tx.delete(key);
        tx.markDirty();
        tx.markContentRemoved();
        return true;
    }

    @Override
    public List<String> ingests(String namespace) {
        List<String> out = new ArrayList<>();
        String prefix = Keys.below(V1, namespace, CONTENT, INGESTS);
        for (Map.Entry<String, byte[]> e : tx.scan(prefix)) {
            out.add(e.getKey().substring(prefix.length()));
        }
        return out;
    }

    @Override
    public IngestRecord ingest(String namespace, String ref) {
        byte[] v = tx.get(Keys.of(V1, namespace, CONTENT, INGESTS, ref));
        return v == null ? null : ContentCodec.decodeIngest(ref, v);
    }

    @Override
    public void putIngest(String namespace, String ref, IngestRecord record) {
        NamespaceStoreImpl.ensure(tx, namespace);
        tx.put(Keys.of(V1, namespace, CONTENT, INGESTS, ref), ContentCodec.encodeIngest(record));
    }

    @Override
    public boolean deleteIngest(String namespace, String ref) {
        String key = Keys.of(V1, namespace, CONTENT, INGESTS, ref);
        if (!tx.exists(key)) {
            return false;
        }
        tx.delete(key);
        tx.markContentRemoved();
        return true;
    }

    @Override
    public long removals() {
        return tx.contentRemovals();
    }
}
