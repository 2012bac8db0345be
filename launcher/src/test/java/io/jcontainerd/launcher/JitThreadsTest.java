package io.jcontainerd.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
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
        AtomicInteger tid = new AtomicInteger();
        CountDownLatch lowered = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            try {
                tid.set(Integer.parseInt(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString()));
                if (Prio.C.setpriority(0, 0, JitThreads.COMPILER_NICE) != 0) {
                    throw new IllegalStateException("setpriority: errno " + Native.getLastError());
                }
                lowered.countDown();
                done.await();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "nice-19");
        t.setDaemon(true);
        t.start();
        try {
            assertTrue(lowered.await(10, java.util.concurrent.TimeUnit.SECONDS), "thread lowered to nice 19");
            int self = Integer.parseInt(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString());
            assertEquals("0", policy(tid.get()), "before");

            List<Integer> moved = JitThreads.toIdle();

            assertEquals(List.of(tid.get()), moved);
            assertEquals(Integer.toString(JitThreads.SCHED_IDLE), policy(tid.get()));
            assertEquals("0", policy(self), "the calling thread stays");
            assertFalse(JitThreads.atNice(Path.of("/proc/self/task"), JitThreads.COMPILER_NICE).contains(self));
        } finally {
            done.countDown();
            t.join(10_000);
        }
    }

    private static String policy(int tid) throws Exception {
        return JitThreads.field(Files.readString(Path.of("/proc/self/task/" + tid + "/stat")), JitThreads.POLICY_FIELD);
    }
}
