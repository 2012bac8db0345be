package io.jcontainerd.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** libcrypto's SHA-256 through the provider gives the JDK's answers, however the bytes arrive. */
class NativeSha256Test {
    private final MessageDigest jdk = MessageDigest.getInstance("SHA-256", "SUN");
    private final MessageDigest ours = MessageDigest.getInstance("SHA-256", new NativeDigestProvider());

    NativeSha256Test() throws Exception {
    }

    @Test
    void libcryptoIsThere() {
        assertNull(NativeDigestProvider.unavailable(), "libcrypto (package libssl3) must be installed");
    }

    @Test
    void sameDigestsForArraysSingleBytesBuffersAndClones() throws Exception {
        Random r = new Random(1);
        for (int size : new int[] {0, 1, 55, 64, 65_535, 65_536, 65_537, 1_000_000}) {
            byte[] data = new byte[size];
            r.nextBytes(data);
            jdk.update(data);
            byte[] expected = jdk.digest();
            ours.update(data);
            assertArrayEquals(expected, ours.digest(), "array " + size);
            for (byte b : data) {
                ours.update(b);
            }
            assertArrayEquals(expected, ours.digest(), "bytes " + size);
            ByteBuffer direct = ByteBuffer.allocateDirect(Math.max(1, size));
            direct.put(data).flip();
            ours.update(direct);
            assertArrayEquals(expected, ours.digest(), "direct buffer " + size);
            int half = size / 2;
            ours.update(data, 0, half);
            MessageDigest copy = (MessageDigest) ours.clone();
            ours.update(data, half, size - half);
            copy.update(data, half, size - half);
            assertArrayEquals(expected, ours.digest(), "after clone " + size);
            assertArrayEquals(expected, copy.digest(), "clone " + size);
        }
    }
}
