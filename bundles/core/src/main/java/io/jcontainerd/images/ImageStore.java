package io.jcontainerd.images;

import io.jcontainerd.filters.Filter;
import java.util.List;

/** Images as the metadata store keeps them, within one transaction (containerd's {@code images.Store}). */
public interface ImageStore {
    /** @throws io.jcontainerd.errdefs.ContainerdException NotFound */
    Image get(String namespace, String name);

    /** The images matching {@code filter}, in name order. */
    List<Image> list(String namespace, Filter filter);

    /** @throws io.jcontainerd.errdefs.ContainerdException AlreadyExists, InvalidArgument */
    Image create(String namespace, Image image);

    /**
     * Updates the named record as containerd does: paths {@code labels}, {@code labels.<key>},
     * {@code target} (as a whole), {@code annotations} and {@code annotations.<key>} (the target's);
     * a key absent from {@code image} removes that label or annotation. No paths replace the whole
     * record (name kept, creation time kept). Empty label and annotation values are never stored.
     *
     * @throws io.jcontainerd.errdefs.ContainerdException NotFound, InvalidArgument
     */
    Image update(String namespace, Image image, List<String> fieldPaths);

    /** @throws io.jcontainerd.errdefs.ContainerdException NotFound */
    void delete(String namespace, String name);
}
