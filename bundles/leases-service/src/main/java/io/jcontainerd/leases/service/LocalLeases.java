package io.jcontainerd.leases.service;

import io.jcontainerd.filters.Filter;
import io.jcontainerd.filters.Filters;
import io.jcontainerd.gc.GarbageCollector;
import io.jcontainerd.leases.Lease;
import io.jcontainerd.leases.LeaseService;
import io.jcontainerd.leases.Resource;
import io.jcontainerd.metadata.MetadataStore;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Lease operations, each one metadata transaction (containerd's {@code services/leases}). */
public final class LocalLeases implements LeaseService {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final MetadataStore db;
    private final Supplier<GarbageCollector> gc;

    public LocalLeases(MetadataStore db) {
        this(db, () -> null);
    }

    /** With the garbage collector (or null when none is loaded) that {@code sync} deletes wait for. */
    public LocalLeases(MetadataStore db, Supplier<GarbageCollector> gc) {
        this.db = db;
        this.gc = gc;
    }

    @Override
    public Lease create(String namespace, String id, Map<String, String> labels) {
        String leaseId = id == null || id.isEmpty() ? randomId() : id;
        return db.update(tx -> tx.leases().create(namespace, leaseId, labels));
    }

    /** containerd's {@code WithRandomID}: nanoseconds within the second, a dash, 3 random bytes in base64url. */
    static String randomId() {
        byte[] b = new byte[3];
        RANDOM.nextBytes(b);
        return Instant.now().getNano() + "-" + Base64.getUrlEncoder().encodeToString(b);
    }

    @Override
    public void delete(String namespace, String id, boolean sync) {
        db.update(tx -> {
            tx.leases().delete(namespace, id);
            return null;
        });
        GarbageCollector collector = gc.get();
        if (sync && collector != null) {
            collector.collect();
        }
    }

    @Override
    public List<Lease> list(String namespace, List<String> filters) {
        Filter filter = Filters.parseRequest(filters);
        return db.view(tx -> tx.leases().list(namespace, filter));
    }

    @Override
    public void addResource(String namespace, String id, Resource resource) {
        db.update(tx -> {
            tx.leases().addResource(namespace, id, resource);
            return null;
        });
    }

    @Override
    public void deleteResource(String namespace, String id, Resource resource) {
        db.update(tx -> {
            tx.leases().deleteResource(namespace, id, resource);
            return null;
        });
    }

    @Override
    public List<Resource> listResources(String namespace, String id) {
        return db.view(tx -> tx.leases().listResources(namespace, id));
    }
}
