package io.jcontainerd.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * containerd's {@code imports}: after the main file, each file it imports (and those import, each
 * once) is read in turn and merged on top of what came before. A path with {@code *} is a glob (as
 * Go's {@code filepath.Glob}, relative to the working directory); any other relative path is relative
 * to the importing file's directory. Merging: a value that is set (not empty, zero or false) replaces
 * the one before, lists are appended, tables merge key by key, but each {@code [plugins."<uri>"]},
 * {@code [proxy_plugins.<name>]}, {@code [stream_processors.<name>]} and {@code [timeouts]} entry
 * replaces the earlier one whole.
 */
final class ConfigImports {
    /** Tables whose entries a later file replaces whole, as containerd merges them. */
    private static final Set<String> REPLACED_BY_KEY = Set.of("plugins", "proxy_plugins", "stream_processors",
            "timeouts");

    @FunctionalInterface
    interface Reader {
        JsonNode read(Path file) throws IOException;
    }

    private ConfigImports() {
    }

    static JsonNode load(Path main, Reader reader) throws IOException {
        Deque<Path> pending = new ArrayDeque<>(List.of(main.toAbsolutePath().normalize()));
        Set<Path> loaded = new HashSet<>();
        ObjectNode merged = null;
        while (!pending.isEmpty()) {
            Path file = pending.poll();
            if (!loaded.add(file)) {
                continue; // imported twice, or in a cycle
            }
            JsonNode toml = reader.read(file);
            if (!toml.isObject()) {
                throw new IOException("failed to load TOML from " + file + ": not a table");
            }
            if (merged == null) {
                merged = ((ObjectNode) toml).deepCopy();
            } else {
                merge(merged, (ObjectNode) toml, true);
            }
            pending.addAll(resolve(file, toml.path("imports")));
        }
        return merged;
    }

    /** The import entries of {@code parent} as paths, globs expanded in lexical order. */
    static List<Path> resolve(Path parent, JsonNode imports) throws IOException {
        List<Path> out = new ArrayList<>();
        if (!imports.isArray()) {
            return out;
        }
        for (JsonNode entry : imports) {
            String s = entry.asText();
            if (s.contains("*")) {
                glob(s).forEach(p -> out.add(p.toAbsolutePath().normalize()));
            } else {
                Path p = Path.of(s).normalize();
                out.add(p.isAbsolute() ? p : parent.toAbsolutePath().getParent().resolve(p).normalize());
            }
        }
        return out;
    }

    private static List<Path> glob(String pattern) throws IOException {
        Path p = Path.of(pattern);
        Path base = p.isAbsolute() ? p.getRoot() : Path.of("");
        int fixed = 0;
        for (Path part : p) {
            if (part.toString().contains("*")) {
                break;
            }
            fixed++;
        }
        if (fixed > 0) {
            base = base.resolve(p.subpath(0, fixed));
        }
        if (!Files.isDirectory(base)) {
            return List.of();
        }
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + p.normalize());
        int depth = p.getNameCount() - fixed;
        try (Stream<Path> s = Files.walk(base, depth)) {
            return s.filter(matcher::matches).sorted().toList();
        }
    }

    /** Merges {@code from} into {@code to} by containerd's rules; {@code top} marks the file's top level. */
    private static void merge(ObjectNode to, ObjectNode from, boolean top) {
        for (Iterator<Map.Entry<String, JsonNode>> it = from.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            JsonNode value = e.getValue();
            JsonNode existing = to.get(key);
            if (top && REPLACED_BY_KEY.contains(key) && value.isObject()) {
                ObjectNode table = existing instanceof ObjectNode o ? o : to.putObject(key);
                value.fields().forEachRemaining(entry -> table.set(entry.getKey(), entry.getValue().deepCopy()));
            } else if (value.isObject()) {
                merge(existing instanceof ObjectNode o ? o : to.putObject(key), (ObjectNode) value, false);
            } else if (value.isArray()) {
                ArrayNode list = existing instanceof ArrayNode a ? a : to.putArray(key);
                value.forEach(v -> list.add(v.deepCopy()));
            } else if (isSet(value)) {
                to.set(key, value.deepCopy());
            }
        }
    }

    private static boolean isSet(JsonNode v) {
        if (v.isTextual()) {
            return !v.asText().isEmpty();
        }
        if (v.isNumber()) {
            return v.asDouble() != 0;
        }
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        return !v.isNull();
    }
}
