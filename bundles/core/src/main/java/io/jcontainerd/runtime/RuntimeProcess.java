package io.jcontainerd.runtime;

/**
 * A process of a task: its init process (the task itself) or one added by exec. Calls go to the
 * shim; failures are {@link io.jcontainerd.errdefs.ContainerdException}s with the shim's class and
 * message.
 */
public interface RuntimeProcess {
    /** The container id for the init process, the exec id otherwise. */
    String id();

    /** The current state; NotFound when the process or its shim is gone. */
    ProcessState state();

    /** Starts the process; answers its pid. */
    int start();

    /** Sends {@code signal}; with {@code all}, to every process of the task. */
    void kill(int signal, boolean all);

    void resizePty(int width, int height);

    /** Closes the process's stdin. */
    void closeIO();

    /** Blocks until the process has exited (answers at once if it has). */
    Exit waitExit();

    /** Removes the process from its task, answering how it ended. */
    Exit delete();
}
