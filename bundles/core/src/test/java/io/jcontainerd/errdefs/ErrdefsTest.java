package io.jcontainerd.errdefs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ErrdefsTest {
    @Test
    void messagesCarryTheClassLikeContainerd() {
        assertEquals("namespace \"n1\": already exists", Errdefs.alreadyExists("namespace %s", Errdefs.q("n1")).getMessage());
        assertEquals("namespace is required: failed precondition", Errdefs.failedPrecondition("namespace is required").getMessage());
        assertEquals("namespace validation: identifier must not be empty: invalid argument",
                Errdefs.invalidArgument("identifier must not be empty").wrap("namespace validation").getMessage());
        assertEquals("boom", new ContainerdException(ErrorCode.UNKNOWN, "boom").getMessage());
    }

    @Test
    void quotesLikeGo() {
        assertEquals("\"a\\\"b\\\\c\\n\"", Errdefs.q("a\"b\\c\n"));
        assertEquals("\"\\x01\"", Errdefs.q("\u0001"));
    }

    @Test
    void grpcCodesMatchErrdefs() {
        assertEquals(5, ErrorCode.NOT_FOUND.grpcCode());
        assertEquals(12, ErrorCode.NOT_IMPLEMENTED.grpcCode());
        assertEquals(ErrorCode.FAILED_PRECONDITION, ErrorCode.ofGrpcCode(9));
    }

    @Test
    void aPeersStatusReadsAsContainerdReadsIt() {
        ContainerdException nf = Errdefs.fromGrpc(5, "snapshot k1 does not exist: not found", null);
        assertEquals(ErrorCode.NOT_FOUND, nf.code());
        assertEquals("snapshot k1 does not exist: not found", nf.getMessage());
        assertEquals("snapshot k1 does not exist", nf.context());
        assertEquals("namespace is required: failed precondition",
                Errdefs.fromGrpc(9, "namespace is required: failed precondition", null).getMessage());
        assertEquals("already exists", Errdefs.fromGrpc(6, "already exists", null).getMessage());
        // Unknown, and codes with no errdefs class, read as containerd's unknown class, whose text the
        // message then carries once (what containerd 1.6.20 answers for a shim's "cannot start a running
        // process", and for a status it cannot class)
        ContainerdException unknown = Errdefs.fromGrpc(2, "cannot start a running process", null);
        assertEquals(ErrorCode.UNKNOWN, unknown.code());
        assertEquals("cannot start a running process: unknown", unknown.getMessage());
        assertEquals("failed to create shim task: cannot start a running process: unknown",
                unknown.wrap("failed to create shim task").getMessage());
        assertEquals("boom: not found: unknown", Errdefs.fromGrpc(2, "boom: not found", null).getMessage());
        assertEquals("boom: unknown", Errdefs.fromGrpc(2, "boom: unknown", null).getMessage());
        assertEquals("unknown", Errdefs.fromGrpc(2, "unknown", null).getMessage());
        assertEquals("unknown", Errdefs.fromGrpc(2, "", null).getMessage());
        assertEquals("too big: unknown", Errdefs.fromGrpc(8, "too big", null).getMessage());
    }
}
