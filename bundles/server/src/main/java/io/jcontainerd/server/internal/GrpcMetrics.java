package io.jcontainerd.server.internal;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * The gRPC server's metrics as containerd exports them (go-grpc-prometheus): calls started, handled
 * (by status code), messages received and sent, per method, and with {@code [metrics] grpc_histogram}
 * the handling time. Every method of a served service is listed from the start, at zero, with every
 * status code, as containerd's are. Counting is a few adders per call.
 */
final class GrpcMetrics implements ServerInterceptor, MultiCollector {
    /** Status codes by Go name ({@code codes.Code.String()}), in code order. */
    private static final String[] CODES = {"OK", "Canceled", "Unknown", "InvalidArgument", "DeadlineExceeded",
        "NotFound", "AlreadyExists", "PermissionDenied", "ResourceExhausted", "FailedPrecondition", "Aborted",
        "OutOfRange", "Unimplemented", "Internal", "Unavailable", "DataLoss", "Unauthenticated"};
    /** Upper bounds of the handling-time buckets, in seconds (Prometheus' default buckets). */
    private static final double[] BOUNDS = {.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, Double.POSITIVE_INFINITY};

    private final Map<String, Counters> methods = new ConcurrentHashMap<>();
    private volatile boolean histogram;

    private final class Counters {
        final MethodDescriptor<?, ?> method;
        final LongAdder started = new LongAdder();
        final LongAdder received = new LongAdder();
        final LongAdder sent = new LongAdder();
        final LongAdder[] handled = new LongAdder[CODES.length];
        final LongAdder[] buckets = new LongAdder[BOUNDS.length];
        final LongAdder nanos = new LongAdder();

        Counters(MethodDescriptor<?, ?> m) {
            method = m;
            for (int i = 0; i < handled.length; i++) {
                handled[i] = new LongAdder();
            }
            for (int i = 0; i < buckets.length; i++) {
                buckets[i] = new LongAdder();
            }
        }

        void handled(Status.Code code, long startNanos) {
            handled[code.value()].increment();
            if (histogram) {
                long took = System.nanoTime() - startNanos;
                nanos.add(took);
                double seconds = took / 1e9;
                int i = 0;
                while (seconds > BOUNDS[i]) {
                    i++;
                }
                buckets[i].increment();
            }
        }
    }

    /** Adds the handling-time histogram ({@code grpc_histogram = true}). */
    void enableHistogram() {
        histogram = true;
    }

    /** Lists the methods of {@code service}, at zero. */
    void register(ServerServiceDefinition service) {
        for (ServerMethodDefinition<?, ?> m : service.getMethods()) {
            counters(m.getMethodDescriptor());
        }
    }

    private Counters counters(MethodDescriptor<?, ?> m) {
        return methods.computeIfAbsent(m.getFullMethodName(), n -> new Counters(m));
    }

    private static String type(MethodDescriptor.MethodType t) {
        return switch (t) {
            case UNARY -> "unary";
            case CLIENT_STREAMING -> "client_stream";
            case SERVER_STREAMING -> "server_stream";
            default -> "bidi_stream";
        };
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        if (call.getMethodDescriptor().getType() == MethodDescriptor.MethodType.UNKNOWN) {
            return next.startCall(call, headers); // an unknown method: not counted, as containerd does not
        }
        Counters c = counters(call.getMethodDescriptor());
        c.started.increment();
        long start = histogram ? System.nanoTime() : 0;
        AtomicBoolean done = new AtomicBoolean();
        ServerCall<Q, R> counted = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void sendMessage(R message) {
                super.sendMessage(message);
                c.sent.increment();
            }

            @Override
            public void close(Status status, Metadata trailers) {
                if (done.compareAndSet(false, true)) {
                    c.handled(status.getCode(), start);
                }
                super.close(status, trailers);
            }
        };
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(counted, headers)) {
            @Override
            public void onMessage(Q message) {
                c.received.increment();
                super.onMessage(message);
            }

            @Override
            public void onCancel() {
                if (done.compareAndSet(false, true)) {
                    c.handled(Status.Code.CANCELLED, start);
                }
                super.onCancel();
            }
        };
    }

    @Override
    public MetricSnapshots collect() {
        CounterSnapshot.Builder started = counter("grpc_server_started", "Total number of RPCs started on the server.");
        CounterSnapshot.Builder handled = counter("grpc_server_handled",
                "Total number of RPCs completed on the server, regardless of success or failure.");
        CounterSnapshot.Builder received = counter("grpc_server_msg_received", "Total number of RPC stream messages received on the server.");
        CounterSnapshot.Builder sent = counter("grpc_server_msg_sent", "Total number of gRPC stream messages sent by the server.");
        HistogramSnapshot.Builder seconds = HistogramSnapshot.builder().name("grpc_server_handling_seconds")
                .help("Histogram of response latency (seconds) of gRPC that had been application-level handled by the server.");
        for (Counters c : methods.values()) {
            MethodDescriptor<?, ?> m = c.method;
            Labels labels = Labels.of("grpc_method", m.getBareMethodName(), "grpc_service", m.getServiceName(),
                    "grpc_type", type(m.getType()));
            started.dataPoint(point(labels, c.started));
            received.dataPoint(point(labels, c.received));
            sent.dataPoint(point(labels, c.sent));
            for (int i = 0; i < CODES.length; i++) {
                handled.dataPoint(point(labels.add("grpc_code", CODES[i]), c.handled[i]));
            }
            if (histogram) {
                long[] counts = new long[BOUNDS.length];
                for (int i = 0; i < counts.length; i++) {
                    counts[i] = c.buckets[i].sum();
                }
                seconds.dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder().labels(labels)
                        .classicHistogramBuckets(ClassicHistogramBuckets.of(BOUNDS, counts))
                        .sum(c.nanos.sum() / 1e9).build());
            }
        }
        List<io.prometheus.metrics.model.snapshots.MetricSnapshot> out = new ArrayList<>(List.of(
                started.build(), handled.build(), received.build(), sent.build()));
        if (histogram) {
            out.add(seconds.build());
        }
        return new MetricSnapshots(out);
    }

    private static CounterSnapshot.Builder counter(String name, String help) {
        return CounterSnapshot.builder().name(name).help(help);
    }

    private static CounterSnapshot.CounterDataPointSnapshot point(Labels labels, LongAdder value) {
        return CounterSnapshot.CounterDataPointSnapshot.builder().labels(labels).value(value.sum()).build();
    }
}
