package io.jcontainerd.launcher;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Puts the JIT's threads in the kernel's idle scheduling class ({@code SCHED_IDLE}). As root,
 * {@code bin/jcontainerd} has the JVM run its compiler threads (and the threads it runs at their
 * priority: the AOT cache's training replay, JDK 17's code cache sweeper) at nice 19 and every other
 * thread at nice 0, with a fixed set of compiler threads made at the JVM's start; this finds the
 * threads at 19 and moves them. A nice-19 thread gives its CPU to a waking thread of the normal
 * class only when the scheduler's fairness says so; an idle-class one gives it up at once, and a CPU
 * running only idle-class threads counts as free where the kernel places a waking thread.
 */
final class JitThreads {
    /** The JVM's priority for its compiler threads ({@code -XX:CompilerThreadPriority}). */
    static final int COMPILER_NICE = 19;
    static final int SCHED_IDLE = 5;
    /** Fields of {@code /proc/<pid>/task/<tid>/stat} counted from 1, as proc(5) does. */
    private static final int NICE_FIELD = 19;
    static final int POLICY_FIELD = 41;

    private JitThreads() {
    }

    private interface CLib extends Library {
        CLib C = Native.load("c", CLib.class);

        /** sched_setscheduler(2) with a {@code struct sched_param} of one int, the priority. */
        int sched_setscheduler(int pid, int policy, int[] param);
    }

    /**
     * Moves every thread of this process at nice {@value #COMPILER_NICE} to {@code SCHED_IDLE} and
     * returns their ids; a thread gone meanwhile is skipped. Nothing moves when the calling thread is
     * at that nice value itself: the whole daemon was started at it (a service manager's setting), so
     * the JVM's lowered threads cannot be told apart.
     */
    static List<Integer> toIdle() throws IOException {
        String self = Files.readString(Path.of("/proc/thread-self/stat"), StandardCharsets.US_ASCII);
        if (Integer.parseInt(field(self, NICE_FIELD)) >= COMPILER_NICE) {
            return List.of();
        }
        List<Integer> moved = new ArrayList<>();
        for (int tid : atNice(Path.of("/proc/self/task"), COMPILER_NICE)) {
            if (CLib.C.sched_setscheduler(tid, SCHED_IDLE, new int[] {0}) == 0) {
                moved.add(tid);
            } else if (Native.getLastError() != 3 /* ESRCH: the thread has ended */) {
                throw new IOException("sched_setscheduler(" + tid + ", SCHED_IDLE): errno " + Native.getLastError());
            }
        }
        return moved;
    }

    /** The ids of the threads under {@code tasks} ({@code /proc/<pid>/task}) whose nice value is {@code nice}. */
    static List<Integer> atNice(Path tasks, int nice) throws IOException {
        List<Integer> found = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(tasks)) {
            for (Path task : dir) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"), StandardCharsets.US_ASCII);
                } catch (NoSuchFileException ended) {
                    continue;
                }
                if (Integer.parseInt(field(stat, NICE_FIELD)) == nice) {
                    found.add(Integer.parseInt(task.getFileName().toString()));
                }
            }
        }
        return found;
    }

    /**
     * Field {@code n} (from 1) of a {@code stat} line. The command name, field 2, is in parentheses
     * and may itself hold spaces and parentheses, so fields are counted from the last ')'.
     */
    static String field(String stat, int n) {
        String[] rest = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        return rest[n - 3];
    }
}
