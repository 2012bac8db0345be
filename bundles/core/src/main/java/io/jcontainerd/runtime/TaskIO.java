package io.jcontainerd.runtime;

/**
 * Where a process's standard streams go: paths (usually FIFOs made by the client) handed to the shim
 * as they are.
 *
 * @param stdin    stdin path, or empty for none
 * @param stdout   stdout path, or empty
 * @param stderr   stderr path, or empty
 * @param terminal whether the process gets a pseudo terminal (then stdout carries both outputs)
 */
public record TaskIO(String stdin, String stdout, String stderr, boolean terminal) {
    public TaskIO {
        stdin = stdin == null ? "" : stdin;
        stdout = stdout == null ? "" : stdout;
        stderr = stderr == null ? "" : stderr;
    }
}
