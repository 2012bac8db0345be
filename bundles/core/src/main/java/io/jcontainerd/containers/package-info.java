/** Containers: the record, the store contract and the service. */
@org.osgi.annotation.versioning.Version("1.0.0")
package io.jcontainerd.containers;
