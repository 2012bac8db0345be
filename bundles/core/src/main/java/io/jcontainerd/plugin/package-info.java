/** Plugin identity, types, directories and the skip convention shared by all plugin components. */
@org.osgi.annotation.versioning.Version("1.0.0")
package io.jcontainerd.plugin;
