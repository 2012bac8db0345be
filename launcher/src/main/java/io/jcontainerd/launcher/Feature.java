package io.jcontainerd.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A feature file ({@code features/<name>.json}, OSGi feature JSON): the bundles that make a feature,
 * each with a start order, and the default configuration of its plugins.
 *
 * @param name           the feature's name (its file name)
 * @param bundles        the bundles, in install order
 * @param configurations default properties per configuration PID
 */
record Feature(String name, List<BundleRef> bundles, Map<String, ObjectNode> configurations) {
    /** The launcher's one JSON mapper (creating one is not free at start-up). */
    static final ObjectMapper JSON = new ObjectMapper();

    /** A bundle by Maven coordinates, shipped as {@code bundle/<artifactId>-<version>.jar}. */
    record BundleRef(String groupId, String artifactId, String version, int startOrder) {
        String fileName() {
            return artifactId + "-" + version + ".jar";
        }

        @Override
        public String toString() {
            return groupId + ":" + artifactId + ":" + version;
        }
    }

    static Feature load(Path featuresDir, String name) throws IOException {
        Path file = featuresDir.resolve(name + ".json");
        JsonNode json;
        try {
            json = JSON.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new IOException("unknown feature " + name + ": no " + file, e);
        }
        List<BundleRef> bundles = new ArrayList<>();
        for (JsonNode b : json.path("bundles")) {
            String[] gav = b.path("id").asText().split(":");
            if (gav.length != 3) {
                throw new IOException("feature " + name + ": bundle id must be groupId:artifactId:version, not "
                        + b.path("id").asText());
            }
            bundles.add(new BundleRef(gav[0], gav[1], gav[2], b.path("start-order").asInt(1)));
        }
        Map<String, ObjectNode> configurations = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = json.path("configurations").fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isObject()) {
                configurations.put(e.getKey(), (ObjectNode) e.getValue());
            }
        }
        return new Feature(name, List.copyOf(bundles), configurations);
    }
}
