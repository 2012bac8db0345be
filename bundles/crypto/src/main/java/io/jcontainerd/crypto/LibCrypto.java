package io.jcontainerd.crypto;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/** The few libcrypto (OpenSSL 1.1/3) calls a SHA-256 digest needs, directly mapped. */
final class LibCrypto {
    private static final Throwable UNAVAILABLE;

    static {
        Throwable failure = null;
        NativeLibrary lib = null;
        for (String name : new String[] {"crypto", "libcrypto.so.3", "libcrypto.so.1.1"}) {
            try {
                lib = NativeLibrary.getInstance(name, LibCrypto.class.getClassLoader());
                break;
            } catch (UnsatisfiedLinkError e) {
                failure = e;
            }
        }
        if (lib != null) {
            try {
                Native.register(LibCrypto.class, lib);
                failure = null;
            } catch (UnsatisfiedLinkError e) {
                failure = e;
            }
        }
        UNAVAILABLE = failure;
    }

    private LibCrypto() {
    }

    /** Null when libcrypto was loaded, else why not. */
    static Throwable unavailable() {
        return UNAVAILABLE;
    }

    static native Pointer EVP_MD_CTX_new();

    static native void EVP_MD_CTX_free(Pointer ctx);

    static native Pointer EVP_sha256();

    static native int EVP_DigestInit_ex(Pointer ctx, Pointer type, Pointer engine);

    static native int EVP_DigestUpdate(Pointer ctx, Pointer data, long count);

    static native int EVP_DigestFinal_ex(Pointer ctx, byte[] md, Pointer size);

    static native int EVP_MD_CTX_copy_ex(Pointer out, Pointer in);
}
