package io.jcontainerd.events;

import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.Errdefs;
import io.jcontainerd.identifiers.Identifiers;

/** containerd's topic rule: {@code /component[/component...]}, each component a valid identifier. */
public final class Topics {
    private Topics() {
    }

    /** Checks a topic, throwing InvalidArgument with containerd's messages. */
    public static void validate(String topic) {
        if (topic == null || topic.isEmpty()) {
            throw Errdefs.invalidArgument("must not be empty");
        }
        if (topic.charAt(0) != '/') {
            throw Errdefs.invalidArgument("must start with '/'");
        }
        if (topic.length() == 1) {
            throw Errdefs.invalidArgument("must have at least one component");
        }
        for (String component : topic.substring(1).split("/", -1)) {
            try {
                Identifiers.validate(component);
            } catch (ContainerdException e) {
                throw e.wrap("failed validation on component " + Errdefs.q(component));
            }
        }
    }
}
