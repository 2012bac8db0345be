package io.jcontainerd.diff.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jcontainerd.diff.Differ;
import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.ErrorCode;
import io.jcontainerd.errdefs.Errdefs;
import io.jcontainerd.digest.Digest;
import io.jcontainerd.images.Descriptor;
import io.jcontainerd.mount.Mount;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The order containerd's diff service tries its differs in, and when it moves on to the next. */
class OrderedDiffersTest {
    /** A differ that handles one media type and answers NotImplemented (as the walking differ does) for others. */
    private record OneType(String mediaType, String name) implements Differ {
        @Override
        public Descriptor apply(String namespace, Descriptor layer, List<Mount> mounts, Map<String, byte[]> payloads) {
            if (!layer.mediaType().equals(mediaType)) {
                throw Errdefs.notImplemented("unsupported diff media type: %s", layer.mediaType());
            }
            if (layer.size() < 0) {
                throw Errdefs.invalidArgument("%s: bad layer", name);
            }
            return new Descriptor(name, layer.digest(), layer.size(), Map.of());
        }

        @Override
        public Descriptor compare(String namespace, String lease, List<Mount> lower, List<Mount> upper,
                String mediaType, String ref, Map<String, String> labels) {
            return apply(namespace, new Descriptor(mediaType, ZERO, 0, Map.of()), upper, Map.of());
        }
    }

    private static final Digest ZERO = Digest.parse("sha256:" + "0".repeat(64));

    private static final Map<String, Differ> DIFFERS = Map.of("gzip", new OneType("gz", "gzip"),
            "zstd", new OneType("zst", "zstd"));

    private static Descriptor layer(String mediaType, long size) {
        return new Descriptor(mediaType, ZERO, size, Map.of());
    }

    @Test
    void theFirstDifferThatHandlesTheMediaTypeAnswers() {
        OrderedDiffers d = new OrderedDiffers(List.of("gzip", "zstd"), DIFFERS);
        assertEquals("zstd", d.apply("ns", layer("zst", 1), List.of(), Map.of()).mediaType());
        assertEquals("gzip", d.compare("ns", "", List.of(), List.of(), "gz", "", Map.of()).mediaType());
        ContainerdException none = assertThrows(ContainerdException.class,
                () -> d.apply("ns", layer("tar", 1), List.of(), Map.of()));
        assertEquals(ErrorCode.NOT_IMPLEMENTED, none.code());
    }

    @Test
    void anyOtherErrorStopsTheSearch() {
        OrderedDiffers d = new OrderedDiffers(List.of("zstd", "gzip"), DIFFERS);
        assertEquals(ErrorCode.INVALID_ARGUMENT, assertThrows(ContainerdException.class,
                () -> d.apply("ns", layer("gz", -1), List.of(), Map.of())).code());
    }

    @Test
    void aConfiguredDifferThatIsNotThereIsContainerdsError() {
        assertEquals("needed differ not loaded: overlay", assertThrows(IllegalStateException.class,
                () -> new OrderedDiffers(List.of("gzip", "overlay"), DIFFERS)).getMessage());
    }
}
