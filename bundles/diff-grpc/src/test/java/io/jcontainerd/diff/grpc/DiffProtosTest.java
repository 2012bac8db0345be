package io.jcontainerd.diff.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jcontainerd.digest.Digest;
import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.ErrorCode;
import io.jcontainerd.images.Descriptor;
import io.jcontainerd.mount.Mount;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DiffProtosTest {
    static final String DIGEST = "sha256:" + "ab".repeat(32);

    @Test
    void mountsAndDescriptorsConvertBothWays() {
        List<Mount> m = DiffProtos.mounts(List.of(containerd.types.Mount.newBuilder().setType("overlay")
                .setSource("overlay").setTarget("ignored").addOptions("lowerdir=/a:/b").addOptions("upperdir=/c").build()));
        assertEquals(List.of(new Mount("overlay", "overlay", List.of("lowerdir=/a:/b", "upperdir=/c"))), m);

        containerd.types.Descriptor p = containerd.types.Descriptor.newBuilder()
                .setMediaType("application/vnd.oci.image.layer.v1.tar+gzip").setDigest(DIGEST).setSize(42)
                .putAnnotations("k", "v").build();
        Descriptor d = DiffProtos.descriptor(p);
        assertEquals(new Descriptor("application/vnd.oci.image.layer.v1.tar+gzip", Digest.parse(DIGEST), 42,
                Map.of("k", "v")), d);
        assertEquals(p, DiffProtos.toProto(d));
    }

    @Test
    void aBadDigestIsInvalidArgument() {
        ContainerdException e = assertThrows(ContainerdException.class, () -> DiffProtos.descriptor(
                containerd.types.Descriptor.newBuilder().setDigest("nope").build()));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    }
}
