package io.jcontainerd.gc.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SchedulerTest {
    private static final Collector.Stats NONE = new Collector.Stats(0, 0, 0, 0, 0);

    @Test
    void collectsOnceShortlyAfterStart() throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        try (Scheduler s = new Scheduler(() -> {
            ran.countDown();
            return NONE;
        }, new Scheduler.Settings(0.02, 0, Duration.ZERO, Duration.ofMillis(10)))) {
            assertTrue(ran.await(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void collectNowRunsACollectionThatStartsAfterTheCall() {
        AtomicInteger runs = new AtomicInteger();
        try (Scheduler s = new Scheduler(() -> {
            runs.incrementAndGet();
            return NONE;
        }, new Scheduler.Settings(0.02, 0, Duration.ZERO, Duration.ofHours(1)))) {
            s.collectNow();
            assertEquals(1, runs.get());
            s.collectNow();
            assertEquals(2, runs.get());
        }
    }

    @Test
    void deletionsScheduleOneCollectionNoSoonerThanThePauseThresholdAllows() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch second = new CountDownLatch(2);
        try (Scheduler s = new Scheduler(() -> {
            runs.incrementAndGet();
            sleep(20);
            second.countDown();
            return NONE;
        }, new Scheduler.Settings(0.1, 0, Duration.ZERO, Duration.ofHours(1)))) {
            long t0 = System.nanoTime();
            s.deleted();
            s.deleted();
            s.deleted();
            // first collection at once; ~20 ms each at 10 % pause: the next no sooner than ~180 ms later
            sleep(50);
            assertEquals(1, runs.get(), "three deletions before a collection make one collection");
            s.deleted();
            assertTrue(second.await(5, TimeUnit.SECONDS));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(ms >= 170, "second collection after " + ms + " ms");
        }
    }

    @Test
    void theCollectorsOwnDeletionsDoNotScheduleAnother() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        Scheduler[] self = new Scheduler[1];
        try (Scheduler s = new Scheduler(() -> {
            runs.incrementAndGet();
            self[0].deleted();
            return NONE;
        }, new Scheduler.Settings(0.5, 0, Duration.ZERO, Duration.ofHours(1)))) {
            self[0] = s;
            s.collectNow();
            sleep(200);
            assertEquals(1, runs.get());
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
