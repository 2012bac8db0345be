package io.jcontainerd.runtime.v2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.jcontainerd.ttrpc.TtrpcClient;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pool's bookkeeping, with shims stood in for by open connections: which shims it keeps and which
 * it hands back for stopping. (Real shims in {@link ShimManagerTest}; the interleavings here cannot be
 * timed with them.)
 */
class WarmShimsTest {
    @TempDir
    Path tmp;

    private final List<AutoCloseable> open = new ArrayList<>();
    private ServerSocketChannel server;

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** A stand-in for a started shim: a connection that stays open until the test ends. */
    private WarmShims.Warm shim() {
        try {
            if (server == null) {
                server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                server.bind(UnixDomainSocketAddress.of(tmp.resolve("s.sock")));
            }
            SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX);
            client.connect(UnixDomainSocketAddress.of(tmp.resolve("s.sock")));
            open.add(server.accept());
            TtrpcClient c = TtrpcClient.of(client);
            open.add(c);
            return new WarmShims.Warm(null, tmp.resolve("s.sock"), c, null, 0);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aShimStartedWhileDeletedTasksShimsFilledThePoolIsStoppedNotKeptBeyondTheTarget() throws Exception {
        WarmShims.Key key = new WarmShims.Key("ns", Path.of("/bin/shim"), ByteString.EMPTY);
        CountDownLatch starting = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<WarmShims.Warm> started = new CopyOnWriteArrayList<>();
        List<WarmShims.Warm> stopped = new CopyOnWriteArrayList<>();
        try (WarmShims pool = new WarmShims(2, Duration.ofMinutes(10), Duration.ZERO, k -> {
            WarmShims.Warm w = shim();
            started.add(w);
            starting.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return w;
        }, stopped::add, System::nanoTime)) {
            assertNull(pool.take(key)); // the key is in use from now on
            pool.begin();
            pool.begin(); // two creates at once: two shims wanted
            pool.end();
            pool.end(); // the refill starts the first of them
            assertTrue(starting.await(10, TimeUnit.SECONDS));

            // meanwhile two tasks that ran in warm shims are deleted and their shims offered back
            assertTrue(pool.offer(key, shim()));
            assertTrue(pool.offer(key, shim()));
            assertEquals(2, pool.ready(key));

            release.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (stopped.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(started, stopped, "the shim started meanwhile is stopped");
            assertEquals(2, pool.ready(key), "the pool keeps its target, no more");
            assertEquals(1, started.size(), "and starts no other");
        }
    }

    @Test
    void nothingStartsWhileDeletesAreUnderWaySoThatTheirShimsComeBackFirst() throws Exception {
        WarmShims.Key key = new WarmShims.Key("ns", Path.of("/bin/shim"), ByteString.EMPTY);
        List<WarmShims.Warm> started = new CopyOnWriteArrayList<>();
        try (WarmShims pool = new WarmShims(2, Duration.ofMinutes(10), Duration.ZERO, k -> {
            WarmShims.Warm w = shim();
            started.add(w);
            return w;
        }, w -> { }, System::nanoTime)) {
            assertNull(pool.take(key));
            pool.begin();
            pool.begin(); // two creates at once: two shims wanted
            Runnable first = pool.deleting(); // an earlier task's delete
            pool.end();
            pool.end();
            Thread.sleep(300);
            assertEquals(List.of(), started, "nothing starts while a delete is under way");

            Runnable second = pool.deleting(); // a second one
            assertTrue(pool.offer(key, shim())); // the first one's shim comes back
            first.run();
            Thread.sleep(300);
            assertEquals(List.of(), started, "nor while the second is");

            second.run(); // its shim was stopped instead: one place left
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (pool.ready(key) < 2 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(1, started.size(), "the refill starts what the returned shims left");
            assertEquals(2, pool.ready(key));
        }
    }
}
