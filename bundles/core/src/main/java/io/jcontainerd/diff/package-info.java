/** Layers: applying them to mounts and computing them from two mounts (containerd's differ). */
@org.osgi.annotation.versioning.Version("1.0.0")
package io.jcontainerd.diff;
