package io.jcontainerd.images;

import io.jcontainerd.filters.Filter;
import java.util.List;

/** Images as the metadata store keeps them, within one transaction (containerd's {@code images.Store}). */
public interface ImageStore {
    /** @throws io.jcontainerd.errdefs.ContainerdException NotFound */
    Image get(String namespace, String name);

    List<Image> list(String namespace, Filter filter);

    /** @throws io.jcontainerd.errdefs.ContainerdException AlreadyExists, InvalidArgument */
    Image create(String namespace, Image image);

    /**
     * Updates {@code labels}, {@code labels.<key>}, {@code target}, {@code annotations} paths; none =
     * labels and target.
     *
     * @throws io.jcontainerd.errdefs.ContainerdException NotFound, InvalidArgument
     */
    Image update(String namespace, Image image, List<String> fieldPaths);

    /** @throws io.jcontainerd.errdefs.ContainerdException NotFound */
    void delete(String namespace, String name);
}
