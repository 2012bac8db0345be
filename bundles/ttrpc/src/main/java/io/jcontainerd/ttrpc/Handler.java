package io.jcontainerd.ttrpc;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import java.util.function.BiFunction;

/**
 * One server method: takes the request payload, returns the response payload. A handler reports
 * failure by throwing: a {@link io.jcontainerd.errdefs.ContainerdException} becomes its class's gRPC
 * code with its message, a {@link TtrpcException} its own status, anything else UNKNOWN.
 */
@FunctionalInterface
public interface Handler {
    byte[] handle(CallContext context, byte[] payload) throws Exception;

    /**
     * {@code handler} marked as one that never waits (no I/O, no long lock, no remote call): the server
     * runs it on the thread that reads its connection, as each request arrives, instead of handing it
     * to a pool. Requests on one connection are then handled one after the other in the order sent,
     * which is what a shim's events need, and none waits for a thread.
     */
    static Handler inline(Handler handler) {
        return new Inline(handler);
    }

    /** A handler the server runs as its requests arrive; see {@link #inline}. */
    record Inline(Handler handler) implements Handler {
        @Override
        public byte[] handle(CallContext context, byte[] payload) throws Exception {
            return handler.handle(context, payload);
        }
    }

    /**
     * A handler over generated messages: parses the request with {@code parser} (INTERNAL, as Go
     * ttrpc, when it does not parse) and encodes what {@code method} returns.
     */
    static <Q> Handler unary(Parser<Q> parser, BiFunction<CallContext, Q, ? extends MessageLite> method) {
        return (context, payload) -> {
            Q request;
            try {
                request = parser.parseFrom(payload);
            } catch (InvalidProtocolBufferException e) {
                throw new TtrpcException(TtrpcException.INTERNAL,
                        "ttrpc: error unmarshalling payload: " + e.getMessage(), e);
            }
            MessageLite response = method.apply(context, request);
            if (response == null) {
                throw new TtrpcException(TtrpcException.UNKNOWN, "ttrpc: marshal called with nil");
            }
            return response.toByteArray();
        };
    }
}
