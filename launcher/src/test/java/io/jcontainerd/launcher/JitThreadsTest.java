package io.jcontainerd.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class JitThreadsTest {
    private interface Prio extends Library {
        Prio C = Native.load("c", Prio.class);

        /** On Linux, who 0 with PRIO_PROCESS (0) is the calling thread. */
        int setpriority(int which, int who, int prio);
    }

    @Test
    void fieldsAreCountedFromTheLastParenthesis() {
        String stat = "4242 (C2 Compiler) (x) S 1 4242 4242 0 -1 4194624 0 0 0 0 5 3 0 0 39 19 1 0 100 0 0"
                + " 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 5 0 0 0";
        assertEquals("S", JitThreads.field(stat, 3));
        assertEquals("19", JitThreads.field(stat, 19));
        assertEquals("5", JitThreads.field(stat, JitThreads.POLICY_FIELD));
    }

    @Test
    void onlyTheThreadsAtNice19GoToTheIdleClass() throws Exception {
        try (Lowered t = Lowered.start()) {
            int self = tid();
            assertEquals("0", policy(t.tid), "before");

            List<Integer> moved = JitThreads.toIdle();

            assertEquals(List.of(t.tid), moved);
            assertEquals(Integer.toString(JitThreads.SCHED_IDLE), policy(t.tid));
            assertEquals("0", policy(self), "the calling thread stays");
            assertFalse(JitThreads.atNice(Path.of("/proc/self/task"), JitThreads.COMPILER_NICE).contains(self));
        }
    }

    @Test
    void nothingMovesWhenTheCallerIsAtNice19Too() throws Exception {
        try (Lowered t = Lowered.start()) {
            AtomicReference<Object> result = new AtomicReference<>();
            AtomicInteger callerTid = new AtomicInteger();
            // the caller lowers itself first, as in a daemon started at nice 19 all threads are
            Thread caller = new Thread(() -> {
                try {
                    callerTid.set(tid());
                    lower();
                    result.set(JitThreads.toIdle());
                } catch (Exception e) {
                    result.set(e);
                }
            }, "caller");
            caller.start();
            caller.join(10_000);
            awaitGone(callerTid.get());

            assertEquals(List.of(), result.get());
            assertEquals("0", policy(t.tid), "the other nice-19 thread stays in the normal class");
        }
    }

    /** A thread that lowered itself to nice 19 and waits until closed. */
    private static final class Lowered implements AutoCloseable {
        private final CountDownLatch done = new CountDownLatch(1);
        private final Thread thread;
        private volatile int tid;

        private Lowered() throws InterruptedException {
            CountDownLatch lowered = new CountDownLatch(1);
            thread = new Thread(() -> {
                try {
                    tid = tid();
                    lower();
                    lowered.countDown();
                    done.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "nice-19");
            thread.setDaemon(true);
            thread.start();
            assertTrue(lowered.await(10, TimeUnit.SECONDS), "thread lowered to nice 19");
        }

        static Lowered start() throws InterruptedException {
            return new Lowered();
        }

        @Override
        public void close() throws InterruptedException {
            done.countDown();
            thread.join(10_000);
            awaitGone(tid);
        }
    }

    /**
     * Waits until thread {@code tid} has left /proc: a joined Java thread's kernel thread may still be
     * listed, at its nice value, for a moment after, and the next test would find it.
     */
    private static void awaitGone(int tid) throws InterruptedException {
        Path task = Path.of("/proc/self/task/" + tid);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Files.exists(task) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertFalse(Files.exists(task), "thread " + tid + " has ended");
    }

    private static void lower() {
        if (Prio.C.setpriority(0, 0, JitThreads.COMPILER_NICE) != 0) {
            throw new IllegalStateException("setpriority: errno " + Native.getLastError());
        }
    }

    private static int tid() throws IOException {
        return Integer.parseInt(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString());
    }

    private static String policy(int tid) throws Exception {
        return JitThreads.field(Files.readString(Path.of("/proc/self/task/" + tid + "/stat")), JitThreads.POLICY_FIELD);
    }
}
