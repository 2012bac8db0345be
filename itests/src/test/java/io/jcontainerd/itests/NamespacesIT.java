package io.jcontainerd.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import containerd.services.namespaces.v1.CreateNamespaceRequest;
import containerd.services.namespaces.v1.GetNamespaceRequest;
import containerd.services.namespaces.v1.Namespace;
import containerd.services.namespaces.v1.NamespacesGrpc;
import containerd.services.namespaces.v1.UpdateNamespaceRequest;
import com.google.protobuf.FieldMask;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/** Namespaces through the real ctr, answer for answer against the real containerd 1.6. */
public class NamespacesIT {
    private static Daemon ours;
    private static Containerd reference;

    @BeforeClass
    public static void start() throws Exception {
        ours = Daemon.create("").start();
        reference = Containerd.start();
    }

    @AfterClass
    public static void stop() throws Exception {
        if (ours != null) {
            ours.close();
        }
        if (reference != null) {
            reference.close();
        }
    }

    @Test
    public void ctrSessionMatchesContainerd() throws Exception {
        List<String[]> session = List.of(
                new String[] {"namespaces", "ls"},
                new String[] {"namespaces", "create", "n1", "a=b", "c=d"},
                new String[] {"namespaces", "ls"},
                new String[] {"namespaces", "create", "n1"},
                new String[] {"namespaces", "label", "n1", "a="},
                new String[] {"namespaces", "ls"},
                new String[] {"namespaces", "label", "n1", "x=y", "a.b.c=d"},
                new String[] {"namespaces", "ls", "-q"},
                new String[] {"namespaces", "create", "bad/name"},
                new String[] {"namespaces", "create", "bad name"},
                new String[] {"namespaces", "create", "--", "-x"},
                new String[] {"namespaces", "create", "a=b"},
                new String[] {"namespaces", "create", "a".repeat(77)},
                new String[] {"namespaces", "create", "a".repeat(76)},
                new String[] {"namespaces", "create", "N1", "k"},
                new String[] {"namespaces", "label", "nope2", "a=b"},
                new String[] {"namespaces", "ls"},
                new String[] {"namespaces", "rm", "n1", "nope"},
                new String[] {"namespaces", "rm", "n1"},
                new String[] {"namespaces", "ls"});
        for (String[] args : session) {
            Processes.Result expected = reference.ctr(args);
            Processes.Result actual = ours.ctr(args);
            assertEquals("ctr " + String.join(" ", args), expected, actual);
        }
    }

    @Test
    public void getAnswersEveryNameAndUpdateRefusesOtherFields() throws Exception {
        try (Daemon own = Daemon.create("").start(); Grpc grpc = new Grpc(own.socket)) {
            NamespacesGrpc.NamespacesBlockingStub ns = NamespacesGrpc.newBlockingStub(grpc.channel)
                    .withInterceptors(Grpc.namespace("default"));
            // dockerd calls Get for its namespace before ever creating anything in it
            Namespace moby = ns.get(GetNamespaceRequest.newBuilder().setName("moby").build()).getNamespace();
            assertEquals("moby", moby.getName());
            assertTrue(moby.getLabelsMap().isEmpty());

            ns.create(CreateNamespaceRequest.newBuilder()
                    .setNamespace(Namespace.newBuilder().setName("upd").putLabels("a", "1").putLabels("b", "2")).build());
            StatusRuntimeException e = expectFailure(() -> ns.update(UpdateNamespaceRequest.newBuilder()
                    .setNamespace(Namespace.newBuilder().setName("upd"))
                    .setUpdateMask(FieldMask.newBuilder().addPaths("name")).build()));
            assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
            assertEquals("cannot update \"name\" field: invalid argument", e.getStatus().getDescription());

            // no mask: the labels are replaced as a whole
            ns.update(UpdateNamespaceRequest.newBuilder()
                    .setNamespace(Namespace.newBuilder().setName("upd").putLabels("c", "3")).build());
            assertEquals(java.util.Map.of("c", "3"),
                    ns.get(GetNamespaceRequest.newBuilder().setName("upd").build()).getNamespace().getLabelsMap());
        }
    }

    static StatusRuntimeException expectFailure(Runnable call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            return e;
        }
        throw new AssertionError("the call succeeded");
    }
}
