package io.jcontainerd.images;

import io.jcontainerd.digest.Digest;
import java.util.Map;

/** An OCI content descriptor. @param annotations never {@code null} */
public record Descriptor(String mediaType, Digest digest, long size, Map<String, String> annotations) {
    public Descriptor {
        mediaType = mediaType == null ? "" : mediaType;
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }
}
