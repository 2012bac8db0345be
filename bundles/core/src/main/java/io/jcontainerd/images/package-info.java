/** Images: records naming a target descriptor, their store in a metadata transaction, descriptors. */
@org.osgi.annotation.versioning.Version("1.0.0")
package io.jcontainerd.images;
