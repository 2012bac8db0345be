package io.jcontainerd.mount.linux;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * fstab-style options split into mount(2) flags and file-system data, as containerd's
 * {@code parseMountOptions}: known flag words set or clear a flag, everything else is data.
 */
record MountFlags(long flags, String data, boolean loop) {
    static final long MS_RDONLY = 1;
    static final long MS_NOSUID = 2;
    static final long MS_NODEV = 4;
    static final long MS_NOEXEC = 8;
    static final long MS_SYNCHRONOUS = 16;
    static final long MS_REMOUNT = 32;
    static final long MS_MANDLOCK = 64;
    static final long MS_DIRSYNC = 128;
    static final long MS_NOATIME = 1024;
    static final long MS_NODIRATIME = 2048;
    static final long MS_BIND = 4096;
    static final long MS_REC = 16384;
    static final long MS_SILENT = 32768;
    static final long MS_UNBINDABLE = 1 << 17;
    static final long MS_PRIVATE = 1 << 18;
    static final long MS_SLAVE = 1 << 19;
    static final long MS_SHARED = 1 << 20;
    static final long MS_RELATIME = 1 << 21;
    static final long MS_STRICTATIME = 1 << 24;

    /** The propagation flags, which need a call of their own. */
    static final long PROPAGATION = MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE;

    /** A flag word: the bits it touches and whether it clears them. */
    private record Word(boolean clear, long flag) {
    }

    private static final Map<String, Word> WORDS = Map.ofEntries(
            Map.entry("async", new Word(true, MS_SYNCHRONOUS)),
            Map.entry("atime", new Word(true, MS_NOATIME)),
            Map.entry("bind", new Word(false, MS_BIND)),
            Map.entry("defaults", new Word(false, 0)),
            Map.entry("dev", new Word(true, MS_NODEV)),
            Map.entry("diratime", new Word(true, MS_NODIRATIME)),
            Map.entry("dirsync", new Word(false, MS_DIRSYNC)),
            Map.entry("exec", new Word(true, MS_NOEXEC)),
            Map.entry("mand", new Word(false, MS_MANDLOCK)),
            Map.entry("noatime", new Word(false, MS_NOATIME)),
            Map.entry("nodev", new Word(false, MS_NODEV)),
            Map.entry("nodiratime", new Word(false, MS_NODIRATIME)),
            Map.entry("noexec", new Word(false, MS_NOEXEC)),
            Map.entry("nomand", new Word(true, MS_MANDLOCK)),
            Map.entry("norelatime", new Word(true, MS_RELATIME)),
            Map.entry("nostrictatime", new Word(true, MS_STRICTATIME)),
            Map.entry("nosuid", new Word(false, MS_NOSUID)),
            Map.entry("rbind", new Word(false, MS_BIND | MS_REC)),
            Map.entry("relatime", new Word(false, MS_RELATIME)),
            Map.entry("remount", new Word(false, MS_REMOUNT)),
            Map.entry("ro", new Word(false, MS_RDONLY)),
            Map.entry("rw", new Word(true, MS_RDONLY)),
            Map.entry("strictatime", new Word(false, MS_STRICTATIME)),
            Map.entry("suid", new Word(true, MS_NOSUID)),
            Map.entry("sync", new Word(false, MS_SYNCHRONOUS)),
            // propagation, as runc and mount(8) spell it
            Map.entry("private", new Word(false, MS_PRIVATE)),
            Map.entry("rprivate", new Word(false, MS_PRIVATE | MS_REC)),
            Map.entry("shared", new Word(false, MS_SHARED)),
            Map.entry("rshared", new Word(false, MS_SHARED | MS_REC)),
            Map.entry("slave", new Word(false, MS_SLAVE)),
            Map.entry("rslave", new Word(false, MS_SLAVE | MS_REC)),
            Map.entry("unbindable", new Word(false, MS_UNBINDABLE)),
            Map.entry("runbindable", new Word(false, MS_UNBINDABLE | MS_REC)));

    static MountFlags parse(List<String> options) {
        long flags = 0;
        boolean loop = false;
        List<String> data = new ArrayList<>();
        for (String o : options) {
            Word w = WORDS.get(o);
            if (w != null && w.flag() != 0) {
                flags = w.clear() ? flags & ~w.flag() : flags | w.flag();
            } else if (o.equals("loop")) {
                loop = true;
            } else {
                // containerd passes unknown words, and "defaults", on as data
                data.add(o);
            }
        }
        return new MountFlags(flags, String.join(",", data), loop);
    }
}
