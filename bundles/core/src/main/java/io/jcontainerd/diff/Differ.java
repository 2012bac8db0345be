package io.jcontainerd.diff;

import io.jcontainerd.images.Descriptor;
import io.jcontainerd.mount.Mount;
import java.util.List;
import java.util.Map;

/**
 * A differ plugin ({@code io.containerd.differ.v1}, e.g. {@code walking}): containerd's
 * {@code diff.Applier} and {@code diff.Comparer}, reading and writing blobs through the namespaced
 * content store.
 */
public interface Differ {
    /**
     * Unpacks the layer {@code layer} onto {@code mounts}.
     *
     * @return the descriptor of the uncompressed layer (media type without compression, its digest)
     * @throws io.jcontainerd.errdefs.ContainerdException NotImplemented for an unsupported media type,
     *         InvalidArgument for a layer that would write outside the mounts
     */
    Descriptor apply(String namespace, Descriptor layer, List<Mount> mounts, Map<String, byte[]> payloads);

    /**
     * Writes the changes from {@code lower} to {@code upper} as a layer blob.
     *
     * @param mediaType empty for the default (gzip-compressed OCI layer)
     * @param ref       ingest ref, or empty for a generated one
     */
    Descriptor compare(String namespace, String lease, List<Mount> lower, List<Mount> upper, String mediaType,
            String ref, Map<String, String> labels);
}
