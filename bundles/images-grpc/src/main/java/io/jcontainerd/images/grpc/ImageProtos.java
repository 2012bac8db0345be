package io.jcontainerd.images.grpc;

import static io.jcontainerd.errdefs.Errdefs.q;

import com.google.protobuf.Timestamp;
import io.jcontainerd.digest.Digest;
import io.jcontainerd.errdefs.Errdefs;
import io.jcontainerd.images.Descriptor;
import io.jcontainerd.images.Image;
import java.time.Instant;

/** Image records to and from the wire. */
final class ImageProtos {
    private ImageProtos() {
    }

    /**
     * The domain form of a request's image. A digest that does not parse is refused here with the
     * message containerd's store gives, but only when the request uses the target
     * ({@code withTarget}); otherwise it is dropped, as containerd never looks at it.
     */
    static Image fromProto(containerd.services.images.v1.Image image, boolean withTarget) {
        containerd.types.Descriptor t = image.getTarget();
        Digest digest = digest(t.getDigest(), withTarget);
        return new Image(image.getName(), image.getLabelsMap(),
                new Descriptor(t.getMediaType(), digest, t.getSize(), t.getAnnotationsMap()), null, null);
    }

    private static Digest digest(String s, boolean strict) {
        if (s.isEmpty()) {
            return null; // the store reports the missing digest
        }
        try {
            return Digest.parse(s);
        } catch (Digest.InvalidDigestException e) {
            if (strict) {
                throw Errdefs.invalidArgument("Target.Digest %s invalid: %s", q(s), e.getMessage());
            }
            return null;
        }
    }

    static containerd.services.images.v1.Image toProto(Image image) {
        Descriptor t = image.target();
        containerd.types.Descriptor.Builder target = containerd.types.Descriptor.newBuilder()
                .setMediaType(t.mediaType())
                .setSize(t.size())
                .putAllAnnotations(t.annotations());
        if (t.digest() != null) {
            target.setDigest(t.digest().toString());
        }
        containerd.services.images.v1.Image.Builder b = containerd.services.images.v1.Image.newBuilder()
                .setName(image.name())
                .putAllLabels(image.labels())
                .setTarget(target);
        // containerd always sends both times (Go's zero time when unset)
        b.setCreatedAt(timestamp(image.createdAt()));
        b.setUpdatedAt(timestamp(image.updatedAt()));
        return b.build();
    }

    private static final Instant GO_ZERO_TIME = Instant.parse("0001-01-01T00:00:00Z");

    static Timestamp timestamp(Instant t) {
        Instant i = t == null ? GO_ZERO_TIME : t;
        return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
    }
}
