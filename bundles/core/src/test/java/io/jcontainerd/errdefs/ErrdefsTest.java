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
        assertEquals("boom: not found", Errdefs.fromGrpc(2, "boom: not found", null).getMessage());
    }
}
