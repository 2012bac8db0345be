package io.jcontainerd.runtime;

import io.jcontainerd.types.TypedValue;

/**
 * One process of a task, as {@code Pids} lists them.
 *
 * @param pid  its host pid
 * @param info runtime details (runc: {@code containerd.runc.v1.ProcessDetails} naming the exec), or {@code null}
 */
public record ProcessInfo(int pid, TypedValue info) {
}
