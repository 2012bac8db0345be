package io.jcontainerd.introspection.service;

import io.jcontainerd.filters.Adaptor;
import io.jcontainerd.filters.Filter;
import io.jcontainerd.filters.Filters;
import io.jcontainerd.introspection.IntrospectionService;
import io.jcontainerd.introspection.PluginInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

/** Introspection over a source of component state, with the UUID kept in a file. */
public final class LocalIntrospection implements IntrospectionService {
    private final Supplier<List<ComponentPlugins.Component>> components;
    private final Path uuidFile;
    private String uuid;

    LocalIntrospection(Supplier<List<ComponentPlugins.Component>> components, Path uuidFile) {
        this.components = components;
        this.uuidFile = uuidFile;
    }

    @Override
    public List<PluginInfo> plugins(List<String> filters) {
        Filter filter = Filters.parseRequest(filters);
        return ComponentPlugins.plugins(components.get()).stream()
                .filter(p -> filter.match(adaptor(p)))
                .toList();
    }

    private static Adaptor adaptor(PluginInfo p) {
        return path -> {
            if (path.isEmpty()) {
                return null;
            }
            return switch (path.get(0)) {
                case "type" -> p.type().isEmpty() ? null : p.type();
                case "id" -> p.id().isEmpty() ? null : p.id();
                default -> null;
            };
        };
    }

    @Override
    public synchronized String uuid() {
        if (uuid == null) {
            uuid = readOrCreateUuid(uuidFile);
        }
        return uuid;
    }

    /** Reads the UUID file, creating it with a random UUID when missing or unreadable as a UUID. */
    static String readOrCreateUuid(Path file) {
        try {
            if (Files.isRegularFile(file)) {
                String s = Files.readString(file, StandardCharsets.UTF_8).strip();
                try {
                    return UUID.fromString(s).toString();
                } catch (IllegalArgumentException corrupt) {
                    // fall through and replace it, as containerd does
                }
            }
            Path dir = file.getParent();
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir);
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            }
            String fresh = UUID.randomUUID().toString();
            Path tmp = Files.createTempFile(dir, ".uuid", ".tmp");
            Files.writeString(tmp, fresh, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            return fresh;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the server uuid in " + file, e);
        }
    }
}
