package io.jcontainerd.metadata.bolt;

import static io.jcontainerd.errdefs.Errdefs.q;
import static io.jcontainerd.metadata.bolt.Keys.IMAGES;
import static io.jcontainerd.metadata.bolt.Keys.V1;

import io.jcontainerd.digest.Digest;
import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.Errdefs;
import io.jcontainerd.filters.Adaptor;
import io.jcontainerd.filters.Filter;
import io.jcontainerd.images.Descriptor;
import io.jcontainerd.images.Image;
import io.jcontainerd.images.ImageStore;
import io.jcontainerd.labels.Labels;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Images on the key space, one record per {@code v1/<ns>/image/<name>}, with containerd's
 * validation, field masks and messages ({@code metadata/images.go}).
 */
final class ImageStoreImpl implements ImageStore {
    private final KvTx tx;

    ImageStoreImpl(KvTx tx) {
        this.tx = tx;
    }

    @Override
    public Image get(String namespace, String name) {
        byte[] data = tx.get(Keys.of(V1, namespace, IMAGES, name));
        if (data == null) {
            throw Errdefs.notFound("image %s", q(name));
        }
        return ImageCodec.decode(name, data);
    }

    @Override
    public List<Image> list(String namespace, Filter filter) {
        List<Image> out = new ArrayList<>();
        String prefix = Keys.below(V1, namespace, IMAGES);
        for (Map.Entry<String, byte[]> e : tx.scan(prefix)) {
            Image image = ImageCodec.decode(e.getKey().substring(prefix.length()), e.getValue());
            if (filter.match(adaptor(image))) {
                out.add(image);
            }
        }
        return out;
    }

    @Override
    public Image create(String namespace, Image image) {
        validate(image);
        String key = Keys.of(V1, namespace, IMAGES, image.name());
        if (tx.exists(key)) {
            throw Errdefs.alreadyExists("image %s", q(image.name()));
        }
        Instant now = Instant.now();
        Image stored = stored(image, now, now);
        NamespaceStoreImpl.ensure(tx, namespace);
        tx.put(key, ImageCodec.encode(stored));
        return stored;
    }

    @Override
    public Image update(String namespace, Image image, List<String> fieldPaths) {
        String name = image.name();
        if (name == null || name.isEmpty()) {
            throw Errdefs.invalidArgument("image name is required for update");
        }
        String key = Keys.of(V1, namespace, IMAGES, name);
        byte[] data = tx.get(key);
        if (data == null) {
            throw Errdefs.notFound("image %s", q(name));
        }
        Image current = ImageCodec.decode(name, data);
        Image updated;
        if (fieldPaths == null || fieldPaths.isEmpty()) {
            updated = image;
        } else {
            Map<String, String> labels = new LinkedHashMap<>(current.labels());
            Descriptor target = current.target();
            Map<String, String> annotations = new LinkedHashMap<>(target.annotations());
            for (String path : fieldPaths) {
                if (path.startsWith("labels.")) {
                    String k = path.substring("labels.".length());
                    labels.put(k, image.labels().getOrDefault(k, ""));
                } else if (path.startsWith("annotations.")) {
                    String k = path.substring("annotations.".length());
                    annotations.put(k, target(image).annotations().getOrDefault(k, ""));
                } else {
                    switch (path) {
                        case "labels" -> labels = new LinkedHashMap<>(image.labels());
                        case "target" -> {
                            // replaced as a unit, its annotations included
                            target = target(image);
                            annotations = new LinkedHashMap<>(target.annotations());
                        }
                        case "annotations" -> annotations = new LinkedHashMap<>(target(image).annotations());
                        default -> throw Errdefs.invalidArgument("cannot update %s field on image %s", q(path), q(name));
                    }
                }
            }
            updated = new Image(name, labels,
                    new Descriptor(target.mediaType(), target.digest(), target.size(), annotations), null, null);
        }
        validate(updated);
        Image stored = stored(updated, current.createdAt(), Instant.now());
        tx.put(key, ImageCodec.encode(stored));
        return stored;
    }

    @Override
    public void delete(String namespace, String name) {
        String key = Keys.of(V1, namespace, IMAGES, name);
        if (!tx.exists(key)) {
            throw Errdefs.notFound("image %s", q(name));
        }
        tx.delete(key);
        tx.markDirty();
    }

    /** The record as written: empty label and annotation values dropped, times set. */
    private static Image stored(Image image, Instant created, Instant updated) {
        Descriptor t = target(image);
        return new Image(image.name(), nonEmpty(image.labels()),
                new Descriptor(t.mediaType(), t.digest(), t.size(), nonEmpty(t.annotations())), created, updated);
    }

    private static Descriptor target(Image image) {
        return image.target() == null ? new Descriptor("", null, 0, null) : image.target();
    }

    private static Map<String, String> nonEmpty(Map<String, String> m) {
        Map<String, String> out = new LinkedHashMap<>();
        m.forEach((k, v) -> {
            if (v != null && !v.isEmpty()) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** containerd's {@code validateImage}: the name, labels, and the target fields that are stored. */
    static void validate(Image image) {
        if (image.name() == null || image.name().isEmpty()) {
            throw Errdefs.invalidArgument("image name must not be empty");
        }
        try {
            Labels.validate(image.labels());
        } catch (ContainerdException e) {
            throw e.wrap("image.Labels");
        }
        Descriptor target = target(image);
        String digest = target.digest() == null ? "" : target.digest().toString();
        try {
            Digest.parse(digest);
        } catch (Digest.InvalidDigestException e) {
            throw Errdefs.invalidArgument("Target.Digest %s invalid: %s", q(digest), e.getMessage());
        }
        if (target.size() <= 0) {
            throw Errdefs.invalidArgument("Target.Size must be greater than zero");
        }
        if (target.mediaType().isEmpty()) {
            throw Errdefs.invalidArgument("Target.MediaType must be set");
        }
    }

    /**
     * The fields filters see: {@code name}, {@code target.digest}, {@code target.mediatype},
     * {@code labels.<key>}, {@code annotations.<key>} (the target's).
     */
    static Adaptor adaptor(Image image) {
        return path -> {
            if (path.isEmpty()) {
                return null;
            }
            return switch (path.get(0)) {
                case "name" -> nonEmpty(image.name());
                case "target" -> {
                    if (path.size() < 2) {
                        yield null;
                    }
                    Descriptor t = target(image);
                    yield switch (path.get(1)) {
                        case "digest" -> t.digest() == null ? null : nonEmpty(t.digest().toString());
                        case "mediatype" -> nonEmpty(t.mediaType());
                        default -> null;
                    };
                }
                case "labels" -> inMap(path, image.labels());
                case "annotations" -> inMap(path, target(image).annotations());
                default -> null;
            };
        };
    }

    private static String inMap(List<String> path, Map<String, String> m) {
        return m.isEmpty() ? null : m.get(String.join(".", path.subList(1, path.size())));
    }

    private static String nonEmpty(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
