package io.jcontainerd.itests;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.google.protobuf.Any;
import com.google.protobuf.Empty;
import com.google.protobuf.Timestamp;
import containerd.events.TaskOOM;
import containerd.services.events.ttrpc.v1.Envelope;
import containerd.services.events.ttrpc.v1.ForwardRequest;
import containerd.task.v2.CreateTaskRequest;
import containerd.task.v2.CreateTaskResponse;
import containerd.task.v2.DeleteRequest;
import containerd.task.v2.DeleteResponse;
import containerd.task.v2.ShutdownRequest;
import containerd.task.v2.StartRequest;
import containerd.task.v2.StartResponse;
import containerd.task.v2.WaitRequest;
import containerd.task.v2.WaitResponse;
import io.jcontainerd.ttrpc.CallOptions;
import io.jcontainerd.ttrpc.TtrpcClient;
import io.jcontainerd.ttrpc.TtrpcClosedException;
import io.jcontainerd.ttrpc.TtrpcException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.Test;

/**
 * The daemon's ttrpc endpoint ({@code <grpc address>.ttrpc}) with the real shim: events a real
 * {@code containerd-shim-runc-v2} publishes there reach {@code ctr events}, exactly as with containerd.
 */
public class TtrpcEventsIT {
    private static final String TASK = "containerd.task.v2.Task";
    private static final CallOptions CALL = CallOptions.timeout(Duration.ofSeconds(30));

