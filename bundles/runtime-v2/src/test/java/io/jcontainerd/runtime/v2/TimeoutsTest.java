package io.jcontainerd.runtime.v2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** containerd's {@code [timeouts]} keys for shims, with its defaults for those not given. */
class TimeoutsTest {
    @Test
    void givenKeysOverrideContainerdsDefaults() {
        ShimManager.Timeouts t = ShimManager.Timeouts.from(Map.of(
                "io.containerd.timeout.shim.load", "1.5s", "io.containerd.timeout.task.state", "250ms")::get);
        assertEquals(new ShimManager.Timeouts(Duration.ofMillis(1500), Duration.ofSeconds(3), Duration.ofSeconds(5),
                Duration.ofMillis(250)), t);
        assertEquals(Duration.ofSeconds(9), t.stop());
        assertEquals(ShimManager.Timeouts.DEFAULTS, ShimManager.Timeouts.from(Map.<String, String>of()::get));
    }

    @Test
    void aBadDurationIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> ShimManager.Timeouts.from(Map.of("io.containerd.timeout.shim.shutdown", "3")::get));
    }
}
