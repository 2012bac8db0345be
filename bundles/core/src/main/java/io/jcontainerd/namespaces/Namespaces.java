package io.jcontainerd.namespaces;

import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.Errdefs;
import io.jcontainerd.identifiers.Identifiers;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The namespace rules every namespaced request goes through (containerd's {@code NamespaceRequired}). */
public final class Namespaces {
    /** The gRPC metadata key carrying the namespace. */
    public static final String GRPC_HEADER = "containerd-namespace";
    /** The ttrpc metadata key carrying the namespace. */
    public static final String TTRPC_HEADER = "containerd-namespace-ttrpc";
    /** The namespace clients use when none is given. */
    public static final String DEFAULT = "default";

    private Namespaces() {
    }

    /**
     * Checks a namespace taken from a request header: absent or empty is FailedPrecondition
     * {@code namespace is required}, invalid is InvalidArgument {@code namespace validation: ...}.
     *
     * @return the namespace
     */
    public static String required(String namespace) {
        if (namespace == null || namespace.isEmpty()) {
            throw Errdefs.failedPrecondition("namespace is required");
        }
        if (VALID.containsKey(namespace)) {
            return namespace; // every namespaced call checks it; most use a handful of namespaces
        }
        try {
            Identifiers.validate(namespace);
        } catch (ContainerdException e) {
            throw e.wrap("namespace validation");
        }
        if (VALID.size() < 1024) {
            VALID.put(namespace, Boolean.TRUE);
        }
        return namespace;
    }

    /** Namespaces already found valid (bounded; identifiers never become invalid). */
    private static final Map<String, Boolean> VALID = new ConcurrentHashMap<>();
}
