package io.jcontainerd.ttrpc;

/**
 * The connection is gone (closed here, closed by the peer, or broken): Go ttrpc's {@code ErrClosed}.
 * Reported as {@link #UNAVAILABLE} with the message {@code ttrpc: closed}; the cause says why.
 */
public class TtrpcClosedException extends TtrpcException {
    private static final long serialVersionUID = 1L;

    public TtrpcClosedException(Throwable cause) {
        super(UNAVAILABLE, "ttrpc: closed", cause);
    }
}
