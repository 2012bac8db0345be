package io.jcontainerd.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.google.protobuf.FieldMask;
import com.google.protobuf.Message;
import containerd.services.images.v1.CreateImageRequest;
import containerd.services.images.v1.DeleteImageRequest;
import containerd.services.images.v1.GetImageRequest;
import containerd.services.images.v1.Image;
import containerd.services.images.v1.ImagesGrpc;
import containerd.services.images.v1.ListImagesRequest;
import containerd.services.images.v1.UpdateImageRequest;
import containerd.types.Descriptor;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Image records: the same gRPC requests and the same ctr commands against our daemon and a real
 * containerd 1.6, compared answer for answer. Images are created through gRPC, as there is no content
 * to import yet; ctr is limited to what needs no content ({@code images ls -q}, tag, label, rm).
 */
public class ImagesIT {
    static final String INDEX = "application/vnd.oci.image.index.v1+json";
    static final String MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    static final String D1 = "sha256:" + "1".repeat(64);
    static final String D2 = "sha256:" + "2".repeat(64);

    private static Daemon ours;
    private static Containerd reference;
    private static Grpc oursGrpc;
    private static Grpc referenceGrpc;

    @BeforeClass
    public static void start() throws Exception {
        ours = Daemon.create("").start();
        reference = Containerd.start();
        oursGrpc = new Grpc(ours.socket);
        referenceGrpc = new Grpc(reference.socket);
    }

