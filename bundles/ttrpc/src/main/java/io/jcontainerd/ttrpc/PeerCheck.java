package io.jcontainerd.ttrpc;

import java.io.IOException;
import java.io.UncheckedIOException;
import jdk.net.UnixDomainPrincipal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.UserPrincipal;

/**
 * Which connecting processes a server accepts, judged by the credentials the kernel reports for the
 * peer of a unix socket (SO_PEERCRED, taken at connect time).
 */
@FunctionalInterface
public interface PeerCheck {
    /** True to serve the peer; a refused connection is closed at once. */
    boolean accepts(UnixDomainPrincipal peer);

    /**
     * containerd's rule for its ttrpc endpoint ({@code UnixSocketRequireSameUser}): the peer's user and
     * group are this process's effective user and group.
     */
    static PeerCheck sameUser() {
        PosixFileAttributes self = selfAttributes();
        UserPrincipal user = self.owner();
        GroupPrincipal group = self.group();
        return peer -> peer.user().equals(user) && peer.group().equals(group);
    }

    /** {@link #sameUser()}, or a peer running as root. */
    static PeerCheck sameUserOrRoot() {
        PeerCheck same = sameUser();
        UserPrincipal root = root();
        return peer -> same.accepts(peer) || peer.user().equals(root);
    }

    /** Every peer (for tests and sockets protected otherwise). */
    static PeerCheck any() {
        return peer -> true;
    }

    /** The kernel shows a process's effective uid and gid as the owner of its /proc directory. */
    private static PosixFileAttributes selfAttributes() {
        try {
            return Files.readAttributes(Path.of("/proc/self"), PosixFileAttributes.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read this process's credentials from /proc/self", e);
        }
    }

    private static UserPrincipal root() {
        try {
            return Path.of("/").getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("root");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot look up the root user", e);
        }
    }
}
