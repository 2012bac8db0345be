/**
 * Snapshots. {@link io.jcontainerd.snapshots.Snapshotter} is a snapshotter plugin
 * ({@code io.containerd.snapshotter.v1}, service property {@code plugin.id} = its name) over its own
 * keys; {@link io.jcontainerd.snapshots.Snapshots} is the namespaced view the metadata plugin gives of
 * each, which services use; {@link io.jcontainerd.snapshots.SnapshotIndex} is that view's records in a
 * metadata transaction.
 */
@org.osgi.annotation.versioning.Version("1.1.0")
package io.jcontainerd.snapshots;
