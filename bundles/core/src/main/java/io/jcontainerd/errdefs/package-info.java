/** containerd's error classes and the exception that carries them. */
@org.osgi.annotation.versioning.Version("1.1.0")
package io.jcontainerd.errdefs;
