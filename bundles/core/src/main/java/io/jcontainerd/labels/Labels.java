package io.jcontainerd.labels;

import io.jcontainerd.errdefs.Errdefs;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** containerd's label rules: a key and its value together take at most 4096 bytes. */
public final class Labels {
    /** The largest size of key plus value, in UTF-8 bytes. */
    public static final int MAX_SIZE = 4096;

    private Labels() {
    }

    /** Checks one label, throwing InvalidArgument with containerd's message when it is too large. */
    public static void validate(String key, String value) {
        int size = utf8Length(key) + utf8Length(value);
        if (size > MAX_SIZE) {
            String shortKey = key.length() > 10 ? key.substring(0, 10) : key;
            throw Errdefs.invalidArgument("label key and value greater than maximum size (%d bytes), key: %s",
                    MAX_SIZE, shortKey);
        }
    }

    /** Checks every label of a map. */
    public static void validate(Map<String, String> labels) {
        if (labels != null) {
            labels.forEach(Labels::validate);
        }
    }

    private static int utf8Length(String s) {
        return s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length;
    }
}
