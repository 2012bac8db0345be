/**
 * Content: blobs addressed by digest. {@link io.jcontainerd.content.BlobStore} is the shared local store
 * on disk (plugin {@code io.containerd.content.v1.content}); {@link io.jcontainerd.content.ContentStore}
 * is the namespaced view services use, kept by the metadata plugin over it;
 * {@link io.jcontainerd.content.ContentIndex} is that view's records inside one metadata transaction.
 */
@org.osgi.annotation.versioning.Version("1.2.0")
package io.jcontainerd.content;
