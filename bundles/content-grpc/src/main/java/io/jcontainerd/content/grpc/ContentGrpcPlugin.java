package io.jcontainerd.content.grpc;

import static io.jcontainerd.errdefs.Errdefs.q;
import static io.jcontainerd.server.grpc.GrpcServiceProperties.NONBLOCKING_METHODS;

import com.google.protobuf.Empty;
import containerd.services.content.v1.AbortRequest;
import containerd.services.content.v1.ContentGrpc;
import containerd.services.content.v1.DeleteContentRequest;
import containerd.services.content.v1.InfoRequest;
import containerd.services.content.v1.InfoResponse;
import containerd.services.content.v1.ListContentRequest;
import containerd.services.content.v1.ListContentResponse;
import containerd.services.content.v1.ListStatusesRequest;
import containerd.services.content.v1.ListStatusesResponse;
import containerd.services.content.v1.ReadContentRequest;
import containerd.services.content.v1.ReadContentResponse;
import containerd.services.content.v1.StatusRequest;
import containerd.services.content.v1.StatusResponse;
import containerd.services.content.v1.UpdateRequest;
import containerd.services.content.v1.UpdateResponse;
import containerd.services.content.v1.WriteContentRequest;
import containerd.services.content.v1.WriteContentResponse;
import io.grpc.BindableService;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.jcontainerd.content.ContentInfo;
import io.jcontainerd.content.ContentStore;
import io.jcontainerd.content.IngestStatus;
import io.jcontainerd.digest.Digest;
import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.filters.Filters;
import io.jcontainerd.plugin.Plugin;
import io.jcontainerd.plugin.PluginType;
import io.jcontainerd.server.grpc.GrpcErrors;
import io.jcontainerd.server.grpc.GrpcLease;
import io.jcontainerd.server.grpc.GrpcNamespace;
import java.nio.channels.SeekableByteChannel;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiFunction;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * The {@code io.containerd.grpc.v1.content} plugin: a thin adapter over the namespaced content store.
 * Read answers on the transport thread for sections of at most {@link #INLINE} bytes (manifests,
 * configs: one short read from the page cache) and streams larger ones from a pool of its own.
 */
@Component(name = "io.containerd.grpc.v1.content", enabled = false, immediate = true, service = BindableService.class,
        property = {NONBLOCKING_METHODS + "=Info", NONBLOCKING_METHODS + "=List", NONBLOCKING_METHODS + "=Read"})
@Plugin(type = PluginType.GRPC, id = "content")
public class ContentGrpcPlugin extends ContentGrpc.ContentImplBase {
    /** Infos per List message, as containerd batches them. */
    static final int LIST_BATCH = 100;

    /** The largest section read on the transport thread. */
    static final int INLINE = 64 << 10;

