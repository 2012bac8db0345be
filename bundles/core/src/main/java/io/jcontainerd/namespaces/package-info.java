/** Namespaces: the records, the store contract and the request rules. */
@org.osgi.annotation.versioning.Version("1.0.0")
package io.jcontainerd.namespaces;
