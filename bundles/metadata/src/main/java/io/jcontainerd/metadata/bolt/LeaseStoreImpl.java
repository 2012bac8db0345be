package io.jcontainerd.metadata.bolt;

import static io.jcontainerd.errdefs.Errdefs.q;
import static io.jcontainerd.metadata.bolt.Keys.LEASES;
import static io.jcontainerd.metadata.bolt.Keys.V1;

import io.jcontainerd.containers.Container;
import io.jcontainerd.digest.Digest;
import io.jcontainerd.errdefs.Errdefs;
import io.jcontainerd.filters.Adaptor;
import io.jcontainerd.filters.Filter;
import io.jcontainerd.leases.Lease;
import io.jcontainerd.leases.LeaseStore;
import io.jcontainerd.leases.Resource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Leases on the key space (containerd's {@code metadata/leases.go}): the lease record at
 * {@code v1/<ns>/leases/<id>}, its resources below it at {@code .../content/<digest>},
 * {@code .../ingests/<ref>} and {@code .../snapshots/<snapshotter>/<key>}.
 */
final class LeaseStoreImpl implements LeaseStore {
    private static final byte[] EMPTY = new byte[0];

    private final KvTx tx;

    LeaseStoreImpl(KvTx tx) {
        this.tx = tx;
    }

    @Override
    public Lease create(String namespace, String id, Map<String, String> labels) {
        if (id == null || id.isEmpty()) {
            throw Errdefs.invalidArgument("lease id must be provided");
        }
        String key = Keys.of(V1, namespace, LEASES, id);
        if (tx.exists(key)) {
            throw Errdefs.alreadyExists("lease %s", q(id));
        }
        Lease lease = new Lease(id, Instant.now(), Container.kept(labels == null ? Map.of() : labels));
        NamespaceStoreImpl.ensure(tx, namespace);
        tx.put(key, RecordCodec.encodeLease(lease));
        return lease;
    }

    @Override
    public void delete(String namespace, String id) {
        String key = Keys.of(V1, namespace, LEASES, id);
        if (!tx.exists(key)) {
            throw Errdefs.notFound("lease %s", q(id));
        }
        tx.deleteAll(Keys.below(V1, namespace, LEASES, id));
        tx.delete(key);
        tx.markDirty();
    }

    @Override
    public List<Lease> list(String namespace, Filter filter) {
        List<Lease> out = new ArrayList<>();
        String prefix = Keys.below(V1, namespace, LEASES);
        String k = tx.ceilingKey(prefix);
        while (k != null && k.startsWith(prefix)) {
            String rest = k.substring(prefix.length());
            int sep = rest.indexOf(Keys.SEP);
            String id = sep < 0 ? rest : rest.substring(0, sep);
            byte[] record = tx.get(Keys.of(V1, namespace, LEASES, id));
            if (record != null) {
                Lease l = RecordCodec.decodeLease(id, record);
                if (filter.match(adaptor(l))) {
                    out.add(l);
                }
            }
            k = tx.ceilingKey(Keys.after(V1, namespace, LEASES, id));
        }
        return out;
    }

    @Override
    public void addResource(String namespace, String id, Resource resource) {
        requireLease(namespace, id);
        tx.put(resourceKey(namespace, id, resource), EMPTY);
    }

    @Override
    public void deleteResource(String namespace, String id, Resource resource) {
        requireLease(namespace, id);
        tx.delete(resourceKey(namespace, id, resource));
        // an ingest leaves its lease when it is committed (the blob takes its place): nothing to collect
        if (!resource.type().equals("ingests")) {
            tx.markDirty();
        }
    }

    @Override
    public List<Resource> listResources(String namespace, String id) {
        requireLease(namespace, id);
        List<Resource> out = new ArrayList<>();
        String prefix = Keys.below(V1, namespace, LEASES, id);
        for (Map.Entry<String, byte[]> e : tx.scan(prefix)) {
            String[] parts = e.getKey().substring(prefix.length()).split(String.valueOf(Keys.SEP), -1);
            String ref = parts[parts.length - 1];
            String type = String.join("/", Arrays.copyOf(parts, parts.length - 1));
            out.add(new Resource(ref, type));
        }
        return out;
    }

    private void requireLease(String namespace, String id) {
        if (!tx.exists(Keys.of(V1, namespace, LEASES, id))) {
            throw Errdefs.notFound("lease %s", q(id));
        }
    }

    /** containerd's {@code parseLeaseResource}: the key path of a resource under its lease. */
    private static String resourceKey(String namespace, String id, Resource r) {
        String[] keys = r.type().split("/", -1);
        String ref = r.id();
        switch (keys[0]) {
            case "content", "ingests" -> {
                if (keys.length != 1) {
                    throw Errdefs.invalidArgument("invalid resource type %s", r.type());
                }
                if (keys[0].equals("content")) {
                    try {
                        ref = Digest.parse(ref).toString();
                    } catch (Digest.InvalidDigestException e) {
                        throw Errdefs.invalidArgument("invalid content resource id %s: %s", ref, e.getMessage());
                    }
                }
            }
            case "snapshots" -> {
                if (keys.length != 2) {
                    throw Errdefs.invalidArgument("invalid snapshot resource type %s", r.type());
                }
            }
            default -> throw Errdefs.notImplemented("resource type %s not supported yet", r.type());
        }
        List<String> path = new ArrayList<>(List.of(V1, namespace, LEASES, id));
        path.addAll(List.of(keys));
        path.add(ref);
        return Keys.of(path.toArray(String[]::new));
    }

    static Adaptor adaptor(Lease l) {
        return path -> {
            if (path.isEmpty()) {
                return null;
            }
            return switch (path.get(0)) {
                case "id" -> l.id().isEmpty() ? null : l.id();
                case "labels" -> l.labels().isEmpty() ? null : l.labels().get(String.join(".", path.subList(1, path.size())));
                default -> null;
            };
        };
    }
}
