package io.jcontainerd.crypto;

import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.util.List;
import java.util.Map;

/** A security provider with libcrypto's SHA-256 ({@code MessageDigest.getInstance("SHA-256")}). */
public final class NativeDigestProvider extends Provider {
    private static final long serialVersionUID = 1L;

    /** The provider's name. */
    public static final String NAME = "JcontainerdNative";

    public NativeDigestProvider() {
        super(NAME, "1.0", "SHA-256 by OpenSSL libcrypto");
        putService(new Service(this, "MessageDigest", "SHA-256", NativeSha256.class.getName(),
                List.of("SHA256", "2.16.840.1.101.3.4.2.1"), Map.of()) {
            @Override
            public Object newInstance(Object param) throws NoSuchAlgorithmException {
                return new NativeSha256();
            }
        });
    }

    /** Null when libcrypto can be used here, else why not. */
    public static Throwable unavailable() {
        try {
            return LibCrypto.unavailable();
        } catch (LinkageError e) {
            return e;
        }
    }
}
