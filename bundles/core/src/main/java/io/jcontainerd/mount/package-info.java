/** Mounts as containerd describes them, and the service that performs them. */
@org.osgi.annotation.versioning.Version("1.0.0")
package io.jcontainerd.mount;
