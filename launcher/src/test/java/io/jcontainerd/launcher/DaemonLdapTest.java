package io.jcontainerd.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class DaemonLdapTest {
    @Test
    void proxyNamesAreEscapedInFilters() {
        assertEquals("stargz", Daemon.ldapValue("stargz"));
        assertEquals("a\\28b\\29\\2a\\5c", Daemon.ldapValue("a(b)*\\"));
    }
}
