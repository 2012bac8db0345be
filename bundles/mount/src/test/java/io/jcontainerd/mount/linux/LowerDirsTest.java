package io.jcontainerd.mount.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class LowerDirsTest {
    @Test
    void lowerDirsBecomeRelativeToTheParentOfTheirCommonPrefix() {
        LowerDirs.Compacted c = LowerDirs.compact(List.of("workdir=/r/snapshots/13/work", "upperdir=/r/snapshots/13/fs",
                "lowerdir=/r/snapshots/12/fs:/r/snapshots/1/fs:/r/snapshots/10/fs"));
        assertEquals("/r/snapshots/", c.dir());
        assertEquals(List.of("workdir=/r/snapshots/13/work", "upperdir=/r/snapshots/13/fs",
                "lowerdir=12/fs:1/fs:10/fs"), c.options());
    }

    @Test
    void oneLowerDirOrNothingInCommonStaysAsItIs() {
        List<String> one = List.of("lowerdir=/r/snapshots/1/fs");
        assertNull(LowerDirs.compact(one).dir());
        List<String> none = List.of("lowerdir=/a/fs:/b/fs");
        assertNull(LowerDirs.compact(none).dir());
        assertEquals(none, LowerDirs.compact(none).options());
    }
}
