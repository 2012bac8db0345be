package io.jcontainerd.runtime;

import io.jcontainerd.types.TypedValue;

/**
 * What a runtime needs to add a process to a task.
 *
 * @param spec the OCI process spec as the client encoded it
 * @param io   the process's stdio
 */
public record ExecOpts(TypedValue spec, TaskIO io) {
}
