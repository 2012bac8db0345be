package io.jcontainerd.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DaemonLdapTest {
    @Test
    void proxyNamesAreEscapedInFilters() throws Exception {
        assertEquals("stargz", Daemon.ldapValue("stargz"));
        assertEquals("a\\(b\\)\\*\\\\", Daemon.ldapValue("a(b)*\\"));
        // and the framework reads it back as the same value
        assertTrue(org.osgi.framework.FrameworkUtil.createFilter("(plugin.id=" + Daemon.ldapValue("a(b)*\\") + ")")
                .matches(java.util.Map.of("plugin.id", "a(b)*\\")));
    }
}
