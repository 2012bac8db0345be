package io.jcontainerd.containers.grpc;

import com.google.protobuf.Any;
import com.google.protobuf.UnsafeByteOperations;
import com.google.protobuf.Timestamp;
import io.jcontainerd.containers.Container;
import io.jcontainerd.types.TypedValue;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** Container records to and from the wire. */
final class ContainerProtos {
    private ContainerProtos() {
    }

    static Container fromProto(containerd.services.containers.v1.Container c) {
        Map<String, TypedValue> extensions = new LinkedHashMap<>();
        c.getExtensionsMap().forEach((k, v) -> extensions.put(k, typed(v)));
        return new Container(c.getId(), c.getLabelsMap(), c.getImage(),
                new Container.Runtime(c.getRuntime().getName(), c.getRuntime().hasOptions() ? typed(c.getRuntime().getOptions()) : null),
                c.hasSpec() ? typed(c.getSpec()) : null,
                c.getSnapshotter(), c.getSnapshotKey(), null, null, extensions);
    }

    static containerd.services.containers.v1.Container toProto(Container c) {
        containerd.services.containers.v1.Container.Runtime.Builder runtime =
                containerd.services.containers.v1.Container.Runtime.newBuilder().setName(c.runtime().name());
        if (c.runtime().options() != null) {
            runtime.setOptions(any(c.runtime().options()));
        }
        containerd.services.containers.v1.Container.Builder b = containerd.services.containers.v1.Container.newBuilder()
                .setId(c.id())
                .putAllLabels(c.labels())
                .setImage(c.image())
                .setRuntime(runtime)
                .setSnapshotter(c.snapshotter())
                .setSnapshotKey(c.snapshotKey());
        if (c.spec() != null) {
            b.setSpec(any(c.spec()));
        }
        if (c.createdAt() != null) {
            b.setCreatedAt(timestamp(c.createdAt()));
        }
        if (c.updatedAt() != null) {
            b.setUpdatedAt(timestamp(c.updatedAt()));
        }
        c.extensions().forEach((k, v) -> b.putExtensions(k, any(v)));
        return b.build();
    }

    static TypedValue typed(Any any) {
        return new TypedValue(any.getTypeUrl(), any.getValue().toByteArray());
    }

    /** The value's bytes are shared, not copied: neither side ever changes them. */
    static Any any(TypedValue v) {
        return Any.newBuilder().setTypeUrl(v.typeUrl()).setValue(UnsafeByteOperations.unsafeWrap(v.value())).build();
    }

    static Timestamp timestamp(Instant t) {
        return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }
}
