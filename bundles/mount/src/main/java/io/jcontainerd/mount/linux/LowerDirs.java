package io.jcontainerd.mount.linux;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Shortens an overlay's {@code lowerdir=} option to paths relative to the lower directories' common
 * parent (containerd's {@code compactLowerdirOption}), so that long layer chains fit in one page.
 */
final class LowerDirs {
    private static final String PREFIX = "lowerdir=";

    /** The options to mount with, and the directory to mount from ({@code null}: as they were). */
    record Compacted(String dir, List<String> options) {
    }

    private LowerDirs() {
    }

    static Compacted compact(List<String> options) {
        int idx = -1;
        for (int i = 0; i < options.size(); i++) {
            if (options.get(i).startsWith(PREFIX)) {
                idx = i;
                break;
            }
        }
        if (idx < 0) {
            return new Compacted(null, options);
        }
        List<String> dirs = Arrays.asList(options.get(idx).substring(PREFIX.length()).split(":", -1));
        if (dirs.size() == 1) {
            return new Compacted(null, options);
        }
        String common = commonPrefix(dirs);
        if (common.isEmpty()) {
            return new Compacted(null, options);
        }
        // snapshot ids are numbers: "…/snapshots/1" and "…/snapshots/12" share "…/snapshots/1", so step
        // back to the parent directory of the common prefix
        common = parentOf(common);
        if (common.equals("/")) {
            return new Compacted(null, options);
        }
        common = common + "/";
        List<String> relative = new ArrayList<>(dirs.size());
        for (String d : dirs) {
            relative.add(d.substring(common.length()));
        }
        List<String> out = new ArrayList<>(options);
        out.remove(idx);
        out.add(PREFIX + String.join(":", relative));
        return new Compacted(common, out);
    }

    /** Go's {@code path.Dir}: the path without its last element, cleaned. */
    private static String parentOf(String p) {
        int slash = p.lastIndexOf('/');
        String dir = slash < 0 ? "." : p.substring(0, slash + 1);
        while (dir.length() > 1 && dir.endsWith("/")) {
            dir = dir.substring(0, dir.length() - 1);
        }
        return dir.isEmpty() ? "." : dir;
    }

    private static String commonPrefix(List<String> strs) {
        String min = strs.get(0);
        String max = strs.get(0);
        for (String s : strs) {
            if (s.compareTo(min) < 0) {
                min = s;
            }
            if (s.compareTo(max) > 0) {
                max = s;
            }
        }
        int i = 0;
        while (i < min.length() && i < max.length() && min.charAt(i) == max.charAt(i)) {
            i++;
        }
        return min.substring(0, i);
    }
}
