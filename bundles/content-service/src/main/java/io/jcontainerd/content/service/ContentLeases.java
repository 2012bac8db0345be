package io.jcontainerd.content.service;

import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.Errdefs;
import io.jcontainerd.errdefs.ErrorCode;
import io.jcontainerd.leases.Resource;
import io.jcontainerd.metadata.Transaction;

/**
 * Keeps the call's lease in step with what a write creates (containerd's {@code addIngestLease} and
 * friends in {@code metadata/leases.go}): an open ingest is an {@code ingests} resource, a committed
 * blob a {@code content} resource. Without a lease nothing is recorded.
 */
final class ContentLeases {
    static final String INGESTS = "ingests";
    static final String CONTENT = "content";

    private ContentLeases() {
    }

    /** Adds a resource to the lease; NotFound ({@code lease does not exist}) when there is no such lease. */
    static boolean add(Transaction tx, String namespace, String lease, Resource r) {
        if (lease == null) {
            return false;
        }
        try {
            tx.leases().addResource(namespace, lease, r);
        } catch (ContainerdException e) {
            if (e.code() == ErrorCode.NOT_FOUND) {
                throw Errdefs.notFound("lease does not exist");
            }
            throw e;
        }
        return true;
    }

    /** Removes a resource from the lease, if both are there. */
    static void remove(Transaction tx, String namespace, String lease, Resource r) {
        if (lease == null) {
            return;
        }
        try {
            tx.leases().deleteResource(namespace, lease, r);
        } catch (ContainerdException e) {
            if (e.code() != ErrorCode.NOT_FOUND) {
                throw e;
            }
        }
    }
}
