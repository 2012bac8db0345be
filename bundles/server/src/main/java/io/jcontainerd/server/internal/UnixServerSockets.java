package io.jcontainerd.server.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import javax.net.ServerSocketFactory;

/**
 * Unix domain sockets behind the blocking {@link ServerSocket} and {@link Socket} API, for a transport
 * that listens and talks through that API. Reads and writes go straight to the channel, so a thread
 * blocked reading a connection never holds up another writing to it.
 */
final class UnixServerSockets extends ServerSocketFactory {

    @Override
    public ServerSocket createServerSocket() throws IOException {
        return new Listener();
    }

    @Override
    public ServerSocket createServerSocket(int port) {
        throw new UnsupportedOperationException("unix sockets have no port");
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog) {
        throw new UnsupportedOperationException("unix sockets have no port");
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog, InetAddress address) {
        throw new UnsupportedOperationException("unix sockets have no port");
    }

    /** The address a channel is bound to, or null once it is closed. */
    static SocketAddress localAddress(NetworkChannel channel) {
        try {
            return channel.getLocalAddress();
        } catch (IOException e) {
            return null;
        }
    }

    /** A listening unix socket. */
    static final class Listener extends ServerSocket {
        private final ServerSocketChannel channel;

        Listener() throws IOException {
            channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        }

        @Override
        public void bind(SocketAddress address) throws IOException {
            bind(address, 0);
        }

        @Override
        public void bind(SocketAddress address, int backlog) throws IOException {
            channel.bind(address, backlog);
        }

        @Override
        public Socket accept() throws IOException {
            return new Connection(channel.accept());
        }

        @Override
        public SocketAddress getLocalSocketAddress() {
            return localAddress(channel);
        }

        @Override
        public boolean isBound() {
            return getLocalSocketAddress() != null;
        }

        @Override
        public boolean isClosed() {
            return !channel.isOpen();
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }

        @Override
        public String toString() {
            return "unix:" + getLocalSocketAddress();
        }
    }

    /** One accepted connection. */
    static final class Connection extends Socket {
        private static final SocketAddress PEER = UnixDomainSocketAddress.of("");
        private final SocketChannel channel;
        private final InputStream in;
        private final OutputStream out;

        Connection(SocketChannel channel) {
            this.channel = channel;
            this.in = new InputStream() {
                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    if (len == 0) {
                        return 0;
                    }
                    return channel.read(ByteBuffer.wrap(b, off, len));
                }

                @Override
                public void close() throws IOException {
                    Connection.this.close();
                }
            };
            this.out = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
                    while (buffer.hasRemaining()) {
                        channel.write(buffer);
                    }
                }

                @Override
                public void close() throws IOException {
                    Connection.this.close();
                }
            };
        }

        @Override
        public InputStream getInputStream() {
            return in;
        }

        @Override
        public OutputStream getOutputStream() {
            return out;
        }

        @Override
        public void setTcpNoDelay(boolean on) {
            // not a TCP socket: nothing is delayed
        }

        @Override
        public SocketAddress getRemoteSocketAddress() {
            try {
                SocketAddress remote = channel.getRemoteAddress();
                return remote != null ? remote : PEER;
            } catch (IOException e) {
                return PEER;
            }
        }

        @Override
        public SocketAddress getLocalSocketAddress() {
            return localAddress(channel);
        }

        @Override
        public boolean isConnected() {
            return channel.isConnected();
        }

        @Override
        public boolean isClosed() {
            return !channel.isOpen();
        }

        @Override
        public void shutdownInput() throws IOException {
            channel.shutdownInput();
        }

        @Override
        public void shutdownOutput() throws IOException {
            channel.shutdownOutput();
        }

        @Override
        public void setSoTimeout(int timeout) throws SocketException {
            if (timeout != 0) {
                throw new SocketException("read timeouts are not supported on this socket");
            }
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }

        @Override
        public String toString() {
            return "unix connection " + getLocalSocketAddress();
        }
    }
}
