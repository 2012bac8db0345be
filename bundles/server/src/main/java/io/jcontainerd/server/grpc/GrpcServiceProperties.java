package io.jcontainerd.server.grpc;

/** Service properties a gRPC service registration may carry for the server. */
public final class GrpcServiceProperties {
    /**
     * The simple names of the service's methods that never wait (no fsync, no long lock, no remote
     * call): the server runs them on the thread that read the request instead of handing them to a worker
     * thread, which saves a thread switch per call. Anything that may wait must not be listed.
     */
    public static final String NONBLOCKING_METHODS = "grpc.nonblocking.methods";

    private GrpcServiceProperties() {
    }
}
