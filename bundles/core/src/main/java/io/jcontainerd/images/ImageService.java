package io.jcontainerd.images;

import java.util.List;

/**
 * The images service ({@code io.containerd.service.v1 images-service}): the store's operations, each
 * one metadata transaction, publishing {@code /images/create|update|delete} after each change.
 */
public interface ImageService {
    /** @throws io.jcontainerd.errdefs.ContainerdException NotFound */
    Image get(String namespace, String name);

    /**
     * The images matching any of {@code filters} (all with none); fields {@code name},
     * {@code target.mediatype}, {@code target.digest}, {@code labels.<key>}, {@code annotations.<key>}.
     */
    List<Image> list(String namespace, List<String> filters);

    /** @throws io.jcontainerd.errdefs.ContainerdException AlreadyExists, InvalidArgument */
    Image create(String namespace, Image image);

    /** See {@link ImageStore#update}. */
    Image update(String namespace, Image image, List<String> fieldPaths);

    /**
     * Deletes the record; with {@code sync}, also waits for a garbage collection that removes what
     * only this image kept alive (when a collector is present).
     *
     * @throws io.jcontainerd.errdefs.ContainerdException NotFound
     */
    void delete(String namespace, String name, boolean sync);
}
