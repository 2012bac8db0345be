package io.jcontainerd.launcher;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.wiring.FrameworkWiring;

/**
 * The running daemon: an embedded Felix framework holding the configured features.
 *
 * <p>Plugins learn the daemon's directories and socket from framework properties
 * ({@code jcontainerd.root}, {@code jcontainerd.state}, {@code jcontainerd.grpc.*}), the plugins to
 * leave out from {@code jcontainerd.disabled_plugins}, and their own settings from Config Admin, where
 * the configuration bridge puts {@code jcontainerd.configurations}. Everything the daemon writes lives
 * under root, state and the socket's directory.
 */
final class Daemon {
    private static final Logger LOG = Logger.getLogger(Daemon.class.getName());

    private final DaemonConfig config;
    private final Path home;
    private final Level logLevel;
    private Framework framework;

    Daemon(DaemonConfig config, Path home, Level logLevel) {
        this.config = config;
        this.home = home;
        this.logLevel = logLevel;
    }

    /** Framework property: the plugin URIs of {@code required_plugins}, comma-separated. */
    static final String REQUIRED_PLUGINS = "jcontainerd.required_plugins";
    /**
     * Service property of the {@code Consumer<String>} the launcher registers: a bundle that finds the
     * daemon cannot serve hands it the reason, and the daemon exits 1 (the bundles find it through
     * core's {@code io.jcontainerd.plugin.DaemonFatal}, which names the same property).
     */
    static final String FATAL = "jcontainerd.fatal";
    /** The factory component of snapshotter proxies; each {@code [proxy_plugins.<name>]} is one configuration. */
    static final String SNAPSHOTTER_PROXY = "io.jcontainerd.snapshotter.proxy";
    /** The metrics endpoint's configuration, written when {@code [metrics] address} is set. */
    static final String METRICS = "io.jcontainerd.metrics";