    @Test
    public void shimEventsReachCtrEventsAsWithContainerd() throws Exception {
        try (Daemon d = Daemon.create("").start(); Containerd reference = Containerd.start()) {
            Path ttrpc = Path.of(d.socket + ".ttrpc");
            assertTrue("ttrpc socket " + ttrpc, Files.exists(ttrpc));
            assertEquals("rw-rw----", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(ttrpc)));
            List<String> ours = eventsOfARun(d.socket);
            List<String> theirs = eventsOfARun(reference.socket);
            assertEquals(theirs, ours);
            assertEquals(ours.toString(), 4, ours.size());
            assertTrue(ours.toString(), ours.get(0).startsWith("<time> jcd-shim-it /tasks/create {\"container_id\":\"s1\""));
            assertTrue(ours.toString(), ours.get(2).contains("/tasks/exit {\"container_id\":\"s1\",\"id\":\"s1\",\"pid\":<pid>,\"exit_status\":3"));
        }
    }

    @Test
    public void forwardedOomEnvelopeIsPrintedByCtrEventsAsWithContainerd() throws Exception {
        try (Daemon d = Daemon.create("").start(); Containerd reference = Containerd.start()) {
            List<String> ours = oomEvents(d.socket);
            List<String> theirs = oomEvents(reference.socket);
            assertEquals(theirs, ours);
            assertEquals(ours.toString(), 2, ours.size());
            assertEquals("2024-01-02 03:04:05.000000006 +0000 UTC default /tasks/oom {\"container_id\":\"c1\"}", ours.get(0));
            assertTrue(ours.get(1), ours.get(1).startsWith("3 event envelope has invalid namespace: "));
        }
    }

    /**
     * A shim's envelopes reach subscribers in the order the shim sent them, even when it sends the next
     * before the daemon has answered the last: the shim's OOM notice and its exit are two goroutines'
     * calls on one connection, and dockerd marks a container OOM-killed only when the oom event comes
     * before the exit.
     */
    @Test
    public void envelopesSentTogetherOnOneConnectionArriveInTheOrderSent() throws Exception {
        try (Daemon d = Daemon.create("").start()) {
            List<String> sent = new ArrayList<>();
            List<String> printed = forwardingWhileCtrListens(d.socket, (client, opts) -> {
                List<java.util.concurrent.CompletableFuture<byte[]>> calls = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    sent.add("c" + i);
                    calls.add(client.callAsync("containerd.services.events.ttrpc.v1.Events", "Forward",
                            envelope("default", "c" + i).toByteArray(), opts));
                }
                for (var c : calls) {
                    c.get(30, TimeUnit.SECONDS);
                }
            });
            List<String> received = printed.stream()
                    .map(l -> l.replaceFirst(".*/tasks/oom \\{\"container_id\":\"(c\\d+)\"\\}$", "$1")).toList();
            assertEquals(sent, received);
        }
    }

    /** Forwards a TaskOOM envelope (and one with a bad namespace) as a shim would; returns ctr's lines and the error. */
    private static List<String> oomEvents(Path socket) throws Exception {
        List<String> out = new ArrayList<>();
        List<String> printed = new ArrayList<>(forwardingWhileCtrListens(socket, (client, opts) -> {
            client.call("containerd.services.events.ttrpc.v1.Events", "Forward", envelope("default"), Empty.parser(), opts);
            try {
                client.call("containerd.services.events.ttrpc.v1.Events", "Forward", envelope("Bad!"), Empty.parser(), opts);
                out.add("no error");
            } catch (TtrpcException e) {
                out.add(e.code() + " " + e.description());
            }
        }));
        printed.addAll(out);
        return printed;
    }

    /** What a shim does on the daemon's ttrpc endpoint, given its connection and call options (namespace default). */
    private interface Forwarding {
        void run(TtrpcClient client, CallOptions opts) throws Exception;
    }

    /**
     * Runs {@code forwarding} on a connection to the ttrpc endpoint of the daemon at {@code socket} while
     * {@code ctr events} listens; returns the lines ctr printed.
     */
    private static List<String> forwardingWhileCtrListens(Path socket, Forwarding forwarding) throws Exception {
        Path file = Files.createTempFile("jcd-ttrpc-events", ".txt");
        try {
            Process events = new ProcessBuilder("ctr", "--address", socket.toString(), "events")
                    .redirectErrorStream(true).redirectOutput(file.toFile()).start();
            try (TtrpcClient client = TtrpcClient.connect(Path.of(socket + ".ttrpc"))) {
                Thread.sleep(700);
                forwarding.run(client, CALL.withMetadata("containerd-namespace-ttrpc", "default"));
                Thread.sleep(500);
            } finally {
                Processes.terminate(events, 10);
            }
            return Files.readAllLines(file);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static ForwardRequest envelope(String ns) {
        return envelope(ns, "c1");
    }

    private static ForwardRequest envelope(String ns, String container) {
        return ForwardRequest.newBuilder().setEnvelope(Envelope.newBuilder()
                .setTimestamp(Timestamp.newBuilder().setSeconds(Instant.parse("2024-01-02T03:04:05Z").getEpochSecond()).setNanos(6))
                .setNamespace(ns).setTopic("/tasks/oom")
                .setEvent(Any.newBuilder().setTypeUrl("containerd.events.TaskOOM")
                        .setValue(TaskOOM.newBuilder().setContainerId(container).build().toByteString()))).build();
    }

    /**
     * Starts the real shim for the daemon on {@code socket} (TTRPC_ADDRESS = socket + .ttrpc), runs
     * {@code sh -c 'exit 3'} through it while {@code ctr events} listens, and returns ctr's lines with
     * times and pids masked.
     */
    private static List<String> eventsOfARun(Path socket) throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "jcd-shim-it");
        Path bundle = Files.createDirectories(dir.resolve("bundle"));
        Path runcRoot = Files.createDirectories(dir.resolve("runc"));
        Path rootfs = Files.createDirectories(bundle.resolve("rootfs"));
        for (String x : List.of("usr", "proc", "dev")) {
            Files.createDirectories(rootfs.resolve(x));
        }
        for (String l : List.of("bin", "lib", "lib64", "sbin")) {
            Files.createSymbolicLink(rootfs.resolve(l), Path.of("usr/" + l));
        }
        Files.writeString(bundle.resolve("config.json"), """
                {"ociVersion":"1.0.2-dev",
                 "process":{"terminal":false,"user":{"uid":0,"gid":0},"args":["/bin/sh","-c","exit 3"],
                   "env":["PATH=/usr/bin:/bin"],"cwd":"/"},
                 "root":{"path":"rootfs","readonly":true},
                 "mounts":[{"destination":"/proc","type":"proc","source":"proc"},
                   {"destination":"/dev","type":"tmpfs","source":"tmpfs","options":["nosuid","mode=755"]},
                   {"destination":"/usr","type":"bind","source":"/usr","options":["rbind","ro"]}],
                 "linux":{"namespaces":[{"type":"pid"},{"type":"ipc"},{"type":"uts"},{"type":"mount"}]}}
                """);
        Processes.Result fifo = Processes.run(10, List.of("mkfifo", bundle.resolve("log").toString()));
        assertEquals(fifo.toString(), 0, fifo.rc());
        Thread logReader = new Thread(() -> drain(bundle.resolve("log")), "shim-log");
        logReader.setDaemon(true);
        logReader.start();
        String ns = "jcd-shim-it";
        String id = "s1";
        List<String> shimArgs = List.of("/usr/bin/containerd-shim-runc-v2", "-namespace", ns, "-id", id,
                "-address", socket.toString());
        Path file = Files.createTempFile("jcd-shim-events", ".txt");
        Process events = new ProcessBuilder("ctr", "--address", socket.toString(), "events")
                .redirectErrorStream(true).redirectOutput(file.toFile()).start();
        long shimPid = 0;
        try {
            Thread.sleep(700);
            List<String> start = new ArrayList<>(shimArgs);
            start.add("start");
            ProcessBuilder pb = new ProcessBuilder(start).directory(bundle.toFile())
                    .redirectError(dir.resolve("start.err").toFile());
            pb.environment().put("TTRPC_ADDRESS", socket + ".ttrpc");
            Process p = pb.start();
            p.getOutputStream().close();
            String address = new String(p.getInputStream().readAllBytes(), UTF_8);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertTrue(address + Files.readString(dir.resolve("start.err")), address.startsWith("unix://"));
            try (TtrpcClient shim = TtrpcClient.connect(Path.of(address.substring("unix://".length())))) {
                shimPid = shim.call(TASK, "Connect", containerd.task.v2.ConnectRequest.newBuilder().setId(id).build(),
                        containerd.task.v2.ConnectResponse.parser(), CALL).getShimPid();
                Any options = Any.newBuilder().setTypeUrl("containerd.runc.v1.Options").setValue(
                        containerd.runc.v1.Options.newBuilder().setRoot(runcRoot.toString()).build().toByteString()).build();
                CreateTaskResponse created = shim.call(TASK, "Create", CreateTaskRequest.newBuilder().setId(id)
                        .setBundle(bundle.toString()).setOptions(options).build(), CreateTaskResponse.parser(), CALL);
                assertTrue(created.getPid() > 0);
                var waiting = shim.callAsync(TASK, "Wait", WaitRequest.newBuilder().setId(id).build().toByteArray(), CALL);
                shim.call(TASK, "Start", StartRequest.newBuilder().setId(id).build(), StartResponse.parser(), CALL);
                assertEquals(3, WaitResponse.parseFrom(waiting.get(30, TimeUnit.SECONDS)).getExitStatus());
                DeleteResponse deleted = shim.call(TASK, "Delete", DeleteRequest.newBuilder().setId(id).build(),
                        DeleteResponse.parser(), CALL);
                assertEquals(3, deleted.getExitStatus());
                try {
                    shim.call(TASK, "Shutdown", ShutdownRequest.newBuilder().setId(id).build(), Empty.parser(), CALL);
                } catch (TtrpcClosedException exited) {
                    // the shim may go before its answer
                }
                shim.closed().get(10, TimeUnit.SECONDS);
            }
            Thread.sleep(700);
        } finally {
            Processes.terminate(events, 10);
            if (shimPid > 0) {
                ProcessHandle.of(shimPid).ifPresent(ProcessHandle::destroyForcibly);
            }
            List<String> del = new ArrayList<>(shimArgs);
            del.addAll(List.of("-bundle", bundle.toString(), "delete"));
            Processes.run(30, del);
            logReader.interrupt();
            logReader.join(5_000);
            Processes.deleteTree(dir);
        }
        List<String> lines = Files.readAllLines(file).stream()
                .map(l -> l.replaceFirst("^\\S+ \\S+ \\+0000 UTC ", "<time> "))
                .map(l -> l.replaceAll("\"pid\":\\d+", "\"pid\":<pid>"))
                .map(l -> l.replaceAll("\"(exited_at|seconds)\":(\\{[^}]*\\}|\"[^\"]*\"|\\d+)", "\"$1\":<t>"))
                .map(l -> l.replace(bundle.toString(), "<bundle>"))
                .toList();
        Files.deleteIfExists(file);
        return lines;
    }

    private static void drain(Path fifo) {
        try (RandomAccessFile f = new RandomAccessFile(fifo.toFile(), "rw"); FileChannel ch = f.getChannel()) {
            ByteBuffer b = ByteBuffer.allocate(8192);
            while (ch.read(b) >= 0) {
                b.clear();
            }
        } catch (java.io.IOException e) {
            // closed at the end
        }
    }
}
