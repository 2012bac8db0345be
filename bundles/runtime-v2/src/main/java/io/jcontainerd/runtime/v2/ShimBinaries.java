package io.jcontainerd.runtime.v2;

import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.ErrorCode;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds shim binaries: runtime {@code a.b.<name>.<version>} is {@code containerd-shim-<name>-<version>}
 * on the daemon's PATH; an absolute path is taken as it is. Found paths are remembered.
 */
final class ShimBinaries {
    private final String searchPath;
    private final Map<String, Path> found = new ConcurrentHashMap<>();

    ShimBinaries(String searchPath) {
        this.searchPath = searchPath == null ? "" : searchPath;
    }

    /** The binary name for a runtime name, or {@code null} if it has fewer than two dot-separated parts. */
    static String binaryName(String runtime) {
        String[] parts = runtime.split("\\.", -1);
        if (parts.length < 2) {
            return null;
        }
        return "containerd-shim-" + parts[parts.length - 2] + "-" + parts[parts.length - 1];
    }

    Path resolve(String runtime) {
        if (runtime == null || runtime.isEmpty()) {
            throw new ContainerdException(ErrorCode.UNKNOWN, "no runtime name");
        }
        Path p = Path.of(runtime);
        if (p.isAbsolute()) {
            if (!Files.exists(p)) {
                throw new ContainerdException(ErrorCode.UNKNOWN, "invalid custom binary path: stat " + runtime
                        + ": no such file or directory");
            }
            return p;
        }
        String name = binaryName(runtime);
        if (name == null) {
            throw new ContainerdException(ErrorCode.UNKNOWN, "invalid runtime name " + runtime + ", correct runtime"
                    + " name should be either format like `io.containerd.runc.v1` or a full path to the binary");
        }
        Path cached = found.get(name);
        if (cached != null) {
            return cached;
        }
        for (String dir : searchPath.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                Path abs = candidate.toAbsolutePath();
                Path prev = found.putIfAbsent(name, abs);
                return prev != null ? prev : abs;
            }
        }
        throw new ContainerdException(ErrorCode.UNKNOWN, "runtime \"" + runtime + "\" binary not installed \""
                + name + "\": file does not exist");
    }
}