    private final ContentStore store;
    /** Streams the sections larger than {@link #INLINE}. */
    private final ExecutorService reads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "content-read");
        t.setDaemon(true);
        return t;
    });

    @Activate
    public ContentGrpcPlugin(@Reference(name = "service", target = "(&(plugin.type=" + PluginType.SERVICE
            + ")(plugin.id=content-service))") ContentStore store) {
        this.store = store;
    }

    @Override
    public void info(InfoRequest request, StreamObserver<InfoResponse> response) {
        Digest d = digest(request.getDigest(), (s, why) -> q(s) + " failed validation");
        ContentInfo info = store.info(GrpcNamespace.required(), d);
        response.onNext(InfoResponse.newBuilder().setInfo(ContentProto.info(info)).build());
        response.onCompleted();
    }

    @Override
    public void update(UpdateRequest request, StreamObserver<UpdateResponse> response) {
        Digest d = digest(request.getInfo().getDigest(), (s, why) -> q(s) + " failed validation");
        ContentInfo updated = store.update(GrpcNamespace.required(), ContentProto.fromProto(d, request.getInfo()),
                request.getUpdateMask().getPathsList());
        response.onNext(UpdateResponse.newBuilder().setInfo(ContentProto.info(updated)).build());
        response.onCompleted();
    }

    @Override
    public void list(ListContentRequest request, StreamObserver<ListContentResponse> response) {
        String ns = GrpcNamespace.required();
        List<ContentInfo> infos = store.list(ns, Filters.parseRequest(request.getFiltersList()));
        for (int i = 0; i < infos.size(); i += LIST_BATCH) {
            ListContentResponse.Builder b = ListContentResponse.newBuilder();
            infos.subList(i, Math.min(infos.size(), i + LIST_BATCH)).forEach(info -> b.addInfo(ContentProto.listed(info)));
            response.onNext(b.build());
        }
        response.onCompleted();
    }

    @Override
    public void delete(DeleteContentRequest request, StreamObserver<Empty> response) {
        Digest d = digest(request.getDigest(), (s, why) -> why);
        store.delete(GrpcNamespace.required(), d);
        response.onNext(Empty.getDefaultInstance());
        response.onCompleted();
    }

    @Override
    public void read(ReadContentRequest request, StreamObserver<ReadContentResponse> response) {
        Digest d = digest(request.getDigest(), (s, why) -> s + ": " + why);
        String ns = GrpcNamespace.required();
        ContentInfo info = store.info(ns, d);
        long offset = Math.max(0, request.getOffset());
        if (offset > info.size()) {
            throw Status.OUT_OF_RANGE.withDescription("read past object length " + info.size() + " bytes").asRuntimeException();
        }
        long size = request.getSize();
        if (size <= 0 || offset + size > info.size()) {
            size = info.size() - offset;
        }
        SeekableByteChannel blob = store.open(ns, d);
        new ReadPump(blob, (ServerCallStreamObserver<ReadContentResponse>) response, offset, size,
                size <= INLINE ? null : reads).start();
    }

    @Deactivate
    void deactivate() {
        reads.shutdownNow();
    }

    @Override
    public void status(StatusRequest request, StreamObserver<StatusResponse> response) {
        IngestStatus st;
        try {
            st = store.status(GrpcNamespace.required(), request.getRef());
        } catch (ContainerdException e) {
            throw e.wrap("could not get status for ref " + q(request.getRef()));
        }
        response.onNext(StatusResponse.newBuilder().setStatus(ContentProto.status(st)).build());
        response.onCompleted();
    }

    @Override
    public void listStatuses(ListStatusesRequest request, StreamObserver<ListStatusesResponse> response) {
        ListStatusesResponse.Builder b = ListStatusesResponse.newBuilder();
        store.listStatuses(GrpcNamespace.required(), Filters.parseRequest(request.getFiltersList()))
                .forEach(st -> b.addStatuses(ContentProto.status(st)));
        response.onNext(b.build());
        response.onCompleted();
    }

    @Override
    public void abort(AbortRequest request, StreamObserver<Empty> response) {
        store.abort(GrpcNamespace.required(), request.getRef());
        response.onNext(Empty.getDefaultInstance());
        response.onCompleted();
    }

    @Override
    public StreamObserver<WriteContentRequest> write(StreamObserver<WriteContentResponse> response) {
        WriteSession session = new WriteSession(store, GrpcNamespace.required(), GrpcLease.current());
        return new StreamObserver<>() {
            @Override
            public void onNext(WriteContentRequest req) {
                if (session.done()) {
                    return;
                }
                try {
                    session.handle(req).forEach(response::onNext);
                    if (session.done()) {
                        response.onCompleted();
                    }
                } catch (RuntimeException e) {
                    response.onError(GrpcErrors.toStatusException(e));
                }
            }

            @Override
            public void onError(Throwable t) {
                session.finish();
            }

            @Override
            public void onCompleted() {
                if (session.done()) {
                    return;
                }
                try {
                    response.onNext(session.halfClosed());
                    response.onCompleted();
                } catch (RuntimeException e) {
                    response.onError(GrpcErrors.toStatusException(e));
                }
            }
        };
    }

    /** Parses a request's digest; an invalid one is InvalidArgument worded by {@code message(digest, reason)}. */
    private static Digest digest(String s, BiFunction<String, String, String> message) {
        try {
            return Digest.parse(s);
        } catch (Digest.InvalidDigestException e) {
            throw Status.INVALID_ARGUMENT.withDescription(message.apply(s, e.getMessage())).asRuntimeException();
        }
    }
}
