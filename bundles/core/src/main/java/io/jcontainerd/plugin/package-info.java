/** Plugin identity, types, directories, the skip convention and Go durations shared by all plugin components. */
@org.osgi.annotation.versioning.Version("1.1.0")
package io.jcontainerd.plugin;
