package io.jcontainerd.types;

import java.util.Arrays;
import java.util.Objects;

/**
 * An encoded value with its type, as protobuf's {@code Any} carries it on the wire: a container's
 * spec and runtime options, an event's payload. The bytes are kept as the client sent them.
 *
 * @param typeUrl the type, in containerd's short form ({@code containerd.events.ContainerCreate},
 *                {@code types.containerd.io/opencontainers/runtime-spec/1/Spec})
 * @param value   the encoded value, never {@code null}
 */
public record TypedValue(String typeUrl, byte[] value) {
    public TypedValue {
        Objects.requireNonNull(typeUrl, "typeUrl");
        value = value == null ? new byte[0] : value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TypedValue t && typeUrl.equals(t.typeUrl) && Arrays.equals(value, t.value);
    }

    @Override
    public int hashCode() {
        return typeUrl.hashCode() * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "TypedValue[" + typeUrl + ", " + value.length + " bytes]";
    }
}
