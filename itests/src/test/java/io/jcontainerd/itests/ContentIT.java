package io.jcontainerd.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.google.protobuf.ByteString;
import containerd.services.content.v1.ContentGrpc;
import containerd.services.content.v1.InfoRequest;
import containerd.services.content.v1.ReadContentRequest;
import containerd.services.content.v1.ReadContentResponse;
import containerd.services.content.v1.StatusRequest;
import containerd.services.content.v1.WriteAction;
import containerd.services.content.v1.WriteContentRequest;
import containerd.services.content.v1.WriteContentResponse;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The content store through the real ctr (and, for calls ctr does not make, a gRPC client), answer for
 * answer against the real containerd 1.6: ingest with and without expectations, list, get, label,
 * remove, active ingests, namespaces sharing the backing store, and an interrupted ingest resumed
 * after our daemon is killed.
 */
public class ContentIT {
    private static final String HELLO = "hello content\n";

    private static Daemon ours;
    private static Containerd reference;
    private static Path files;

    @BeforeClass
    public static void start() throws Exception {
        ours = Daemon.create("").start();
        reference = Containerd.start();
        files = Files.createTempDirectory("jcd-content-it-");
    }

    @AfterClass
    public static void stop() throws Exception {
        if (ours != null) {
            ours.close();
        }
        if (reference != null) {
            reference.close();
        }
        Processes.deleteTree(files);
    }

    static String sha256(byte[] data) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    static Path file(String name, byte[] data) throws IOException {
        Path p = files.resolve(name);
        Files.write(p, data);
        return p;
    }

