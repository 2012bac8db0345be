package io.jcontainerd.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.FieldMask;
import containerd.services.containers.v1.Container;
import containerd.services.containers.v1.ContainersGrpc;
import containerd.services.containers.v1.CreateContainerRequest;
import containerd.services.containers.v1.DeleteContainerRequest;
import containerd.services.containers.v1.GetContainerRequest;
import containerd.services.containers.v1.ListContainerMessage;
import containerd.services.containers.v1.ListContainersRequest;
import containerd.services.containers.v1.UpdateContainerRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/** Containers through the real ctr, answer for answer against the real containerd 1.6, and over gRPC. */
public class ContainersIT {
    private static Daemon ours;
    private static Containerd reference;
    private static Path rootfs;

    @BeforeClass
    public static void start() throws Exception {
        ours = Daemon.create("").start();
        reference = Containerd.start();
        rootfs = Files.createDirectories(ours.dir.resolve("rootfs"));
    }

    @AfterClass
    public static void stop() throws Exception {
        if (reference != null) {
            reference.close();
        }
        if (ours != null) {
            ours.close();
        }
    }

    /** Timestamps differ between two daemons; everything else must not. */
    static Processes.Result normalized(Processes.Result r) {
        Function<String, String> n = s -> s
                .replaceAll("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z", "<time>")
                .replaceAll("time=\"[^\"]*\"", "time=<time>");
        return new Processes.Result(r.rc(), n.apply(r.out()), n.apply(r.err()));
    }

    @Test
    public void ctrSessionMatchesContainerd() throws Exception {
        String dir = rootfs.toString();
        List<String[]> session = List.of(
                new String[] {"containers", "ls"},
                new String[] {"containers", "create", "--rootfs", dir, "c1", "sh"},
                new String[] {"containers", "create", "--rootfs", dir, "--label", "k=v", "--env", "A=1", "c2", "sh", "-c", "echo hi"},
                new String[] {"containers", "ls"},
                new String[] {"containers", "ls", "-q"},
                new String[] {"containers", "ls", "labels.k==v"},
                new String[] {"containers", "ls", "id~=^c"},
                new String[] {"containers", "ls", "labels.k=="},
                new String[] {"containers", "info", "c1"},
                new String[] {"containers", "info", "c2"},
                new String[] {"containers", "label", "c1", "a=b"},
                new String[] {"containers", "info", "c1"},
                new String[] {"containers", "label", "c1", "a="},
                new String[] {"containers", "info", "c1"},
                new String[] {"containers", "create", "--rootfs", dir, "c1", "sh"},
                new String[] {"containers", "create", "--rootfs", dir, "bad/id", "sh"},
                new String[] {"containers", "info", "nope"},
                new String[] {"containers", "rm", "nope"},
                new String[] {"-n", "other", "containers", "ls"},
                new String[] {"-n", "other", "containers", "info", "c1"},
                new String[] {"namespaces", "rm", "default"},
                new String[] {"containers", "rm", "c1", "c2"},
                new String[] {"containers", "ls"},
                new String[] {"namespaces", "rm", "default"});
        for (String[] args : session) {
            Processes.Result expected = normalized(reference.ctr(args));
            Processes.Result actual = normalized(ours.ctr(args));
            assertEquals("ctr " + String.join(" ", args), expected, actual);
        }
    }

    static Container container(String id) {
        return Container.newBuilder().setId(id)
                .setRuntime(Container.Runtime.newBuilder().setName("io.containerd.runc.v2"))
                .setSpec(Any.newBuilder().setTypeUrl("types.containerd.io/opencontainers/runtime-spec/1/Spec")
                        .setValue(ByteString.copyFromUtf8("{\"ociVersion\":\"1.0.2\"}")))
                .build();
    }

    static StatusRuntimeException failure(Runnable call) {
        return NamespacesIT.expectFailure(call);
    }

