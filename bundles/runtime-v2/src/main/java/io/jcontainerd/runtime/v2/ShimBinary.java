package io.jcontainerd.runtime.v2;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.protobuf.InvalidProtocolBufferException;
import containerd.task.v2.DeleteResponse;
import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.ErrorCode;
import io.jcontainerd.runtime.Exit;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a shim binary's {@code start} and {@code delete} commands for one bundle, as containerd 1.6
 * does: {@code <shim> -namespace <ns> -address <grpc> -publish-binary <daemon> -id <id> [-debug] start}
 * in the bundle directory with {@code TTRPC_ADDRESS} in the environment and the options on stdin.
 *
 * @param binary        the shim binary
 * @param bundle        the task's bundle
 * @param grpcAddress   the daemon's gRPC socket
 * @param ttrpcAddress  the daemon's ttrpc socket, where the shim publishes its events
 * @param publishBinary the daemon executable the shim would run to publish events without ttrpc
 * @param debug         whether the shim logs at debug level
 */
record ShimBinary(Path binary, Bundle bundle, String grpcAddress, String ttrpcAddress, String publishBinary,
        boolean debug) {
    private static final long START_TIMEOUT_SECONDS = 60;
    private static final long DELETE_TIMEOUT_SECONDS = 10;

    private ProcessBuilder command(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(binary.toString(), "-namespace", bundle.namespace(), "-address",
                grpcAddress, "-publish-binary", publishBinary));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(bundle.path().toFile());
        pb.environment().put("GOMAXPROCS", "2");
        pb.environment().put("TTRPC_ADDRESS", ttrpcAddress);
        return pb;
    }

    /** Runs {@code start}; answers the socket path the shim printed (its combined output, trimmed). */
    Path start(byte[] options) {
        List<String> args = new ArrayList<>(List.of("-id", bundle.id()));
        if (debug) {
            args.add("-debug");
        }
        args.add("start");
        ProcessBuilder pb = command(args).redirectErrorStream(true);
        String out;
        int rc;
        try {
            Process p = pb.start();
            CompletableFuture<byte[]> output = readAll(p.getInputStream());
            try (OutputStream in = p.getOutputStream()) {
                if (options != null) {
                    in.write(options);
                }
            } catch (IOException e) {
                // the shim may exit without reading its options; its output says why
            }
            if (!p.waitFor(START_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new ContainerdException(ErrorCode.DEADLINE_EXCEEDED, "start shim " + bundle.id());
            }
            rc = p.exitValue();
            out = new String(output.get(5, TimeUnit.SECONDS), UTF_8);
        } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new ContainerdException(ErrorCode.UNKNOWN, "start failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerdException(ErrorCode.CANCELED, "start shim " + bundle.id(), e);
        }
        if (rc != 0) {
            throw new ContainerdException(ErrorCode.UNKNOWN, "start failed: " + out + ": exit status " + rc);
        }
        Path socket = socketOf(out);
        if (socket == null) {
            throw new ContainerdException(ErrorCode.UNKNOWN, "start failed: unexpected shim output: " + out.trim());
        }
        return socket;
    }

    /** The socket of a shim address as a shim prints it ({@code unix:///path} or a path), or null if it is neither. */
    static Path socketOf(String address) {
        String a = address.trim();
        if (a.startsWith("unix://")) {
            return Path.of(a.substring("unix://".length()));
        }
        return a.startsWith("/") ? Path.of(a) : null;
    }

    /**
     * Runs {@code delete} for a shim that is gone (or has been shut down): the shim's own cleanup of
     * the runc container; answers the exit it reports.
     */
    Exit delete() {
        ProcessBuilder pb = command(List.of("-id", bundle.id(), "-bundle", bundle.path().toString(), "delete"));
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            CompletableFuture<byte[]> out = readAll(p.getInputStream());
            CompletableFuture<byte[]> err = readAll(p.getErrorStream());
            if (!p.waitFor(DELETE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new ContainerdException(ErrorCode.DEADLINE_EXCEEDED, "shim delete " + bundle.id());
            }
            if (p.exitValue() != 0) {
                throw new ContainerdException(ErrorCode.UNKNOWN, new String(err.get(5, TimeUnit.SECONDS), UTF_8)
                        + ": exit status " + p.exitValue());
            }
            DeleteResponse r = DeleteResponse.parseFrom(out.get(5, TimeUnit.SECONDS));
            return new Exit(r.getPid(), r.getExitStatus(), Protos.instant(r.getExitedAt()));
        } catch (InvalidProtocolBufferException e) {
            throw new ContainerdException(ErrorCode.UNKNOWN, "shim delete " + bundle.id() + ": " + e.getMessage(), e);
        } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new ContainerdException(ErrorCode.UNKNOWN, "shim delete " + bundle.id() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ContainerdException(ErrorCode.CANCELED, "shim delete " + bundle.id(), e);
        }
    }

    private static CompletableFuture<byte[]> readAll(InputStream in) {
        CompletableFuture<byte[]> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (in) {
                f.complete(in.readAllBytes());
            } catch (IOException e) {
                f.completeExceptionally(e);
            }
        }, "shim-output");
        t.setDaemon(true);
        t.start();
        return f;
    }
}
