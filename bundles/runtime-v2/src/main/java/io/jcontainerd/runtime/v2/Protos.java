package io.jcontainerd.runtime.v2;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.jcontainerd.mount.Mount;
import io.jcontainerd.runtime.ProcessState;
import io.jcontainerd.runtime.Status;
import io.jcontainerd.runtime.TaskIO;
import io.jcontainerd.types.TypedValue;
import java.time.Instant;

/** Conversions between the shim API's messages and the runtime's records. */
final class Protos {
    private Protos() {
    }

    static Instant instant(Timestamp t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }

    static Timestamp timestamp(Instant i) {
        return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
    }

    static Any any(TypedValue v) {
        return Any.newBuilder().setTypeUrl(v.typeUrl()).setValue(ByteString.copyFrom(v.value())).build();
    }

    /** {@code null} for an absent (default) Any. */
    static TypedValue typed(Any a) {
        if (a == null || a.getTypeUrl().isEmpty() && a.getValue().isEmpty()) {
            return null;
        }
        return new TypedValue(a.getTypeUrl(), a.getValue().toByteArray());
    }

    static containerd.types.Mount mount(Mount m) {
        return containerd.types.Mount.newBuilder().setType(m.type()).setSource(m.source())
                .addAllOptions(m.options()).build();
    }

    static ProcessState state(String id, containerd.task.v2.StateResponse r) {
        return new ProcessState(id, r.getPid(), Status.ofNumber(r.getStatusValue()),
                new TaskIO(r.getStdin(), r.getStdout(), r.getStderr(), r.getTerminal()), r.getExitStatus(),
                instant(r.getExitedAt()));
    }
}
