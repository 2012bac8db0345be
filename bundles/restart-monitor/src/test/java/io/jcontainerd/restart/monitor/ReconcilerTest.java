package io.jcontainerd.restart.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.ErrorCode;
import org.junit.jupiter.api.Test;

class ReconcilerTest {
    @Test
    void logPathBecomesTheFileUriContainerdBuilds() {
        assertEquals("file:///var/log/c1.log", Reconciler.fileUri("/var/log/c1.log"));
        assertEquals("file:///var/log/c1.log", Reconciler.fileUri("/var/log/../log/./c1.log"));
        assertEquals("file:///var/log/a%20b.log", Reconciler.fileUri("/var/log/a b.log"));
        ContainerdException e = assertThrows(ContainerdException.class, () -> Reconciler.fileUri("logs/c1.log"));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
    }
}
