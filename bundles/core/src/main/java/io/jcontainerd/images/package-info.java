/** Images: records naming a target descriptor, their store in a metadata transaction, the service. */
@org.osgi.annotation.versioning.Version("1.1.0")
package io.jcontainerd.images;
