/** Validation of containerd identifiers. */
@org.osgi.annotation.versioning.Version("1.0.0")
package io.jcontainerd.identifiers;
