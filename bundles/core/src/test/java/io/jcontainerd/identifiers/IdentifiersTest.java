package io.jcontainerd.identifiers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jcontainerd.errdefs.ContainerdException;
import io.jcontainerd.errdefs.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdentifiersTest {
    @ParameterizedTest
    @ValueSource(strings = {"default", "n1", "N1", "moby", "plugins.moby", "a-b_c.d", "0", "a.1"})
    void accepts(String id) {
        Identifiers.validate(id);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bad/name", "bad name", "-x", "a=b", "a..b", "a.", ".a", "a__b", "é"})
    void rejectsWithContainerdMessage(String id) {
        ContainerdException e = assertThrows(ContainerdException.class, () -> Identifiers.validate(id));
        assertEquals(ErrorCode.INVALID_ARGUMENT, e.code());
        assertEquals("identifier \"" + id + "\" must match ^[A-Za-z0-9]+(?:[._-](?:[A-Za-z0-9]+))*$: invalid argument",
                e.getMessage());
    }

    @Test
    void rejectsEmptyAndLong() {
        assertEquals("identifier must not be empty: invalid argument",
                assertThrows(ContainerdException.class, () -> Identifiers.validate("")).getMessage());
        String longId = "a".repeat(77);
        assertEquals("identifier \"" + longId + "\" greater than maximum length (76 characters): invalid argument",
                assertThrows(ContainerdException.class, () -> Identifiers.validate(longId)).getMessage());
        Identifiers.validate("a".repeat(76));
    }
}