    @AfterClass
    public static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {oursGrpc, referenceGrpc, reference, ours}) {
            if (c != null) {
                c.close();
            }
        }
    }

    static Image image(String name, String mediaType, String digest, long size) {
        return Image.newBuilder().setName(name)
                .setTarget(Descriptor.newBuilder().setMediaType(mediaType).setDigest(digest).setSize(size)).build();
    }

    static CreateImageRequest create(Image image) {
        return CreateImageRequest.newBuilder().setImage(image).build();
    }

    static UpdateImageRequest update(Image image, String... paths) {
        return UpdateImageRequest.newBuilder().setImage(image)
                .setUpdateMask(FieldMask.newBuilder().addAllPaths(List.of(paths))).build();
    }

    /** One answer, comparable across daemons: the response without its timestamps, or the failure. */
    static String answer(Supplier<? extends Message> call) {
        try {
            Message m = call.get();
            return withoutTimes(m).toString();
        } catch (StatusRuntimeException e) {
            return "ERROR " + e.getStatus().getCode() + ": " + e.getStatus().getDescription();
        }
    }

    /** Clears created_at/updated_at wherever an Image appears (after checking they are set). */
    static Message withoutTimes(Message m) {
        Message.Builder b = m.toBuilder();
        for (var f : m.getDescriptorForType().getFields()) {
            if (f.getMessageType() != null && f.getMessageType().getFullName().equals(Image.getDescriptor().getFullName())) {
                if (f.isRepeated()) {
                    b.clearField(f);
                    for (int i = 0; i < m.getRepeatedFieldCount(f); i++) {
                        b.addRepeatedField(f, clearTimes((Image) m.getRepeatedField(f, i)));
                    }
                } else if (m.hasField(f)) {
                    b.setField(f, clearTimes((Image) m.getField(f)));
                }
            }
        }
        return b.build();
    }

    static Image clearTimes(Image i) {
        assertTrue("created_at set: " + i, i.getCreatedAt().getSeconds() > 0);
        assertTrue("updated_at set: " + i, i.getUpdatedAt().getSeconds() > 0);
        assertTrue("updated_at >= created_at: " + i, i.getUpdatedAt().getSeconds() >= i.getCreatedAt().getSeconds());
        return i.toBuilder().clearCreatedAt().clearUpdatedAt().build();
    }

    /** Runs each call against both daemons in turn, compares the answers and returns them. */
    static List<String> sameAnswers(String ns, List<Function<ImagesGrpc.ImagesBlockingStub, ? extends Message>> calls) {
        ImagesGrpc.ImagesBlockingStub o = stub(oursGrpc, ns);
        ImagesGrpc.ImagesBlockingStub r = stub(referenceGrpc, ns);
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            Function<ImagesGrpc.ImagesBlockingStub, ? extends Message> call = calls.get(i);
            String expected = answer(() -> call.apply(r));
            String actual = answer(() -> call.apply(o));
            assertEquals("call #" + i, expected, actual);
            answers.add(actual);
        }
        return answers;
    }

    static ImagesGrpc.ImagesBlockingStub stub(Grpc grpc, String ns) {
        ImagesGrpc.ImagesBlockingStub s = ImagesGrpc.newBlockingStub(grpc.channel);
        return ns == null ? s : s.withInterceptors(Grpc.namespace(ns));
    }

    @Test
    public void grpcAnswersMatchContainerd() {
        Image busybox = image("docker.io/library/busybox:latest", INDEX, D1, 1234).toBuilder()
                .putLabels("env", "prod").putLabels("empty", "")
                .setTarget(Descriptor.newBuilder().setMediaType(INDEX).setDigest(D1).setSize(1234)
                        .putAnnotations("io.containerd.image.name", "docker.io/library/busybox:latest")
                        .putAnnotations("org.opencontainers.image.ref.name", "latest").putAnnotations("gone", ""))
                .build();
        String ns = "grpc";
        List<Function<ImagesGrpc.ImagesBlockingStub, ? extends Message>> calls = new ArrayList<>(List.of(
                s -> s.create(create(busybox)),
                s -> s.create(create(image("localhost/x:1", MANIFEST, D2, 10).toBuilder().putLabels("env", "dev").build())),
                s -> s.create(create(busybox)),
                s -> s.get(GetImageRequest.newBuilder().setName(busybox.getName()).build()),
                s -> s.get(GetImageRequest.newBuilder().setName("nope").build()),
                s -> s.list(ListImagesRequest.getDefaultInstance()),
                s -> s.list(ListImagesRequest.newBuilder().addFilters("labels.env==dev").build()),
                s -> s.list(ListImagesRequest.newBuilder().addFilters("target.mediatype==" + INDEX).addFilters("name~=x").build()),
                s -> s.list(ListImagesRequest.newBuilder().addFilters("target.digest==" + D2 + ",labels.env").build()),
                s -> s.list(ListImagesRequest.newBuilder().addFilters("annotations.\"org.opencontainers.image.ref.name\"==latest").build()),
                s -> s.list(ListImagesRequest.newBuilder().addFilters("name==").build()),
                // validation, in containerd's order
                s -> s.create(create(image("", INDEX, D1, 1))),
                s -> s.create(create(image("v", INDEX, "", 1))),
                s -> s.create(create(image("v", INDEX, "sha256:abc", 1))),
                s -> s.create(create(image("v", INDEX, "nocolon", 1))),
                s -> s.create(create(image("v", INDEX, "md5:" + "0".repeat(32), 1))),
                s -> s.create(create(image("v", INDEX, D1, 0))),
                s -> s.create(create(image("v", "", D1, 1))),
                s -> s.create(create(image("v", INDEX, D1, 1).toBuilder().putLabels("big", "x".repeat(4093)).build())),
                // field masks
                s -> s.update(update(Image.newBuilder().setName(busybox.getName()).putLabels("k", "v").build(), "labels.k", "labels.env")),
                s -> s.update(update(Image.newBuilder().setName(busybox.getName()).putLabels("only", "1").build(), "labels")),
                s -> s.update(update(Image.newBuilder().setName(busybox.getName())
                        .setTarget(Descriptor.newBuilder().putAnnotations("new", "a")).build(), "annotations.new", "annotations.gone")),
                s -> s.update(update(Image.newBuilder().setName(busybox.getName())
                        .setTarget(Descriptor.newBuilder().putAnnotations("all", "b")).build(), "annotations")),
                s -> s.update(update(image(busybox.getName(), MANIFEST, D2, 99), "target")),
                s -> s.update(update(image(busybox.getName(), MANIFEST, "bad", 99), "target")),
                s -> s.update(update(image(busybox.getName(), MANIFEST, "bad", 99), "labels.x")),
                s -> s.update(update(image(busybox.getName(), MANIFEST, D2, 99), "name")),
                s -> s.update(update(image(busybox.getName(), MANIFEST, D2, 99).toBuilder().putLabels("r", "1").build())),
                s -> s.update(update(Image.newBuilder().setName(busybox.getName()).build())),
                s -> s.update(update(image("missing", MANIFEST, D2, 99))),
                s -> s.update(update(image("", MANIFEST, D2, 99))),
                s -> s.get(GetImageRequest.newBuilder().setName(busybox.getName()).build()),
                s -> s.delete(DeleteImageRequest.newBuilder().setName("localhost/x:1").build()),
                s -> s.delete(DeleteImageRequest.newBuilder().setName("localhost/x:1").build()),
                s -> s.delete(DeleteImageRequest.newBuilder().setName("").build()),
                s -> s.list(ListImagesRequest.getDefaultInstance())));
        List<String> answers = sameAnswers(ns, calls);
        assertTrue(answers.get(0), answers.get(0).startsWith("image {\n  name: \"docker.io/library/busybox:latest\""));
        assertEquals("ERROR ALREADY_EXISTS: image \"docker.io/library/busybox:latest\": already exists", answers.get(2));
        assertEquals("ERROR INVALID_ARGUMENT: Image.Name required", answers.get(11));
        assertEquals("ERROR INVALID_ARGUMENT: Target.Digest \"sha256:abc\" invalid: invalid checksum digest length: invalid argument",
                answers.get(13));
        // no namespace: the service's own name check comes first, then the store's namespace check
        sameAnswers(null, List.of(
                s -> s.create(create(image("", INDEX, D1, 1))),
                s -> s.create(create(image("n", INDEX, D1, 1))),
                s -> s.get(GetImageRequest.newBuilder().setName("n").build()),
                s -> s.list(ListImagesRequest.getDefaultInstance()),
                s -> s.delete(DeleteImageRequest.newBuilder().setName("n").build())));
        // another namespace sees nothing
        sameAnswers("elsewhere", List.of(
                s -> s.list(ListImagesRequest.getDefaultInstance()),
                s -> s.get(GetImageRequest.newBuilder().setName(busybox.getName()).build())));
    }

    /** Timestamps differ between two daemons; everything else must not. */
    static Processes.Result normalized(Processes.Result r) {
        return ContainersIT.normalized(r);
    }

    /** Creates the same image records on both daemons through gRPC. */
    static void createOnBoth(String ns, Image... images) {
        for (Grpc g : List.of(oursGrpc, referenceGrpc)) {
            for (Image i : images) {
                stub(g, ns).create(create(i));
            }
        }
    }

    @Test
    public void ctrSessionMatchesContainerd() throws Exception {
        createOnBoth("default",
                image("docker.io/library/busybox:latest", INDEX, D1, 1234).toBuilder().putLabels("env", "prod").build(),
                image("docker.io/library/alpine:3", MANIFEST, D2, 42),
                image("localhost:5000/tools/x:1", MANIFEST, D1, 7).toBuilder().putLabels("env", "dev").build());
        createOnBoth("other", image("docker.io/library/busybox:latest", INDEX, D1, 1234));
        List<String[]> session = List.of(
                new String[] {"images", "ls", "-q"},
                new String[] {"images", "ls", "-q", "labels.env==prod"},
                new String[] {"images", "ls", "-q", "labels.env"},
                new String[] {"images", "ls", "-q", "name~=^docker.io", "name==localhost:5000/tools/x:1"},
                new String[] {"images", "ls", "-q", "target.mediatype==" + MANIFEST},
                new String[] {"images", "ls", "-q", "target.digest==" + D1 + ",labels.env!=dev"},
                new String[] {"images", "ls", "-q", "name=="},
                new String[] {"images", "ls", "-q", "name~=["},
                new String[] {"-n", "other", "images", "ls", "-q"},
                new String[] {"-n", "empty", "images", "ls", "-q"},
                new String[] {"-n", "empty", "images", "ls"},
                new String[] {"images", "tag", "docker.io/library/busybox:latest", "busybox:copy", "busybox:copy2"},
                new String[] {"images", "tag", "docker.io/library/busybox:latest", "busybox:copy"},
                new String[] {"images", "tag", "--force", "docker.io/library/alpine:3", "busybox:copy"},
                new String[] {"images", "tag", "nope:1", "x:1"},
                new String[] {"images", "ls", "-q"},
                new String[] {"images", "ls", "-q", "target.digest==" + D2},
                new String[] {"images", "label", "busybox:copy", "k=v"},
                new String[] {"images", "label", "busybox:copy", "k="},
                new String[] {"images", "label", "busybox:copy", "a.b/c=dotted"},
                new String[] {"images", "ls", "-q", "labels.\"a.b/c\"==dotted"},
                new String[] {"images", "label", "-r", "busybox:copy", "z=1"},
                new String[] {"images", "label", "busybox:copy"},
                new String[] {"images", "label", "nope:1", "k=v"},
                new String[] {"images", "ls", "-q", "labels.z==1"},
                new String[] {"namespaces", "rm", "other"},
                new String[] {"images", "rm", "busybox:copy", "nope:1", "busybox:copy2"},
                new String[] {"images", "rm", "--sync", "docker.io/library/alpine:3"},
                new String[] {"images", "rm", "nope:2"},
                new String[] {"images", "ls", "-q"},
                new String[] {"-n", "other", "images", "rm", "docker.io/library/busybox:latest"},
                new String[] {"namespaces", "rm", "other"},
                new String[] {"namespaces", "ls", "-q"});
        List<Processes.Result> results = new ArrayList<>();
        for (String[] args : session) {
            Processes.Result expected = normalized(reference.ctr(args));
            Processes.Result actual = normalized(ours.ctr(args));
            assertEquals("ctr " + String.join(" ", args), expected, actual);
            results.add(actual);
        }
        assertEquals("docker.io/library/alpine:3\ndocker.io/library/busybox:latest\nlocalhost:5000/tools/x:1\n", results.get(0).out());
        assertEquals("busybox:copy\nbusybox:copy2\n", results.get(11).out());
        assertEquals(1, results.get(12).rc());
        assertEquals("k=v\n", results.get(17).out());
        assertTrue(results.get(26).err(), results.get(26).err().contains("nope:1: image not found"));
        assertEquals("must be empty while images remain", 1, results.get(25).rc());
        assertEquals(0, results.get(31).rc());
    }

    @Test
    public void ctrEventsShowImageTopicsAsContainerd() throws Exception {
        createOnBoth("evt", image("docker.io/library/busybox:latest", INDEX, D1, 1234).toBuilder().putLabels("b", "2").putLabels("a", "1").build());
        List<String[]> commands = List.of(
                new String[] {"-n", "evt", "images", "tag", "docker.io/library/busybox:latest", "busybox:evt"},
                new String[] {"-n", "evt", "images", "label", "busybox:evt", "k=v"},
                new String[] {"-n", "evt", "images", "rm", "busybox:evt"},
                new String[] {"-n", "evt", "images", "rm", "--sync", "docker.io/library/busybox:latest"});
        List<String> filters = List.of("topic~=\"^/images/\"");
        List<String> theirs = EventsIT.eventsDuring(reference.socket, filters, commands);
        List<String> mine = EventsIT.eventsDuring(ours.socket, filters, commands);
        assertEquals(theirs, mine);
        assertEquals(mine.toString(), List.of(
                "<time> evt /images/create {\"name\":\"busybox:evt\",\"labels\":{\"a\":\"1\",\"b\":\"2\"}}",
                "<time> evt /images/update {\"name\":\"busybox:evt\",\"labels\":{\"a\":\"1\",\"b\":\"2\",\"k\":\"v\"}}",
                "<time> evt /images/delete {\"name\":\"busybox:evt\"}",
                "<time> evt /images/delete {\"name\":\"docker.io/library/busybox:latest\"}"), mine);
    }
}
