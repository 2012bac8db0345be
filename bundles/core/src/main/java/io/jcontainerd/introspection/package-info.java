/** Introspection: which plugins exist and in what state, and the server's identity. */
@org.osgi.annotation.versioning.Version("1.0.0")
package io.jcontainerd.introspection;
