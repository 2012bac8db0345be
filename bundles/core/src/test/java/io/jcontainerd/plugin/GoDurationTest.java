package io.jcontainerd.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class GoDurationTest {
    @Test
    void parsesTheFormsConfigurationsUse() {
        assertEquals(Duration.ofMillis(100), GoDuration.parse("100ms"));
        assertEquals(Duration.ofMillis(1500), GoDuration.parse("1.5s"));
        assertEquals(Duration.ofSeconds(90), GoDuration.parse("1m30s"));
        assertEquals(Duration.ofNanos(2500), GoDuration.parse("2.5µs"));
        assertEquals(Duration.ZERO, GoDuration.parse("0"));
        assertEquals(Duration.ZERO, GoDuration.parse(""));
        assertThrows(IllegalArgumentException.class, () -> GoDuration.parse("10"));
        assertThrows(IllegalArgumentException.class, () -> GoDuration.parse("1s x"));
    }

    @Test
    void formatsAsGoDoes() {
        assertEquals("1.5s", GoDuration.format(Duration.ofMillis(1500)));
        assertEquals("250ms", GoDuration.format(Duration.ofMillis(250)));
        assertEquals("2m3s", GoDuration.format(Duration.ofSeconds(123)));
        assertEquals("1.2µs", GoDuration.format(Duration.ofNanos(1200)));
        assertEquals("1h0m1s", GoDuration.format(Duration.ofSeconds(3601)));
        assertEquals("0s", GoDuration.format(Duration.ZERO));
    }
}
