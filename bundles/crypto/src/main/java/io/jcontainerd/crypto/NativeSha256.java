package io.jcontainerd.crypto;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.security.DigestException;
import java.security.MessageDigestSpi;
import java.security.ProviderException;

/**
 * SHA-256 by libcrypto. Updates are gathered in a direct buffer and handed over in large blocks, so
 * that byte-at-a-time callers cost a copy, not a native call each.
 */
public final class NativeSha256 extends MessageDigestSpi implements Cloneable {
    private static final int BUFFER = 64 * 1024;
    private static final Cleaner CLEANER = Cleaner.create();

    /** Frees the context when the digest object is unreachable. */
    private static final class Context implements Runnable {
        final Pointer ctx;

        Context(Pointer ctx) {
            this.ctx = ctx;
        }

        @Override
        public void run() {
            LibCrypto.EVP_MD_CTX_free(ctx);
        }
    }

    private Context context;
    private ByteBuffer pending = ByteBuffer.allocateDirect(BUFFER);
    private Pointer pendingAddress = Native.getDirectBufferPointer(pending);

    public NativeSha256() {
        context = newContext();
        init();
    }

    private Context newContext() {
        Pointer p = LibCrypto.EVP_MD_CTX_new();
        if (p == null) {
            throw new ProviderException("EVP_MD_CTX_new failed");
        }
        Context c = new Context(p);
        CLEANER.register(this, c);
        return c;
    }

    private void init() {
        check(LibCrypto.EVP_DigestInit_ex(context.ctx, LibCrypto.EVP_sha256(), null), "EVP_DigestInit_ex");
        pending.clear();
    }

    private static void check(int rc, String call) {
        if (rc != 1) {
            throw new ProviderException(call + " failed");
        }
    }

    private void flush() {
        if (pending.position() > 0) {
            check(LibCrypto.EVP_DigestUpdate(context.ctx, pendingAddress, pending.position()), "EVP_DigestUpdate");
            pending.clear();
        }
    }

    @Override
    protected int engineGetDigestLength() {
        return 32;
    }

    @Override
    protected void engineUpdate(byte input) {
        if (!pending.hasRemaining()) {
            flush();
        }
        pending.put(input);
    }

    @Override
    protected void engineUpdate(byte[] input, int offset, int len) {
        while (len > 0) {
            if (!pending.hasRemaining()) {
                flush();
            }
            int n = Math.min(len, pending.remaining());
            pending.put(input, offset, n);
            offset += n;
            len -= n;
        }
    }

    @Override
    protected void engineUpdate(ByteBuffer input) {
        if (input.isDirect() && input.remaining() >= BUFFER) {
            flush();
            Pointer p = Native.getDirectBufferPointer(input).share(input.position());
            check(LibCrypto.EVP_DigestUpdate(context.ctx, p, input.remaining()), "EVP_DigestUpdate");
            input.position(input.limit());
            return;
        }
        while (input.hasRemaining()) {
            if (!pending.hasRemaining()) {
                flush();
            }
            int n = Math.min(input.remaining(), pending.remaining());
            ByteBuffer slice = input.slice(input.position(), n);
            pending.put(slice);
            input.position(input.position() + n);
        }
    }

    @Override
    protected byte[] engineDigest() {
        flush();
        byte[] out = new byte[32];
        check(LibCrypto.EVP_DigestFinal_ex(context.ctx, out, null), "EVP_DigestFinal_ex");
        init();
        return out;
    }

    @Override
    protected int engineDigest(byte[] buf, int offset, int len) throws DigestException {
        if (len < 32) {
            throw new DigestException("buffer too short for a SHA-256 digest");
        }
        System.arraycopy(engineDigest(), 0, buf, offset, 32);
        return 32;
    }

    @Override
    protected void engineReset() {
        init();
    }

    @Override
    public Object clone() throws CloneNotSupportedException {
        NativeSha256 copy = (NativeSha256) super.clone();
        copy.context = copy.newContext();
        check(LibCrypto.EVP_MD_CTX_copy_ex(copy.context.ctx, context.ctx), "EVP_MD_CTX_copy_ex");
        copy.pending = ByteBuffer.allocateDirect(BUFFER);
        copy.pendingAddress = Native.getDirectBufferPointer(copy.pending);
        ByteBuffer mine = pending.duplicate().flip();
        copy.pending.put(mine);
        return copy;
    }
}
