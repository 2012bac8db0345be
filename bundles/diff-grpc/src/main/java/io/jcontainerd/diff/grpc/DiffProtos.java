package io.jcontainerd.diff.grpc;

import io.jcontainerd.digest.Digest;
import io.jcontainerd.errdefs.Errdefs;
import io.jcontainerd.images.Descriptor;
import io.jcontainerd.mount.Mount;
import java.util.ArrayList;
import java.util.List;

/** Conversions between the diff service's protobuf types and the domain's. */
final class DiffProtos {
    private DiffProtos() {
    }

    static List<Mount> mounts(List<containerd.types.Mount> in) {
        List<Mount> out = new ArrayList<>(in.size());
        for (containerd.types.Mount m : in) {
            out.add(new Mount(m.getType(), m.getSource(), m.getOptionsList()));
        }
        return out;
    }

    static Descriptor descriptor(containerd.types.Descriptor d) {
        Digest digest;
        try {
            digest = Digest.parse(d.getDigest());
        } catch (Digest.InvalidDigestException e) {
            throw Errdefs.invalidArgument("invalid digest %s", Errdefs.q(d.getDigest()));
        }
        return new Descriptor(d.getMediaType(), digest, d.getSize(), d.getAnnotationsMap());
    }

    static containerd.types.Descriptor toProto(Descriptor d) {
        return containerd.types.Descriptor.newBuilder().setMediaType(d.mediaType())
                .setDigest(d.digest() == null ? "" : d.digest().toString()).setSize(d.size())
                .putAllAnnotations(d.annotations()).build();
    }
}
