package io.jcontainerd.launcher;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
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
 * The daemon configuration: containerd's config.toml (version 2) keys that jcontainerd honours, after
 * the command-line flags are applied.
 *
 * @param root             persistent directory ({@code root})
 * @param state            volatile directory ({@code state})
 * @param grpcAddress      unix socket path ({@code [grpc] address})
 * @param grpcUid          socket owner, -1 to keep the daemon's ({@code [grpc] uid})
 * @param grpcGid          socket group, -1 to keep the daemon's ({@code [grpc] gid})
 * @param maxRecvMessageSize largest request accepted ({@code [grpc] max_recv_message_size})
 * @param ttrpcAddress     the shims' unix socket ({@code [ttrpc] address}; by default the gRPC address
 *                         + {@code .ttrpc}, and then the gRPC uid and gid, as containerd)
 * @param ttrpcUid         its owner, -1 to keep the daemon's ({@code [ttrpc] uid})
 * @param ttrpcGid         its group, -1 to keep the daemon's ({@code [ttrpc] gid})
 * @param disabledPlugins  plugin URIs not to load ({@code disabled_plugins})
 * @param requiredPlugins  plugin URIs without which the daemon does not serve ({@code required_plugins})
 * @param oomScore         the daemon's {@code oom_score_adj}, 0 to leave it ({@code oom_score})
 * @param cgroupPath       the cgroup the daemon moves itself into, or null ({@code [cgroup] path})
 * @param timeouts         {@code [timeouts]}: Go durations by containerd key ({@code io.containerd.timeout.shim.load}, …)
 * @param features         feature names to install ({@code features}, jcontainerd's own key)
 * @param logLevel         {@code [debug] level}, overridden by {@code --log-level}
 * @param plugins          {@code [plugins."<uri>"]} tables, nested tables flattened to dotted keys
 * @param proxyPlugins     {@code [proxy_plugins.<name>]}: each one's {@code type} and {@code address}
 * @param metrics          {@code [metrics]}: the address of the Prometheus endpoint (empty for none) and
 *                         whether the gRPC server also measures handling times
 */
record DaemonConfig(Path root, Path state, String grpcAddress, int grpcUid, int grpcGid, int maxRecvMessageSize,
        String ttrpcAddress, int ttrpcUid, int ttrpcGid, List<String> disabledPlugins, List<String> requiredPlugins,
        int oomScore, String cgroupPath, Map<String, String> timeouts, List<String> features, String logLevel,
        Map<String, ObjectNode> plugins, Map<String, ProxyPlugin> proxyPlugins, Metrics metrics) {

    /** {@code [metrics]}: {@code address} ({@code host:port}, empty for no endpoint) and {@code grpc_histogram}. */
    record Metrics(String address, boolean grpcHistogram) {
    }

    /** A plugin served by another process over gRPC ({@code type} {@code snapshot} or {@code content}). */
    record ProxyPlugin(String type, String address) {
    }

    static final Path DEFAULT_CONFIG = Path.of("/etc/jcontainerd/config.toml");
    static final String DEFAULT_ROOT = "/var/lib/jcontainerd";
    static final String DEFAULT_STATE = "/run/jcontainerd";
    static final String DEFAULT_ADDRESS = "/run/jcontainerd/jcontainerd.sock";
    static final int DEFAULT_MAX_MESSAGE_SIZE = 16 << 20;

    /**
     * Reads the configuration: the file given with {@code --config} must exist; the default file is
     * optional. Files named by {@code imports} are read after it and merged on top, as containerd does
     * (see {@link ConfigImports}). Flags override the files.
     */
    static DaemonConfig load(Options options) throws IOException {
        Path file = options.config() != null ? options.config() : DEFAULT_CONFIG;
        JsonNode toml;
        if (options.config() == null && !Files.exists(file)) {
            toml = JsonNodeFactory.instance.objectNode(); // no file, no parser to start
        } else {
            toml = ConfigImports.load(file, DaemonConfig::read);
        }
        return from(toml, options);
    }

    private static JsonNode read(Path file) throws IOException {
        try {
            return new TomlMapper().readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new IOException("failed to load TOML from " + file + ": no such file", e);
        }
    }

    static DaemonConfig from(JsonNode toml, Options options) throws IOException {
        int version = toml.path("version").asInt(1);
        if (version > 2) {
            throw new IOException("unsupported config version " + version + ": expected 2");
        }
        String root = first(options.root(), text(toml, "root"), DEFAULT_ROOT);
        String state = first(options.state(), text(toml, "state"), DEFAULT_STATE);
        JsonNode grpc = toml.path("grpc");
        String address = first(options.address(), text(grpc, "address"), DEFAULT_ADDRESS);
        String level = first(options.logLevel(), text(toml.path("debug"), "level"), "info");
        Map<String, ObjectNode> plugins = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = toml.path("plugins").fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isObject()) {
                ObjectNode flat = JsonNodeFactory.instance.objectNode();
                flatten("", e.getValue(), flat);
                plugins.put(e.getKey(), flat);
            }
        }
        List<String> features = strings(toml.path("features"));
        String grpcAddress = absolute(address, "grpc address").toString();
        JsonNode ttrpc = toml.path("ttrpc");
        String ttrpcAddress = text(ttrpc, "address");
        boolean ttrpcDefault = ttrpcAddress == null;
        return new DaemonConfig(
                absolute(root, "root"), absolute(state, "state"), grpcAddress,
                grpc.path("uid").asInt(-1), grpc.path("gid").asInt(-1),
                grpc.path("max_recv_message_size").asInt(DEFAULT_MAX_MESSAGE_SIZE),
                ttrpcDefault ? grpcAddress + ".ttrpc" : absolute(ttrpcAddress, "ttrpc address").toString(),
                (ttrpcDefault ? grpc : ttrpc).path("uid").asInt(-1), (ttrpcDefault ? grpc : ttrpc).path("gid").asInt(-1),
                strings(toml.path("disabled_plugins")), strings(toml.path("required_plugins")),
                toml.path("oom_score").asInt(0), text(toml.path("cgroup"), "path"), timeouts(toml.path("timeouts")),
                features.isEmpty() ? List.of("core", "hotdeploy") : features,
                level, plugins, proxyPlugins(toml.path("proxy_plugins")),
                new Metrics(toml.path("metrics").path("address").asText(""),
                        toml.path("metrics").path("grpc_histogram").asBoolean(false)));
    }

    private static Map<String, ProxyPlugin> proxyPlugins(JsonNode table) {
        Map<String, ProxyPlugin> out = new LinkedHashMap<>();
        table.fields().forEachRemaining(e -> out.put(e.getKey(),
                new ProxyPlugin(e.getValue().path("type").asText(""), e.getValue().path("address").asText(""))));
        return out;
    }

    /** A Go duration as {@code time.ParseDuration} takes it: a sign, then numbers each with a unit. */
    private static final java.util.regex.Pattern GO_DURATION =
            java.util.regex.Pattern.compile("[-+]?(0|(\\d+(\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h))+");

    /** containerd refuses to start, with these words, on a timeout that is not a Go duration. */
    private static Map<String, String> timeouts(JsonNode table) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = table.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            String value = e.getValue().asText();
            if (!GO_DURATION.matcher(value).matches()) {
                throw new IOException("unable to parse " + value + " into a time duration");
            }
            out.put(e.getKey(), value);
        }
        return Map.copyOf(out);
    }

    private static void flatten(String prefix, JsonNode node, ObjectNode out) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            if (e.getValue().isObject()) {
                flatten(key, e.getValue(), out);
            } else {
                out.set(key, e.getValue());
            }
        }
    }

    private static Path absolute(String p, String what) throws IOException {
        Path path = Path.of(p);
        if (!path.isAbsolute()) {
            throw new IOException(what + " must be an absolute path: " + p);
        }
        return path.normalize();
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isValueNode() && !v.asText().isEmpty() ? v.asText() : null;
    }

    private static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(n -> out.add(n.asText()));
        }
        return List.copyOf(out);
    }

    @SafeVarargs
    private static <T> T first(T... values) {
        for (T v : values) {
            if (v != null) {
                return v;
            }
        }
        return null;
    }
}
