package io.jcontainerd.ttrpc;

import jdk.net.UnixDomainPrincipal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a server handler knows about the call besides its payload.
 *
 * @param service  the service name, e.g. {@code containerd.services.events.ttrpc.v1.Events}
 * @param method   the method name, e.g. {@code Forward}
 * @param metadata the request metadata, keys as the client sent them, values in order
 * @param deadline when the client stops waiting ({@code timeout_nano} after receipt), or {@code null}
 * @param peer     the connected process's user and group (SO_PEERCRED)
 */
public record CallContext(String service, String method, Map<String, List<String>> metadata, Instant deadline,
        UnixDomainPrincipal peer) {

    /** The first value of a metadata key (case-insensitive as Go's {@code MD.Get}), or {@code null}. */
    public String metadataValue(String key) {
        List<String> values = metadata.get(key);
        if (values == null) {
            for (Map.Entry<String, List<String>> e : metadata.entrySet()) {
                if (e.getKey().equalsIgnoreCase(key)) {
                    values = e.getValue();
                    break;
                }
            }
        }
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
