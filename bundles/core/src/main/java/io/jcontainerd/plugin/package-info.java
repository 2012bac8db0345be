/** Plugin identity, types, directories, the skip convention, Go durations and the daemon's fatal end, shared by all plugin components. */
@org.osgi.annotation.versioning.Version("1.2.0")
package io.jcontainerd.plugin;
