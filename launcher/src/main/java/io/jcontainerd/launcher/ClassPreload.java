package io.jcontainerd.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads, before the daemon serves, the bundle classes that the build's training run loaded
 * ({@code lib/preload.classes}, written by {@code train.sh}).
 *
 * <p>Why: Felix defines a bundle class under a per-name lock that waiting threads spin on. When many
 * calls arrive at once at a path none has taken yet (16 clients creating containers right after a
 * start, dockerd restoring its containers), every call thread spins on the classes one of them is
 * defining, and on two cores the definer can be starved for seconds: 16 concurrent first
 * {@code Containers.Create}s took 3.5 s in one of 20 starts, against 0.3 s usually. Loaded
 * beforehand, those classes are found at once and nothing spins. The daemon would load most of them
 * in its first minute anyway; from the AOT cache each costs little.
 *
 * <p>The list has one class per line, {@code <bundle jar file name> <class name>}; blank lines and
 * lines starting with {@code #} are skipped. A missing list means nothing to preload. The list is a
 * hint from the build, never a reason not to start: a line of another shape is set aside (and
 * reported), and so is a class that cannot be loaded.
 */
final class ClassPreload {
    /** The result: classes loaded, and those that could not be (a bundle absent, a class gone). */
    record Counts(int loaded, int missed) {
    }

    /** The list's classes grouped by jar, in its order, and the lines that were not {@code <jar> <class>}. */
    record Listing(Map<String, List<String>> byJar, List<String> malformed) {
    }

    /** Loads one class of one bundle; false when that bundle is not installed. */
    @FunctionalInterface
    interface Loader {
        boolean load(String jar, String className) throws ClassNotFoundException;
    }

    private ClassPreload() {
    }

    /** The list at {@code file}; empty when there is no file. */
    static Listing read(Path file) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException none) {
            return new Listing(Map.of(), List.of());
        }
        return parse(lines);
    }

    static Listing parse(List<String> lines) {
        Map<String, List<String>> byJar = new LinkedHashMap<>();
        List<String> malformed = new ArrayList<>();
        for (String raw : lines) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.split("\\s+");
            if (parts.length != 2) {
                malformed.add(raw);
                continue;
            }
            byJar.computeIfAbsent(parts[0], k -> new ArrayList<>()).add(parts[1]);
        }
        return new Listing(byJar, malformed);
    }

    /**
     * Loads every listed class through {@code loader}. A class that cannot be loaded is counted and
     * skipped: the list is a hint from the build, never a reason not to start.
     */
    static Counts load(Map<String, List<String>> byJar, Loader loader) {
        int loaded = 0;
        int missed = 0;
        for (Map.Entry<String, List<String>> e : byJar.entrySet()) {
            for (String className : e.getValue()) {
                try {
                    if (loader.load(e.getKey(), className)) {
                        loaded++;
                    } else {
                        missed++;
                    }
                } catch (ClassNotFoundException | LinkageError gone) {
                    missed++;
                }
            }
        }
        return new Counts(loaded, missed);
    }
}