    /** {@code ctr --address socket args...} with stdin read from {@code input} (a seekable file). */
    static Processes.Result ctrWithInput(Path socket, Path input, String... args) throws Exception {
        Path out = Files.createTempFile(files, "out", ".txt");
        Path err = Files.createTempFile(files, "err", ".txt");
        List<String> cmd = new ArrayList<>(List.of("ctr", "--address", socket.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectInput(input.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("ctr timed out: " + cmd);
        }
        return new Processes.Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /**
     * Blobs these tests write belong to no image and no lease, so the next collection removes them.
     * A previous test's removals schedule one on each daemon at its own pace; a synchronous lease
     * removal runs it to completion first, so it cannot land in the middle of the next test.
     */
    @Before
    public void collectPendingGarbage() throws Exception {
        Processes.collectGarbage(reference.socket);
        Processes.collectGarbage(ours.socket);
    }

    /** A ctr listing with the AGE column (a time, never equal between two runs) dropped and tabs collapsed. */
    static String withoutAge(String listing) {
        return listing.lines().map(l -> {
            String[] cells = l.split("\t+");
            List<String> kept = new ArrayList<>(List.of(cells));
            if (kept.size() > 2) {
                kept.remove(2);
            }
            return String.join("|", kept);
        }).sorted().collect(Collectors.joining("\n"));
    }

    /** Runs the same command on both daemons and compares exit code and both outputs. */
    static void same(Path input, String... args) throws Exception {
        Processes.Result expected = input == null ? reference.ctr(args) : ctrWithInput(reference.socket, input, args);
        Processes.Result actual = input == null ? ours.ctr(args) : ctrWithInput(ours.socket, input, args);
        assertEquals("ctr " + String.join(" ", args), expected, actual);
    }

    /** Runs a listing on both daemons and compares it without the AGE column. */
    static void sameListing(String... args) throws Exception {
        Processes.Result expected = reference.ctr(args);
        Processes.Result actual = ours.ctr(args);
        assertEquals("ctr " + String.join(" ", args), expected.rc(), actual.rc());
        assertEquals("ctr " + String.join(" ", args), withoutAge(expected.out()), withoutAge(actual.out()));
        assertEquals(expected.err(), actual.err());
    }

    @Test
    public void ctrSessionMatchesContainerd() throws Exception {
        Path hello = file("hello", HELLO.getBytes(StandardCharsets.UTF_8));
        Path other = file("other", "other bytes\n".getBytes(StandardCharsets.UTF_8));
        String d = sha256(HELLO.getBytes(StandardCharsets.UTF_8));
        String size = Integer.toString(HELLO.length());
        String wrong = "sha256:" + "1".repeat(64);

        same(hello, "-n", "s1", "content", "ingest", "r1");
        same(hello, "-n", "s1", "content", "ingest", "r1");
        same(hello, "-n", "s1", "content", "ingest", "--expected-digest", d, "--expected-size", size, "r2");
        same(other, "-n", "s1", "content", "ingest", "--expected-digest", wrong, "r3");
        same(other, "-n", "s1", "content", "ingest", "--expected-size", "5", "r4");
        same(other, "-n", "s1", "content", "ingest", "--expected-digest", "nonsense", "r5");
        same(hello, "-n", "s1", "content", "ingest");
        sameListing("-n", "s1", "content", "active");
        sameListing("-n", "s1", "content", "ls");
        same(null, "-n", "s1", "content", "ls", "-q");
        same(null, "-n", "s1", "content", "label", d, "x.y=z");
        sameListing("-n", "s1", "content", "ls");
        same(null, "-n", "s1", "content", "label", d, "x.y=");
        sameListing("-n", "s1", "content", "ls");
        same(null, "-n", "s1", "content", "label", wrong, "a=b");
        same(null, "-n", "s1", "content", "get", d);
        same(null, "-n", "s1", "content", "get", wrong);
        same(null, "-n", "s1", "content", "get", "bad");
        same(null, "-n", "s1", "content", "rm", d, wrong);
        same(null, "-n", "s1", "content", "rm", d);
        same(null, "-n", "s1", "content", "ls");
        same(null, "-n", "s1", "content", "get", d);
    }

    @Test
    public void namespacesSeeOnlyTheirBlobsButShareTheBytes() throws Exception {
        byte[] data = "shared between namespaces\n".getBytes(StandardCharsets.UTF_8);
        Path f = file("shared", data);
        String d = sha256(data);
        same(f, "-n", "na", "content", "ingest", "--expected-digest", d, "--expected-size", "" + data.length, "ra");
        same(null, "-n", "nb", "content", "ls");
        same(null, "-n", "nb", "content", "get", d);
        same(null, "-n", "nb", "content", "label", d, "a=b");
        // the blob exists only in another namespace: the write starts complete, ctr commits without data
        same(f, "-n", "nb", "content", "ingest", "--expected-digest", d, "--expected-size", "" + data.length, "rb");
        same(null, "-n", "nb", "content", "ls", "-q");
        same(null, "-n", "nb", "content", "get", d);

        // the same exchange on the wire: STAT answers offset == total, COMMIT needs no data
        for (Path socket : List.of(reference.socket, ours.socket)) {
            try (Grpc grpc = new Grpc(socket)) {
                WriteResult result = write(grpc, "nc", List.of(
                        WriteContentRequest.newBuilder().setRef("rc").setTotal(data.length).setExpected(d).build(),
                        WriteContentRequest.newBuilder().setAction(WriteAction.COMMIT).setTotal(data.length)
                                .setOffset(data.length).setExpected(d).build()));
                assertEquals(socket.toString(), "OK", result.status());
                List<WriteContentResponse> answers = result.answers();
                assertEquals(socket.toString(), data.length, answers.get(0).getOffset());
                assertEquals(data.length, answers.get(0).getTotal());
                assertEquals(d, answers.get(0).getDigest());
                assertEquals(3, answers.size());
                assertEquals(answers.get(1), answers.get(2));
                assertEquals(WriteAction.COMMIT, answers.get(1).getAction());
                assertEquals(d, answers.get(1).getDigest());
            }
        }
        // isolated namespaces never share an ingest
        Path pieceA = file("pieceA", "aaaa".getBytes(StandardCharsets.UTF_8));
        Path pieceB = file("pieceB", "bb".getBytes(StandardCharsets.UTF_8));
        same(pieceA, "-n", "na", "content", "ingest", "--expected-size", "9", "same-ref");
        same(pieceB, "-n", "nb", "content", "ingest", "--expected-size", "9", "same-ref");
        sameListing("-n", "na", "content", "active");
        sameListing("-n", "nb", "content", "active");
    }

    @Test
    public void writeReadAndStatusAnswerAsContainerd() throws Exception {
        byte[] data = "0123456789abcdef".getBytes(StandardCharsets.UTF_8);
        String d = sha256(data);
        List<List<String>> answers = new ArrayList<>();
        for (Path socket : List.of(reference.socket, ours.socket)) {
            List<String> seen = new ArrayList<>();
            try (Grpc grpc = new Grpc(socket)) {
                // write in two pieces with offsets, one misplaced write ends the stream
                describe(seen, write(grpc, "wr", List.of(
                        WriteContentRequest.newBuilder().setRef("w1").setTotal(data.length).build(),
                        WriteContentRequest.newBuilder().setAction(WriteAction.WRITE).setData(ByteString.copyFrom(data, 0, 6)).build(),
                        WriteContentRequest.newBuilder().setAction(WriteAction.WRITE).setOffset(9).setData(ByteString.copyFrom(data, 6, 2)).build())));
                // a stream the client closes without committing: answered once more, the ingest kept
                describe(seen, write(grpc, "wr", List.of(
                        WriteContentRequest.newBuilder().setRef("w1").build())));
                describe(seen, write(grpc, "wr", List.of(
                        WriteContentRequest.newBuilder().setRef("w1").setTotal(data.length).build(),
                        WriteContentRequest.newBuilder().setAction(WriteAction.WRITE).setOffset(6).setData(ByteString.copyFrom(data, 6, 10)).build(),
                        WriteContentRequest.newBuilder().setAction(WriteAction.COMMIT).setOffset(16).setExpected(d).putLabels("k", "v").build())));
                ContentGrpc.ContentBlockingStub content = ContentGrpc.newBlockingStub(grpc.channel).withInterceptors(Grpc.namespace("wr"));
                seen.add("info " + content.info(InfoRequest.newBuilder().setDigest(d).build()).getInfo().getLabelsMap());
                seen.add("read " + read(content, d, 2, 3));
                seen.add("read " + read(content, d, 10, 0));
                seen.add("read " + read(content, d, 10, 100));
                seen.add("read " + read(content, d, 16, 0));
                seen.add("read " + statusOf(() -> read(content, d, 17, 0)));
                seen.add("info " + statusOf(() -> content.info(InfoRequest.newBuilder().setDigest("bad").build())));
                seen.add("status " + statusOf(() -> content.status(StatusRequest.newBuilder().setRef("none").build())));
                describe(seen, write(grpc, "wr", List.of(WriteContentRequest.newBuilder().build())));
                describe(seen, write(grpc, "wr", List.of(WriteContentRequest.newBuilder().setRef("again").setExpected(d).build())));
                // a restarted write: offset 0 on a non-empty ingest truncates it
                describe(seen, write(grpc, "wr", List.of(
                        WriteContentRequest.newBuilder().setRef("w2").build(),
                        WriteContentRequest.newBuilder().setAction(WriteAction.WRITE).setData(ByteString.copyFrom(data, 0, 4)).build(),
                        WriteContentRequest.newBuilder().setAction(WriteAction.WRITE).setOffset(0).setData(ByteString.copyFrom(data, 0, 2)).build(),
                        WriteContentRequest.newBuilder().setAction(WriteAction.COMMIT).setOffset(2).setTotal(3).build())));
            }
            answers.add(seen);
        }
        assertEquals(answers.get(0), answers.get(1));
        List<String> ourAnswers = answers.get(1);
        for (String expected : List.of(
                "STAT 0/16 sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                "WRITE 6/16 " + sha256("012345".getBytes(StandardCharsets.UTF_8)),
                "end OUT_OF_RANGE write @9 must occur at current offset 6",
                "COMMIT 16/16 " + d,
                "info {k=v}",
                "read [0] 234",
                "read [0] abcdef",
                "read [] ",
                "read OUT_OF_RANGE read past object length 16 bytes",
                "info INVALID_ARGUMENT \"bad\" failed validation",
                "status NOT_FOUND could not get status for ref \"none\": reference none: not found",
                "end INVALID_ARGUMENT first message must have a reference",
                "end ALREADY_EXISTS content " + d + ": already exists",
                "WRITE 2/0 " + sha256("01".getBytes(StandardCharsets.UTF_8)),
                "end FAILED_PRECONDITION \"w2\" failed size validation: 2 != 3: failed precondition")) {
            assertTrue(expected + " in " + ourAnswers, ourAnswers.contains(expected));
        }
    }

    @Test
    public void aBadDigestInTheCommitLeavesNoBlob() throws Exception {
        byte[] data = "not what you expect\n".getBytes(StandardCharsets.UTF_8);
        Path f = file("bad", data);
        Processes.Result r = ctrWithInput(ours.socket, f, "-n", "bad", "content", "ingest",
                "--expected-digest", "sha256:" + "2".repeat(64), "bad-ref");
        assertEquals(r.toString(), 1, r.rc());
        assertTrue(r.err(), r.err().contains("failed precondition"));
        String hex = sha256(data).substring("sha256:".length());
        assertFalse(Files.exists(ours.root.resolve("io.containerd.content.v1.content/blobs/sha256/" + hex)));
        assertEquals("", ours.ctr("-n", "bad", "content", "ls", "-q").out());
        assertTrue(ours.ctr("-n", "bad", "content", "active").out().contains("bad-ref"));
    }

    @Test
    public void anInterruptedIngestSurvivesAKilledDaemonAndResumes() throws Exception {
        byte[] data = new byte[3_000_000];
        new Random(4).nextBytes(data);
        Path f = file("big", data);
        String d = sha256(data);
        try (Daemon own = Daemon.create("").start()) {
            Process ctr = new ProcessBuilder("ctr", "--address", own.socket.toString(), "content", "ingest",
                    "--expected-digest", d, "--expected-size", "" + data.length, "big-ref")
                    .redirectErrorStream(true).redirectOutput(files.resolve("ctr-big.log").toFile()).start();
            try {
                OutputStream in = ctr.getOutputStream();
                in.write(data, 0, 2_500_000); // ctr sends whole 1 MiB buffers: 2 MiB reach the daemon
                in.flush();
                awaitActive(own, "big-ref\t2.097MB");
            } finally {
                ctr.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            own.kill9();
            own.start();
            String active = own.ctr("content", "active").out();
            assertTrue(active, active.contains("big-ref\t2.097MB"));

            Processes.Result resumed = ctrWithInput(own.socket, f, "content", "ingest", "--expected-digest", d,
                    "--expected-size", "" + data.length, "big-ref");
            assertEquals(resumed.toString(), 0, resumed.rc());
            assertFalse(own.ctr("content", "active").out().contains("big-ref"));
            assertEquals(d + "\n", own.ctr("content", "ls", "-q").out());
            Path blob = own.root.resolve("io.containerd.content.v1.content/blobs/sha256/" + d.substring(7));
            assertArrayEquals(data, Files.readAllBytes(blob));
            assertEquals("r--r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(blob)));
            try (var ingests = Files.list(own.root.resolve("io.containerd.content.v1.content/ingest"))) {
                assertEquals(0, ingests.count());
            }
        }
    }

    private static void awaitActive(Daemon d, String row) throws Exception {
        long deadline = System.currentTimeMillis() + 20_000;
        String active = "";
        while (System.currentTimeMillis() < deadline) {
            active = d.ctr("content", "active").out();
            if (active.contains(row)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no active ingest " + row + " in\n" + active);
    }

    /** The answers of one Write stream and the status it ended with ("OK" or code and description). */
    record WriteResult(List<WriteContentResponse> answers, String status) {
    }

    /** One bidi Write stream: sends the requests one by one, each after the previous answer. */
    static WriteResult write(Grpc grpc, String ns, List<WriteContentRequest> requests) throws Exception {
        List<WriteContentResponse> answers = new ArrayList<>();
        CompletableFuture<String> done = new CompletableFuture<>();
        LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();
        StreamObserver<WriteContentRequest> out = ContentGrpc.newStub(grpc.channel).withInterceptors(Grpc.namespace(ns))
                .write(new StreamObserver<>() {
                    @Override
                    public void onNext(WriteContentResponse r) {
                        synchronized (answers) {
                            answers.add(r);
                        }
                        events.add(r);
                    }

                    @Override
                    public void onError(Throwable t) {
                        io.grpc.Status st = io.grpc.Status.fromThrowable(t);
                        done.complete(st.getCode() + " " + st.getDescription());
                        events.add(t);
                    }

                    @Override
                    public void onCompleted() {
                        done.complete("OK");
                        events.add("end");
                    }
                });
        Iterator<WriteContentRequest> it = requests.iterator();
        while (it.hasNext()) {
            out.onNext(it.next());
            Object e = events.poll(30, TimeUnit.SECONDS);
            if (!(e instanceof WriteContentResponse)) {
                break;
            }
            if (!it.hasNext()) {
                out.onCompleted();
            }
        }
        String status = done.get(30, TimeUnit.SECONDS);
        synchronized (answers) {
            return new WriteResult(List.copyOf(answers), status);
        }
    }

    /**
     * Sections of a 2.5 MB blob, small ones and ones streamed in chunks (ours reads sections over 64 KiB
     * off the transport thread), answer with containerd's offsets and bytes.
     */
    @Test
    public void largeSectionsStreamAsContainerdsDo() throws Exception {
        byte[] data = new byte[2_500_000];
        new java.util.Random(7).nextBytes(data);
        String d = sha256(data);
        List<List<String>> answers = new ArrayList<>();
        for (Path socket : List.of(reference.socket, ours.socket)) {
            List<String> seen = new ArrayList<>();
            try (Grpc grpc = new Grpc(socket)) {
                List<WriteContentRequest> w = new ArrayList<>();
                w.add(WriteContentRequest.newBuilder().setRef("big").setTotal(data.length).build());
                for (int at = 0; at < data.length; at += 1 << 20) {
                    int n = Math.min(1 << 20, data.length - at);
                    w.add(WriteContentRequest.newBuilder().setAction(WriteAction.WRITE).setOffset(at)
                            .setData(ByteString.copyFrom(data, at, n)).build());
                }
                w.add(WriteContentRequest.newBuilder().setAction(WriteAction.COMMIT).setOffset(data.length)
                        .setTotal(data.length).setExpected(d).build());
                describe(seen, write(grpc, "big", w));
                ContentGrpc.ContentBlockingStub content = ContentGrpc.newBlockingStub(grpc.channel)
                        .withInterceptors(Grpc.namespace("big"));
                long[][] sections = {{0, 0}, {100, 65_536}, {100, 65_537}, {1_000_000, 1_200_000}, {2_400_000, 0},
                        {2_499_999, 10}};
                for (long[] section : sections) {
                    seen.add("read " + section[0] + "+" + section[1] + ": " + readDigest(content, d, section[0], section[1]));
                }
            }
            answers.add(seen);
        }
        assertEquals(answers.get(0), answers.get(1));
        assertTrue(answers.get(1).toString(), answers.get(1).contains("read 0+0: [0, 1048576, 2097152] 2500000 " + d));
    }

    /** A section's response offsets, its length and its digest. */
    static String readDigest(ContentGrpc.ContentBlockingStub content, String d, long offset, long size) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        List<Long> offsets = new ArrayList<>();
        content.read(ReadContentRequest.newBuilder().setDigest(d).setOffset(offset).setSize(size).build())
                .forEachRemaining(r -> {
                    offsets.add(r.getOffset());
                    buf.writeBytes(r.getData().toByteArray());
                });
        return offsets + " " + buf.size() + " " + sha256(buf.toByteArray());
    }

    static String read(ContentGrpc.ContentBlockingStub content, String d, long offset, long size) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        List<Long> offsets = new ArrayList<>();
        Iterator<ReadContentResponse> it = content.read(ReadContentRequest.newBuilder().setDigest(d).setOffset(offset).setSize(size).build());
        it.forEachRemaining(r -> {
            offsets.add(r.getOffset());
            buf.writeBytes(r.getData().toByteArray());
        });
        return offsets + " " + buf.toString(StandardCharsets.UTF_8);
    }

    /** A stream's answers without their times (action, offset, total, digest) and its end. */
    static void describe(List<String> seen, WriteResult result) {
        for (WriteContentResponse r : result.answers()) {
            seen.add(r.getAction() + " " + r.getOffset() + "/" + r.getTotal() + " " + r.getDigest());
        }
        seen.add("end " + result.status());
    }

    interface Call {
        Object run() throws Exception;
    }

    /** The gRPC status a call ends with ("OK" when it succeeds). */
    static String statusOf(Call call) {
        try {
            call.run();
            return "OK";
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode() + " " + e.getStatus().getDescription();
        } catch (Exception e) {
            if (e.getCause() instanceof StatusRuntimeException sre) {
                return sre.getStatus().getCode() + " " + sre.getStatus().getDescription();
            }
            return e.toString();
        }
    }
}
