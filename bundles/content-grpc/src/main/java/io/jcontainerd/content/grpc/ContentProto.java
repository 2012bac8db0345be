package io.jcontainerd.content.grpc;

import com.google.protobuf.Timestamp;
import containerd.services.content.v1.Info;
import containerd.services.content.v1.Status;
import io.jcontainerd.content.ContentInfo;
import io.jcontainerd.content.IngestStatus;
import io.jcontainerd.digest.Digest;
import java.time.Instant;

/** Conversions between the content API messages and the domain records. */
final class ContentProto {
    /**
     * Go's zero time as gogo writes a non-nullable timestamp nobody set (containerd's List leaves
     * {@code updated_at} unset, for one).
     */
    static final Timestamp GO_ZERO_TIME = Timestamp.newBuilder().setSeconds(-62135596800L).build();

    private ContentProto() {
    }

    static Timestamp time(Instant t) {
        return t == null ? GO_ZERO_TIME : Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }

    static Instant instant(Timestamp t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }

    /** The whole record, as Info and Update answer. */
    static Info info(ContentInfo i) {
        return Info.newBuilder().setDigest(i.digest().toString()).setSize(i.size())
                .setCreatedAt(time(i.createdAt())).setUpdatedAt(time(i.updatedAt()))
                .putAllLabels(i.labels()).build();
    }

    /** The record as List sends it: containerd fills digest, size, created and labels only. */
    static Info listed(ContentInfo i) {
        return Info.newBuilder().setDigest(i.digest().toString()).setSize(i.size())
                .setCreatedAt(time(i.createdAt())).setUpdatedAt(GO_ZERO_TIME)
                .putAllLabels(i.labels()).build();
    }

    static ContentInfo fromProto(Digest digest, Info i) {
        return new ContentInfo(digest, i.getSize(), i.hasCreatedAt() ? instant(i.getCreatedAt()) : null,
                i.hasUpdatedAt() ? instant(i.getUpdatedAt()) : null, i.getLabelsMap());
    }

    static Status status(IngestStatus s) {
        return Status.newBuilder().setStartedAt(time(s.startedAt())).setUpdatedAt(time(s.updatedAt()))
                .setRef(s.ref()).setOffset(s.offset()).setTotal(s.total())
                .setExpected(s.expected() == null ? "" : s.expected().toString()).build();
    }
}
