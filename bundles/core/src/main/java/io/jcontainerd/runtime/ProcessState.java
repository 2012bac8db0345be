package io.jcontainerd.runtime;

import java.time.Instant;

/**
 * A process's state as its shim reports it.
 *
 * @param id         the container id for a task's init process, else the exec id
 * @param pid        the process id on the host (0 before start)
 * @param status     its status
 * @param io         its stdio paths
 * @param exitStatus its exit status once stopped
 * @param exitedAt   when it exited; the shim's zero time ({@code 0001-01-01}) while it runs
 */
public record ProcessState(String id, int pid, Status status, TaskIO io, int exitStatus, Instant exitedAt) {
}
