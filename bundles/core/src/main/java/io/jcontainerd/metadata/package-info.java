/** The metadata store contract: transactions over typed, namespaced stores. */
@org.osgi.annotation.versioning.Version("1.0.0")
package io.jcontainerd.metadata;
