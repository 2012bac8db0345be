/**
 * File-system work snapshotters share: {@link io.jcontainerd.snapshots.fs.DiskUsage} (containerd's
 * {@code fs.DiskUsage}), {@link io.jcontainerd.snapshots.fs.CopyDir} (its {@code fs.CopyDir}) and the
 * {@link io.jcontainerd.snapshots.fs.Posix} calls Java has no API for.
 */
@org.osgi.annotation.versioning.Version("1.0.0")
package io.jcontainerd.snapshots.fs;
