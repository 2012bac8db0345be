package io.jcontainerd.tasks.grpc;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import containerd.services.tasks.v1.DeleteResponse;
import io.jcontainerd.mount.Mount;
import io.jcontainerd.runtime.Exit;
import io.jcontainerd.runtime.ProcessState;
import io.jcontainerd.types.TypedValue;
import java.time.Instant;

/** Conversions between the tasks API's messages and the service's records. */
final class TaskProtos {
    private TaskProtos() {
    }

    static Timestamp timestamp(Instant i) {
        return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
    }

    static Any any(TypedValue v) {
        return Any.newBuilder().setTypeUrl(v.typeUrl()).setValue(ByteString.copyFrom(v.value())).build();
    }

    /** {@code null} when the field is absent. */
    static TypedValue typed(boolean present, Any a) {
        return present ? new TypedValue(a.getTypeUrl(), a.getValue().toByteArray()) : null;
    }

    static Mount mount(containerd.types.Mount m) {
        return new Mount(m.getType(), m.getSource(), m.getOptionsList());
    }

    static containerd.v1.types.Process process(ProcessState s) {
        return containerd.v1.types.Process.newBuilder().setId(s.id()).setPid(s.pid())
                .setStatusValue(s.status().ordinal()).setStdin(s.io().stdin()).setStdout(s.io().stdout())
                .setStderr(s.io().stderr()).setTerminal(s.io().terminal()).setExitStatus(s.exitStatus())
                .setExitedAt(timestamp(s.exitedAt())).build();
    }

    static DeleteResponse deleted(String id, Exit e) {
        return DeleteResponse.newBuilder().setId(id).setPid(e.pid()).setExitStatus(e.status())
                .setExitedAt(timestamp(e.timestamp())).build();
    }
}
