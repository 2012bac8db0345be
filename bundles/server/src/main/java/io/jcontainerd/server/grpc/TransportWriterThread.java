package io.jcontainerd.server.grpc;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

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

    /**
     * A pool of such threads that grows as tasks come, named {@code prefix} and a number, and ends
     * threads idle for {@code keepAliveSeconds}.
     */
    public static ExecutorService pool(String prefix, long keepAliveSeconds) {
        AtomicInteger n = new AtomicInteger();
        return new ThreadPoolExecutor(0, Integer.MAX_VALUE, keepAliveSeconds, TimeUnit.SECONDS,
                new SynchronousQueue<>(), r -> new TransportWriterThread(r, prefix + n.incrementAndGet()));
    }
}
