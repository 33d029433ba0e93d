package org.bootferry.lang;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BoundedCacheTest {

    @Test
    void aKeptValueIsNotComputedAgain() {
        BoundedCache<String, Integer> cache = new BoundedCache<>(4);
        AtomicInteger computed = new AtomicInteger();
        assertThat(cache.get("a", k -> computed.incrementAndGet())).isEqualTo(1);
        assertThat(cache.get("a", k -> computed.incrementAndGet())).isEqualTo(1);
        assertThat(computed).hasValue(1);
    }

    @Test
    void pastItsBoundTheCacheStartsOverAndNeverHoldsMore() {
        BoundedCache<Integer, Integer> cache = new BoundedCache<>(3);
        for (int i = 0; i < 100; i++) {
            assertThat(cache.get(i, k -> k * 2)).isEqualTo(i * 2);
            assertThat(cache.size()).isBetween(1, 3);
        }
    }

    @Test
    void forgetRemovesOnlyWhatItMatches() {
        BoundedCache<String, String> cache = new BoundedCache<>(8);
        cache.get("kernel@1", k -> "one");
        cache.get("initrd@1", k -> "two");
        cache.forget(k -> k.startsWith("kernel"));
        assertThat(cache.size()).isEqualTo(1);
        assertThat(cache.get("initrd@1", k -> "computed again")).isEqualTo("two");
    }

    /** Threads that race for a new key all get the value that was kept first: a future is run once. */
    @Test
    void threadsRacingForANewKeyAllGetOneValue() throws Exception {
        for (int round = 0; round < 50; round++) {
            BoundedCache<String, Object> cache = new BoundedCache<>(16);
            CountDownLatch start = new CountDownLatch(1);
            Set<Object> seen = ConcurrentHashMap.newKeySet();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                Thread thread = new Thread(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    seen.add(cache.get("key", k -> new Object()));
                });
                thread.start();
                threads.add(thread);
            }
            start.countDown();
            for (Thread thread : threads) {
                thread.join();
            }
            assertThat(seen).hasSize(1);
        }
    }

    @Test
    void aBoundBelowOneIsRefused() {
        assertThatThrownBy(() -> new BoundedCache<>(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
