package io.jcontainerd.leases;

/**
 * A resource held by a lease.
 *
 * @param id   a content digest, an ingest ref or a snapshot key
 * @param type {@code content}, {@code ingests} or {@code snapshots/<snapshotter>}
 */
public record Resource(String id, String type) {
}
