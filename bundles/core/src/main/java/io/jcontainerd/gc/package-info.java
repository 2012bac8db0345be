/** Garbage collection of content and snapshots no longer referenced (plugin {@code io.containerd.gc.v1}). */
@org.osgi.annotation.versioning.Version("1.0.0")
package io.jcontainerd.gc;
