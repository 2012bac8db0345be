package io.jcontainerd.mount.linux;

import static io.jcontainerd.mount.linux.MountFlags.MS_BIND;
import static io.jcontainerd.mount.linux.MountFlags.MS_NODEV;
import static io.jcontainerd.mount.linux.MountFlags.MS_NOEXEC;
import static io.jcontainerd.mount.linux.MountFlags.MS_NOSUID;
import static io.jcontainerd.mount.linux.MountFlags.MS_PRIVATE;
import static io.jcontainerd.mount.linux.MountFlags.MS_RDONLY;
import static io.jcontainerd.mount.linux.MountFlags.MS_REC;
import static io.jcontainerd.mount.linux.MountFlags.MS_REMOUNT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class MountFlagsTest {
    @Test
    void flagWordsBecomeFlagsAndTheRestData() {
        MountFlags f = MountFlags.parse(List.of("ro", "rbind", "nosuid", "nodev", "noexec", "size=65536k", "mode=755"));
        assertEquals(MS_RDONLY | MS_BIND | MS_REC | MS_NOSUID | MS_NODEV | MS_NOEXEC, f.flags());
        assertEquals("size=65536k,mode=755", f.data());
    }

    @Test
    void laterWordsClearEarlierOnes() {
        assertEquals(MS_BIND | MS_REC, MountFlags.parse(List.of("ro", "rbind", "rw")).flags());
        assertEquals(MS_NOSUID, MountFlags.parse(List.of("nodev", "nosuid", "dev")).flags());
    }

    @Test
    void propagationRemountAndLoop() {
        MountFlags f = MountFlags.parse(List.of("remount", "rprivate", "loop"));
        assertEquals(MS_REMOUNT | MS_PRIVATE | MS_REC, f.flags());
        assertTrue(f.loop());
        assertEquals("", f.data());
    }

    @Test
    void defaultsIsPassedOnAsDataAsContainerdDoes() {
        assertEquals("defaults,lowerdir=/a", MountFlags.parse(List.of("defaults", "lowerdir=/a")).data());
    }
}
