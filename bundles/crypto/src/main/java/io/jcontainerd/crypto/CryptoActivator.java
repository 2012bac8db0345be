package io.jcontainerd.crypto;

import java.security.Security;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/**
 * Puts the native provider first while the bundle is active, when libcrypto is there (else the JDK's
 * SHA-256 stays in use, with a warning).
 */
public final class CryptoActivator implements BundleActivator {
    private static final System.Logger LOG = System.getLogger(CryptoActivator.class.getName());

    private boolean installed;

    @Override
    public void start(BundleContext context) {
        Throwable why = NativeDigestProvider.unavailable();
        if (why != null) {
            LOG.log(System.Logger.Level.WARNING, "libcrypto not usable, SHA-256 stays Java's: " + why.getMessage());
            return;
        }
        installed = Security.insertProviderAt(new NativeDigestProvider(), 1) != -1;
    }

    @Override
    public void stop(BundleContext context) {
        if (installed) {
            Security.removeProvider(NativeDigestProvider.NAME);
            installed = false;
        }
    }
}
