package io.jcontainerd.snapshots.grpc.wire;

import com.google.protobuf.Timestamp;
import containerd.services.snapshots.v1.Info;
import io.jcontainerd.mount.Mount;
import io.jcontainerd.snapshots.Kind;
import io.jcontainerd.snapshots.SnapshotInfo;
import java.time.Instant;
import java.util.List;

/** Domain ⇄ wire conversions of the snapshots API, for its service and for proxies to other snapshotters. */
public final class SnapshotProtos {
    /** Go's zero time, which containerd sends for a time it does not have. */
    private static final Instant ZERO = Instant.parse("0001-01-01T00:00:00Z");

    private SnapshotProtos() {
    }

    public static List<containerd.types.Mount> mounts(List<Mount> mounts) {
        return mounts.stream().map(m -> containerd.types.Mount.newBuilder().setType(m.type()).setSource(m.source())
                .addAllOptions(m.options()).build()).toList();
    }

    public static Info info(SnapshotInfo i) {
        return Info.newBuilder().setName(i.name()).setParent(i.parent()).setKind(kind(i.kind()))
                .setCreatedAt(time(i.createdAt())).setUpdatedAt(time(i.updatedAt())).putAllLabels(i.labels()).build();
    }

    public static SnapshotInfo info(Info i) {
        Kind kind = switch (i.getKind()) {
            case ACTIVE -> Kind.ACTIVE;
            case VIEW -> Kind.VIEW;
            default -> Kind.COMMITTED;
        };
        return new SnapshotInfo(i.getName(), i.getParent(), kind, i.getLabelsMap(), instant(i.getCreatedAt()),
                instant(i.getUpdatedAt()));
    }

    /** The domain mounts of wire mounts. */
    public static List<Mount> mounts(java.util.Collection<containerd.types.Mount> mounts) {
        return mounts.stream().map(m -> new Mount(m.getType(), m.getSource(), m.getOptionsList())).toList();
    }

    /** containerd's {@code fromKind}: anything but active and view is committed. */
    private static containerd.services.snapshots.v1.Kind kind(Kind k) {
        return switch (k) {
            case ACTIVE -> containerd.services.snapshots.v1.Kind.ACTIVE;
            case VIEW -> containerd.services.snapshots.v1.Kind.VIEW;
            default -> containerd.services.snapshots.v1.Kind.COMMITTED;
        };
    }

    private static Timestamp time(Instant t) {
        Instant v = t == null ? ZERO : t;
        return Timestamp.newBuilder().setSeconds(v.getEpochSecond()).setNanos(v.getNano()).build();
    }

    private static Instant instant(Timestamp t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }
}
