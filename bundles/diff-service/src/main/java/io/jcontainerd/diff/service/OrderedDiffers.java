package io.jcontainerd.diff.service;

import io.jcontainerd.diff.Differ;
import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.ErrorCode;
import io.jcontainerd.errdefs.Errdefs;
import io.jcontainerd.images.Descriptor;
import io.jcontainerd.mount.Mount;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * containerd's diff service logic: the differs named in the configured order, each tried in turn until
 * one does not answer NotImplemented (a media type it does not handle).
 */
class OrderedDiffers implements Differ {
    private final List<Differ> differs;

    /** The differs of {@code order}, picked from {@code byName}; a name with no differ is an error. */
    OrderedDiffers(List<String> order, Map<String, Differ> byName) {
        List<Differ> picked = new ArrayList<>();
        for (String name : order) {
            Differ d = byName.get(name);
            if (d == null) {
                throw new IllegalStateException("needed differ not loaded: " + name); // containerd's words
            }
            picked.add(d);
        }
        this.differs = List.copyOf(picked);
    }

    @Override
    public Descriptor apply(String namespace, Descriptor layer, List<Mount> mounts, Map<String, byte[]> payloads) {
        return first(d -> d.apply(namespace, layer, mounts, payloads));
    }

    @Override
    public Descriptor compare(String namespace, String lease, List<Mount> lower, List<Mount> upper, String mediaType,
            String ref, Map<String, String> labels) {
        return first(d -> d.compare(namespace, lease, lower, upper, mediaType, ref, labels));
    }

    private Descriptor first(java.util.function.Function<Differ, Descriptor> call) {
        ContainerdException last = Errdefs.notImplemented("no differ configured");
        for (Differ d : differs) {
            try {
                return call.apply(d);
            } catch (ContainerdException e) {
                if (e.code() != ErrorCode.NOT_IMPLEMENTED) {
                    throw e;
                }
                last = e;
            }
        }
        throw last;
    }
}
