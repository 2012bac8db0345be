package io.jcontainerd.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Writes the plugin configurations the launcher assembled (feature defaults overlaid with config.toml's
 * {@code [plugins."<type>.<id>"]} tables) into Config Admin, one configuration per plugin URI.
 *
 * <p>It runs in its bundle's start, at a start level after Config Admin and before the plugins, so
 * every plugin activates with its configuration in place. The launcher passes them as the JSON
 * framework property {@value #PROPERTY}: an object of PIDs, each an object of properties whose values
 * are strings, numbers, booleans or arrays of those. A PID {@code <factory>~<name>} is the named
 * configuration {@code name} of the factory component {@code factory}.
 */
public class ConfigurationBridge implements BundleActivator {
    private static final System.Logger LOG = System.getLogger(ConfigurationBridge.class.getName());

    /** The framework property holding the configurations. */
    public static final String PROPERTY = "jcontainerd.configurations";

    @Override
    public void start(BundleContext ctx) throws Exception {
        String json = ctx.getProperty(PROPERTY);
        if (json == null || json.isBlank() || json.strip().equals("{}")) {
            return; // the common case; spares loading a JSON parser at start-up
        }
        ServiceReference<ConfigurationAdmin> ref = ctx.getServiceReference(ConfigurationAdmin.class);
        if (ref == null) {
            throw new IllegalStateException("Config Admin is not running; it must start before " + ctx.getBundle().getSymbolicName());
        }
        ConfigurationAdmin admin = ctx.getService(ref);
        try {
            JsonNode root = new ObjectMapper().readTree(json);
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                apply(admin, e.getKey(), e.getValue());
            }
        } finally {
            ctx.ungetService(ref);
        }
    }

    private static void apply(ConfigurationAdmin admin, String pid, JsonNode table) throws IOException {
        Dictionary<String, Object> props = new Hashtable<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = table.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            Object v = value(e.getValue());
            if (v != null) {
                props.put(e.getKey(), v);
            }
        }
        int tilde = pid.indexOf('~');
        // "<factory pid>~<name>": one named configuration of a factory component (a proxy plugin)
        Configuration c = tilde > 0 ? admin.getFactoryConfiguration(pid.substring(0, tilde), pid.substring(tilde + 1), "?")
                : admin.getConfiguration(pid, "?");
        c.update(props);
        LOG.log(System.Logger.Level.DEBUG, "configured {0} with {1}", pid, props);
    }

    static Object value(JsonNode n) {
        if (n.isTextual()) {
            return n.textValue();
        }
        if (n.isBoolean()) {
            return n.booleanValue();
        }
        if (n.isIntegralNumber()) {
            return n.longValue();
        }
        if (n.isNumber()) {
            return n.doubleValue();
        }
        if (n.isArray()) {
            List<Object> items = new ArrayList<>();
            n.forEach(x -> items.add(value(x)));
            if (items.stream().allMatch(x -> x instanceof Long)) {
                return items.toArray(Long[]::new);
            }
            if (items.stream().allMatch(x -> x instanceof Boolean)) {
                return items.toArray(Boolean[]::new);
            }
            return items.stream().map(String::valueOf).toArray(String[]::new);
        }
        return n.isNull() ? null : n.toString();
    }

    @Override
    public void stop(BundleContext ctx) {
        // configurations live as long as the framework; nothing to undo
    }
}
