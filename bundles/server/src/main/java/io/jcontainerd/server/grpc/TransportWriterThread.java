package io.jcontainerd.server.grpc;

/**
 * A thread that writes what it sends to a client's connection itself, where any other thread hands the
 * write to the transport's pool. Give it to work that sends to one client at a time (the server's call
 * threads, an event subscription's sender), where waiting for that client's socket, once the kernel's
 * buffer is full, holds up nobody else: it saves a hand-off per write.
 */
public class TransportWriterThread extends Thread {
    public TransportWriterThread(Runnable task, String name) {
        super(task, name);
        setDaemon(true);
    }
}
