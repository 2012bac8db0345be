package io.jcontainerd.images.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jcontainerd.digest.Digest;
import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.images.Descriptor;
import io.jcontainerd.images.Image;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ImageProtosTest {
    static final String DIGEST = "sha256:" + "b".repeat(64);

    static containerd.services.images.v1.Image proto(String digest) {
        return containerd.services.images.v1.Image.newBuilder().setName("n").putLabels("l", "v")
                .setTarget(containerd.types.Descriptor.newBuilder().setMediaType("m").setDigest(digest).setSize(7)
                        .putAnnotations("a", "b"))
                .build();
    }

    @Test
    void roundTrip() {
        Image image = ImageProtos.fromProto(proto(DIGEST), true);
        assertEquals(new Image("n", Map.of("l", "v"), new Descriptor("m", Digest.parse(DIGEST), 7, Map.of("a", "b")), null, null), image);
        Instant t = Instant.ofEpochSecond(1700000000, 5);
        containerd.services.images.v1.Image back = ImageProtos.toProto(new Image("n", Map.of("l", "v"), image.target(), t, t));
        assertEquals(proto(DIGEST).toBuilder().setCreatedAt(ImageProtos.timestamp(t)).setUpdatedAt(ImageProtos.timestamp(t)).build(), back);
    }

    @Test
    void badDigestsAreRefusedOnlyWhereTheTargetIsUsed() {
        ContainerdException e = assertThrows(ContainerdException.class, () -> ImageProtos.fromProto(proto("sha256:xyz"), true));
        assertEquals("Target.Digest \"sha256:xyz\" invalid: invalid checksum digest length: invalid argument", e.getMessage());
        assertEquals("Target.Digest \"nocolon\" invalid: invalid checksum digest format: invalid argument",
                assertThrows(ContainerdException.class, () -> ImageProtos.fromProto(proto("nocolon"), true)).getMessage());
        assertNull(ImageProtos.fromProto(proto("nocolon"), false).target().digest());
        assertNull(ImageProtos.fromProto(proto(""), true).target().digest(), "the store reports a missing digest");
    }

    @Test
    void unsetTimesAreGosZeroTime() {
        assertEquals(-62135596800L, ImageProtos.timestamp(null).getSeconds());
    }
}
