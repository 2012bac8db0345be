package io.jcontainerd.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The restart monitor ({@code io.containerd.internal.v1.restart}, here every second) with the real
 * shim and runc: a container labelled {@code containerd.io/restart.status=running} gets a new task
 * when its task dies, with its output going where {@code containerd.io/restart.loguri} says, and
 * {@code =stopped} takes its task away. These are the labels containerd's Go client
 * ({@code runtime/restart}) sets.
 */
public class RestartMonitorIT {
    private static final String IMAGE = RunIT.IMAGE;
    private static final String NS = "jcd-restart";
    private static final Path FIFOS = Path.of("/run/containerd/fifo");
    private static Daemon ours;
    private static Set<Path> fifosBefore;
    private static Set<Path> cgroupsBefore;

    @BeforeClass
    public static void start() throws Exception {
        fifosBefore = Processes.entries(FIFOS);
        cgroupsBefore = Processes.cgroupsNamed(NS);
        ours = Daemon.create("[plugins.\"io.containerd.internal.v1.restart\"]\n  interval = \"1s\"").start();
        ours.importBusybox(NS, IMAGE);
    }

    @AfterClass
    public static void stop() throws Exception {
        if (ours != null) {
            for (String id : ctr("containers", "ls", "-q").out().lines().toList()) {
                ctr("containers", "label", id, "containerd.io/restart.status=");
            }
            ours.removeTasksAndContainers(NS);
            ours.close();
        }
        Processes.removeEmptyAdded(FIFOS, fifosBefore);
        Processes.removeAddedCgroups(NS, cgroupsBefore);
    }

    @Test
    public void aDeadTaskIsStartedAgainAndAStoppedLabelTakesItAway() throws Exception {
        Path log = ours.dir.resolve("r1.log");
        // labelled once running: a pass between ctr's task create and start would see a created task,
        // not a running one, and replace it (containerd's monitor does the same)
        Processes.Result run = ctr("run", "-d", IMAGE, "r1", "sh", "-c", "echo started; sleep 1000");
        assertEquals(run.toString(), 0, run.rc());
        String first = await("r1", "r1 running", s -> s.matches("\\d+ RUNNING"));
        assertEquals(0, ctr("containers", "label", "r1", "containerd.io/restart.status=running",
                "containerd.io/restart.loguri=file://" + log).rc());
        Thread.sleep(1500);
        assertEquals("a running task is left alone", first, task("r1"));
        assertTrue(!Files.exists(log));

        assertEquals(0, ctr("tasks", "kill", "-s", "9", "r1").rc());
        String second = await("r1", "r1 running again", s -> s.matches("\\d+ RUNNING") && !s.equals(first));
        assertNotEquals(first, second);
        awaitTrue("the new task's output in " + log, () -> Files.exists(log) && Files.readString(log).equals("started\n"));

        assertEquals(0, ctr("containers", "label", "r1", "containerd.io/restart.status=stopped").rc());
        await("r1", "r1 without a task", String::isEmpty);

        assertEquals(0, ctr("containers", "label", "r1", "containerd.io/restart.status=running").rc());
        await("r1", "r1 running once more", s -> s.matches("\\d+ RUNNING"));

        // without the label the monitor leaves the task alone: it stays stopped
        assertEquals(0, ctr("containers", "label", "r1", "containerd.io/restart.status=").rc());
        Thread.sleep(1500); // a pass that still saw the label may be under way
        assertEquals(0, ctr("tasks", "kill", "-s", "9", "r1").rc());
        await("r1", "r1 stopped", s -> s.endsWith(" STOPPED"));
        Thread.sleep(2500);
        assertTrue(task("r1").endsWith(" STOPPED"));
        assertEquals(0, ctr("tasks", "delete", "r1").rc());
        assertEquals(0, ctr("containers", "rm", "r1").rc());
    }

    /** The task's "PID STATUS" as {@code ctr tasks ls} shows it, or "" when the container has none. */
    private static String task(String id) throws Exception {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(id) + "\\s+(\\d+)\\s+(\\w+)\\s*$")
                .matcher(ctr("tasks", "ls").out());
        return m.find() ? m.group(1) + " " + m.group(2) : "";
    }

    private static String await(String id, String what, Predicate<String> done) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        String now = task(id);
        while (!done.test(now)) {
            assertTrue(what + ", is [" + now + "]", System.nanoTime() < deadline);
            Thread.sleep(100);
            now = task(id);
        }
        return now;
    }

    @FunctionalInterface
    private interface Check {
        boolean ok() throws Exception;
    }

    private static void awaitTrue(String what, Check check) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!check.ok()) {
            assertTrue(what, System.nanoTime() < deadline);
            Thread.sleep(100);
        }
    }

    private static Processes.Result ctr(String... args) throws Exception {
        List<String> a = new java.util.ArrayList<>(List.of("-n", NS));
        a.addAll(List.of(args));
        return Processes.ctr(ours.socket, a.toArray(String[]::new));
    }
}
