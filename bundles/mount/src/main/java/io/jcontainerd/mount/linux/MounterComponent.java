package io.jcontainerd.mount.linux;

import io.jcontainerd.mount.Mount;
import io.jcontainerd.mount.Mounter;
import java.nio.file.Path;
import java.util.List;
import org.osgi.service.component.annotations.Component;

/** Publishes the {@link LinuxMounter} as the {@link Mounter} service (a library, not a plugin). */
@Component(name = "io.jcontainerd.mount", service = Mounter.class)
public class MounterComponent implements Mounter {
    private final LinuxMounter mounter = new LinuxMounter();

    @Override
    public void mountAll(List<Mount> mounts, Path target) {
        mounter.mountAll(mounts, target);
    }

    @Override
    public void unmountAll(Path target, boolean detach) {
        mounter.unmountAll(target, detach);
    }
}