    /**
     * Boots the framework and starts every feature's bundles; returns once all are started.
     * {@code onFatal} is told why, if a bundle finds that the daemon must not serve.
     */
    void start(java.util.function.Consumer<String> onFatal) throws IOException, BundleException {
        makeDir(config.root(), "rwx------");
        makeDir(config.state(), "rwx--x--x");
        Path tmp = makeDir(config.state().resolve("tmp"), "rwx------");
        Path nativeDir = makeDir(config.root().resolve("tmp"), "rwx------");
        System.setProperty("java.io.tmpdir", tmp.toString());
        // netty extracts its epoll library to load it; the root (not a noexec tmpfs) is the safe place
        System.setProperty("io.grpc.netty.shaded.io.netty.native.workdir", nativeDir.toString());
        System.setProperty("io.grpc.netty.shaded.io.netty.tmpdir", nativeDir.toString());
        // JNA (mounts, snapshot file systems) extracts its dispatch library likewise, not to ~/.cache
        System.setProperty("jna.tmpdir", nativeDir.toString());

        List<Feature> features = new ArrayList<>();
        for (String name : config.features()) {
            features.add(Feature.load(home.resolve("features"), name));
        }
        Map<String, Object> props = frameworkProperties(features);
        FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class).findFirst()
                .orElseThrow(() -> new IllegalStateException("no OSGi framework on the class path"));
        framework = factory.newFramework(toStrings(props, new FelixLogger()));
        framework.init();
        framework.getBundleContext().registerService(java.util.function.Consumer.class, onFatal,
                new java.util.Hashtable<>(Map.of(FATAL, Boolean.TRUE)));
        preload(installFeatures(features));
        framework.start();
    }

    private Map<String, Object> frameworkProperties(List<Feature> features) throws IOException {
        int maxStartOrder = features.stream().flatMap(f -> f.bundles().stream())
                .mapToInt(Feature.BundleRef::startOrder).max().orElse(1);
        Map<String, Object> p = new LinkedHashMap<>();
        p.put(Constants.FRAMEWORK_STORAGE, config.state().resolve("osgi-cache").toString());
        p.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        p.put(Constants.FRAMEWORK_BEGINNING_STARTLEVEL, String.valueOf(maxStartOrder));
        p.put("felix.startlevel.bundle", "1");
        p.put("felix.log.level", logLevel.intValue() <= Level.FINE.intValue() ? "4" : "2");
        p.put("ds.loglevel", logLevel.intValue() <= Level.FINEST.intValue() ? "debug" : "warn");
        p.put("jcontainerd.home", home.toString());
        p.put("jcontainerd.root", config.root().toString());
        p.put("jcontainerd.state", config.state().toString());
        p.put("jcontainerd.grpc.address", config.grpcAddress());
        p.put("jcontainerd.grpc.uid", String.valueOf(config.grpcUid()));
        p.put("jcontainerd.grpc.gid", String.valueOf(config.grpcGid()));
        p.put("jcontainerd.grpc.max_recv_message_size", String.valueOf(config.maxRecvMessageSize()));
        p.put("jcontainerd.ttrpc.address", config.ttrpcAddress());
        p.put("jcontainerd.ttrpc.uid", String.valueOf(config.ttrpcUid()));
        p.put("jcontainerd.ttrpc.gid", String.valueOf(config.ttrpcGid()));
        p.put("jcontainerd.disabled_plugins", String.join(",", config.disabledPlugins()));
        p.put(REQUIRED_PLUGINS, String.join(",", config.requiredPlugins()));
        p.putAll(config.timeouts()); // [timeouts], under containerd's keys (io.containerd.timeout.…)
        p.put("jcontainerd.metrics.grpc_histogram", String.valueOf(config.metrics().grpcHistogram()));
        p.put("jcontainerd.configurations", configurations(features));
        // hot deployment (the hotdeploy feature): bundles dropped into <home>/deploy
        p.put("felix.fileinstall.dir", home.resolve("deploy").toString());
        p.put("felix.fileinstall.tmpdir", config.state().resolve("tmp").toString());
        p.put("felix.fileinstall.poll", "1000");
        p.put("felix.fileinstall.noInitialDelay", "true");
        p.put("felix.fileinstall.enableConfigSave", "false");
        p.put("felix.fileinstall.log.level", "1");
        return p;
    }

    /** Feature defaults overlaid with config.toml's plugin tables, as JSON for the configuration bridge. */
    private String configurations(List<Feature> features) throws IOException {
        Map<String, ObjectNode> merged = new LinkedHashMap<>();
        for (Feature f : features) {
            f.configurations().forEach((pid, props) -> merged.computeIfAbsent(pid,
                    k -> JsonNodeFactory.instance.objectNode()).setAll(props));
        }
        config.plugins().forEach((pid, props) -> merged.computeIfAbsent(pid,
                k -> JsonNodeFactory.instance.objectNode()).setAll(props));
        if (!config.metrics().address().isEmpty()) {
            merged.put(METRICS, JsonNodeFactory.instance.objectNode().put("address", config.metrics().address()));
        }
        config.proxyPlugins().forEach((name, proxy) -> {
            String uri = "io.containerd.snapshotter.v1." + name;
            if (!proxy.type().equals("snapshot") && !proxy.type().equals("io.containerd.snapshotter.v1")) {
                LOG.warning("proxy plugin " + name + " of type \"" + proxy.type() + "\" is not supported; only snapshot proxies are");
            } else if (config.disabledPlugins().contains(uri)) {
                LOG.info("plugin " + uri + " disabled by configuration");
            } else {
                // conflict.target: another snapshotter of the same name, which the proxy gives way to
                merged.put(SNAPSHOTTER_PROXY + "~" + name, JsonNodeFactory.instance.objectNode()
                        .put("plugin.id", name).put("address", proxy.address())
                        .put("conflict.target", "(&(plugin.id=" + ldapValue(name) + ")(!(component.name="
                                + SNAPSHOTTER_PROXY + ")))"));
            }
        });
        return merged.isEmpty() ? "{}" : Feature.JSON.writeValueAsString(merged);
    }

    /**
     * Resolves the installed bundles and loads the classes of {@code lib/preload.classes} from them
     * (see {@link ClassPreload}), before the framework starts them and the daemon serves.
     */
    private void preload(Map<String, Bundle> byJar) {
        Path file = home.resolve("lib").resolve("preload.classes");
        ClassPreload.Listing list;
        try {
            list = ClassPreload.read(file);
        } catch (IOException unreadable) {
            LOG.warning("not preloading: cannot read " + file + ": " + unreadable.getMessage());
            return;
        }
        if (!list.malformed().isEmpty()) {
            LOG.warning(file + ": " + list.malformed().size() + " lines are not \"<jar> <class>\" and were skipped, the first: \""
                    + list.malformed().get(0) + "\"");
        }
        if (list.byJar().isEmpty()) {
            return;
        }
        long start = System.nanoTime();
        framework.adapt(FrameworkWiring.class).resolveBundles(byJar.values());
        ClassPreload.Counts counts = ClassPreload.load(list.byJar(), (jar, className) -> {
            Bundle b = byJar.get(jar);
            if (b == null || b.getState() != Bundle.RESOLVED) {
                return false;
            }
            b.loadClass(className);
            return true;
        });
        LOG.fine("preloaded " + counts.loaded() + " classes (" + counts.missed() + " not loadable) in "
                + (System.nanoTime() - start) / 1_000_000 + " ms");
    }

    /** Installs the features' bundles and marks them started; answers them by jar file name. */
    private Map<String, Bundle> installFeatures(List<Feature> features) throws IOException, BundleException {
        Path bundles = home.resolve("bundle");
        Map<String, Feature.BundleRef> refs = new LinkedHashMap<>();
        for (Feature f : features) {
            for (Feature.BundleRef ref : f.bundles()) {
                Path jar = bundles.resolve(ref.fileName());
                if (!Files.isRegularFile(jar)) {
                    throw new IOException("feature " + f.name() + " needs " + ref + " but " + jar + " is missing");
                }
                refs.putIfAbsent(ref.toString(), ref);
            }
        }
        // installing reads each jar's manifest and writes the framework's cache. The libraries (start
        // order 1, the largest manifests) install on a pool, as many at a time as the machine has cores
        // (at most four), while this thread installs the plugin bundles one by one in feature order: so
        // the plugin bundles' ids, and with them the plugin list's order, are the same at every start.
        // Start levels and starts then follow in feature order.
        List<Feature.BundleRef> ordered = new ArrayList<>(refs.values());
        Map<Feature.BundleRef, Bundle> installed = new java.util.HashMap<>();
        Map<Feature.BundleRef, java.util.concurrent.Future<Bundle>> libraries = new LinkedHashMap<>();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(
                Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())));
        try {
            for (Feature.BundleRef ref : ordered) {
                if (ref.startOrder() <= 1) {
                    libraries.put(ref, pool.submit(() -> framework.getBundleContext().installBundle(location(bundles, ref))));
                }
            }
            for (Feature.BundleRef ref : ordered) {
                if (ref.startOrder() > 1) {
                    installed.put(ref, framework.getBundleContext().installBundle(location(bundles, ref)));
                }
            }
            for (Map.Entry<Feature.BundleRef, java.util.concurrent.Future<Bundle>> e : libraries.entrySet()) {
                try {
                    installed.put(e.getKey(), e.getValue().get());
                } catch (java.util.concurrent.ExecutionException ex) {
                    if (ex.getCause() instanceof BundleException be) {
                        throw be;
                    }
                    throw new IllegalStateException("installing " + e.getKey(), ex.getCause());
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    throw new BundleException("interrupted installing " + e.getKey(), ex);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        for (Feature.BundleRef ref : ordered) {
            Bundle b = installed.get(ref);
            b.adapt(BundleStartLevel.class).setStartLevel(ref.startOrder());
            if (b.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                b.start();
            }
            LOG.log(Level.FINE, "installed {0} at start order {1}", new Object[] {ref, ref.startOrder()});
        }
        Map<String, Bundle> byJar = new HashMap<>();
        installed.forEach((ref, b) -> byJar.put(ref.fileName(), b));
        return byJar;
    }

    private static String location(Path bundles, Feature.BundleRef ref) {
        return "reference:" + bundles.resolve(ref.fileName()).toUri();
    }

    /** Stops the framework and waits for it (plugins deactivate, the socket goes away). */
    void stop() throws InterruptedException, BundleException {
        if (framework != null) {
            framework.stop();
            FrameworkEvent e = framework.waitForStop(30_000);
            if (e.getType() == FrameworkEvent.WAIT_TIMEDOUT) {
                LOG.warning("the framework did not stop within 30s");
            }
        }
    }

    /** Blocks until the framework stops. */
    void awaitStop() throws InterruptedException {
        framework.waitForStop(0);
    }

    /** {@code value} escaped for an OSGi filter: a backslash before each {@code \\ * ( )}. */
    static String ldapValue(String value) {
        StringBuilder b = new StringBuilder(value.length());
        for (char c : value.toCharArray()) {
            if (c == '\\' || c == '*' || c == '(' || c == ')') {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }

    /** Felix takes a few non-string properties (its logger) through the string map it is given. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Map<String, String> toStrings(Map<String, Object> p, Object felixLogger) {
        Map out = new HashMap<>(p);
        out.put("felix.log.logger", felixLogger);
        return out;
    }

    private static Path makeDir(Path dir, String mode) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(mode));
        }
        return dir;
    }
}
