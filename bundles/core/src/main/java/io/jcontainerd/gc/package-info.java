/** Garbage collection of unreferenced content and snapshots, as the services that trigger it see it. */
@org.osgi.annotation.versioning.Version("1.0.0")
package io.jcontainerd.gc;