    @Test
    public void grpcSemantics() throws Exception {
        try (Daemon d = Daemon.create("").start(); Grpc grpc = new Grpc(d.socket)) {
            ContainersGrpc.ContainersBlockingStub a = ContainersGrpc.newBlockingStub(grpc.channel)
                    .withInterceptors(Grpc.namespace("a"));
            ContainersGrpc.ContainersBlockingStub b = ContainersGrpc.newBlockingStub(grpc.channel)
                    .withInterceptors(Grpc.namespace("b"));
            ContainersGrpc.ContainersBlockingStub none = ContainersGrpc.newBlockingStub(grpc.channel);

            Container created = a.create(CreateContainerRequest.newBuilder().setContainer(container("c1").toBuilder()
                    .setImage("docker.io/library/busybox:latest").putLabels("x", "1").putLabels("empty", "")
                    .putExtensions("ext", Any.newBuilder().setTypeUrl("t").setValue(ByteString.copyFromUtf8("v")).build())).build())
                    .getContainer();
            assertTrue("server sets timestamps", created.getCreatedAt().getSeconds() > 0);
            assertEquals(created.getCreatedAt(), created.getUpdatedAt());
            assertEquals("labels with empty values are not kept", java.util.Map.of("x", "1"), created.getLabelsMap());
            assertEquals(created, a.get(GetContainerRequest.newBuilder().setId("c1").build()).getContainer());

            // namespaces isolate
            assertEquals(0, b.list(ListContainersRequest.getDefaultInstance()).getContainersCount());
            StatusRuntimeException nf = failure(() -> b.get(GetContainerRequest.newBuilder().setId("c1").build()));
            assertEquals(Status.Code.NOT_FOUND, nf.getStatus().getCode());
            assertEquals("container \"c1\" in namespace \"b\": not found", nf.getStatus().getDescription());
            StatusRuntimeException noNs = failure(() -> none.get(GetContainerRequest.newBuilder().setId("c1").build()));
            assertEquals(Status.Code.FAILED_PRECONDITION, noNs.getStatus().getCode());
            assertEquals("namespace is required: failed precondition", noNs.getStatus().getDescription());

            // field masks
            Container upd = a.update(UpdateContainerRequest.newBuilder()
                    .setContainer(Container.newBuilder().setId("c1").putLabels("y", "2").setImage("ignored"))
                    .setUpdateMask(FieldMask.newBuilder().addPaths("labels.y").addPaths("labels.x")).build()).getContainer();
            assertEquals("labels.x absent from the request removes it", java.util.Map.of("y", "2"), upd.getLabelsMap());
            assertEquals("docker.io/library/busybox:latest", upd.getImage());
            assertEquals(created.getCreatedAt(), upd.getCreatedAt());
            assertTrue(!upd.getUpdatedAt().equals(upd.getCreatedAt()));
            assertEquals(created.getSpec(), upd.getSpec());

            StatusRuntimeException immutable = failure(() -> a.update(UpdateContainerRequest.newBuilder()
                    .setContainer(container("c1").toBuilder().setSnapshotter("native")).build()));
            assertEquals("container.Snapshotter field is immutable: invalid argument", immutable.getStatus().getDescription());
            StatusRuntimeException runtime = failure(() -> a.update(UpdateContainerRequest.newBuilder()
                    .setContainer(container("c1").toBuilder().setRuntime(Container.Runtime.newBuilder().setName("x"))).build()));
            assertEquals("container.Runtime.Name field is immutable: invalid argument", runtime.getStatus().getDescription());
            StatusRuntimeException field = failure(() -> a.update(UpdateContainerRequest.newBuilder()
                    .setContainer(container("c1")).setUpdateMask(FieldMask.newBuilder().addPaths("runtime")).build()));
            assertEquals("cannot update \"runtime\" field on \"c1\": invalid argument", field.getStatus().getDescription());
            StatusRuntimeException noSpec = failure(() -> a.create(CreateContainerRequest.newBuilder()
                    .setContainer(container("c2").toBuilder().clearSpec()).build()));
            assertEquals("create container failed validation: container.Spec must be set: invalid argument",
                    noSpec.getStatus().getDescription());
            StatusRuntimeException bigLabel = failure(() -> a.create(CreateContainerRequest.newBuilder()
                    .setContainer(container("c2").toBuilder().putLabels("big", "v".repeat(4096))).build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, bigLabel.getStatus().getCode());

            // filters: several strings are alternatives, commas join
            a.create(CreateContainerRequest.newBuilder().setContainer(container("c2").toBuilder().putLabels("a.b", "x")).build());
            a.create(CreateContainerRequest.newBuilder().setContainer(container("other").toBuilder()
                    .setRuntime(Container.Runtime.newBuilder().setName("io.containerd.runtime.v1.linux"))).build());
            assertEquals(List.of("c2"), ids(a, "labels.\"a.b\"==x"));
            assertEquals(List.of("c1"), ids(a, "image~=busybox"));
            assertEquals(List.of("other"), ids(a, "runtime.name==io.containerd.runtime.v1.linux"));
            assertEquals(List.of("c1", "other"), ids(a, "image~=busybox", "id==other"));
            assertEquals(List.of("c2"), ids(a, "id~=^c,labels.\"a.b\""));
            List<String> streamed = new ArrayList<>();
            for (Iterator<ListContainerMessage> it = a.listStream(ListContainersRequest.getDefaultInstance()); it.hasNext();) {
                streamed.add(it.next().getContainer().getId());
            }
            assertEquals(List.of("c1", "c2", "other"), streamed);
            StatusRuntimeException badFilter = failure(() -> ids(a, "id=="));
            assertEquals(Status.Code.INVALID_ARGUMENT, badFilter.getStatus().getCode());

            a.delete(DeleteContainerRequest.newBuilder().setId("c1").build());
            StatusRuntimeException gone = failure(() -> a.delete(DeleteContainerRequest.newBuilder().setId("c1").build()));
            assertEquals("container c1: not found", gone.getStatus().getDescription());
            StatusRuntimeException neverHad = failure(() -> b.delete(DeleteContainerRequest.newBuilder().setId("c1").build()));
            assertEquals("cannot delete container \"c1\" in namespace \"b\": not found", neverHad.getStatus().getDescription());
        }
    }

    static List<String> ids(ContainersGrpc.ContainersBlockingStub s, String... filters) {
        return s.list(ListContainersRequest.newBuilder().addAllFilters(List.of(filters)).build())
                .getContainersList().stream().map(Container::getId).toList();
    }
}
