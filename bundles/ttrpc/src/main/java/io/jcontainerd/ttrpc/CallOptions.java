package io.jcontainerd.ttrpc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Per-call settings of a client call.
 *
 * @param timeout  how long the caller waits; sent to the server as {@code timeout_nano} and enforced
 *                 locally (the call fails with DEADLINE_EXCEEDED). {@code null}: no limit.
 * @param metadata request metadata, keys lower case (as Go ttrpc's {@code MD.Set}), values in order
 */
public record CallOptions(Duration timeout, Map<String, List<String>> metadata) {
    /** No timeout, no metadata. */
    public static final CallOptions NONE = new CallOptions(null, Map.of());

    public CallOptions {
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        Map<String, List<String>> copy = new LinkedHashMap<>();
        metadata.forEach((k, v) -> copy.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
        metadata = java.util.Collections.unmodifiableMap(copy);
    }

    public static CallOptions timeout(Duration timeout) {
        return NONE.withTimeout(timeout);
    }

    public CallOptions withTimeout(Duration t) {
        return new CallOptions(Objects.requireNonNull(t, "timeout"), metadata);
    }

    /** These options with {@code value} appended to {@code key}'s values. */
    public CallOptions withMetadata(String key, String value) {
        Map<String, List<String>> m = new LinkedHashMap<>(metadata);
        List<String> values = new ArrayList<>(m.getOrDefault(key.toLowerCase(Locale.ROOT), List.of()));
        values.add(value);
        m.put(key.toLowerCase(Locale.ROOT), values);
        return new CallOptions(timeout, m);
    }
}
