/**
 * The snapshot records of one snapshotter (containerd's {@code snapshots/storage}): a
 * {@link io.jcontainerd.snapshots.storage.MetaStore} file in the snapshotter's root, and the
 * operations snapshotters run in its transactions ({@link io.jcontainerd.snapshots.storage.MetaTx}).
 */
@org.osgi.annotation.versioning.Version("1.0.0")
package io.jcontainerd.snapshots.storage;
