package org.bootferry.lang;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many of something (connections, waiting requests, transfers) each client holds and all hold
 * together, against a limit for each: {@link #acquire} takes one or says which limit stops it,
 * {@link #release} gives it back. The limits are given with each {@link #acquire}, so that they may
 * follow a setting that changes while some are held. Thread-safe; a client that holds none takes no
 * memory.
 *
 * @param <K> a client: its address
 */
public final class Quota<K> {

    /** Which limit stopped an {@link #acquire}. */
    public enum Limit {
        PER_CLIENT, TOTAL
    }

    private final ConcurrentHashMap<K, Integer> held = new ConcurrentHashMap<>();
    private int all;

    /**
     * Takes one for {@code client}; empty when taken, else the limit that refuses it (nothing taken then).
     *
     * @param perClient how many one client may hold at once
     * @param total     how many all clients may hold at once
     */
    public synchronized Optional<Limit> acquire(K client, int perClient, int total) {
        if (all >= total) {
            return Optional.of(Limit.TOTAL);
        }
        int mine = held.getOrDefault(client, 0);
        if (mine >= perClient) {
            return Optional.of(Limit.PER_CLIENT);
        }
        held.put(client, mine + 1);
        all++;
        return Optional.empty();
    }

    /** Gives back one that {@code client} took. */
    public synchronized void release(K client) {
        Integer mine = held.get(client);
        if (mine == null) {
            throw new IllegalStateException(client + " holds none to release");
        }
        if (mine == 1) {
            held.remove(client);
        } else {
            held.put(client, mine - 1);
        }
        all--;
    }

    /** How many all clients hold now. */
    public synchronized int held() {
        return all;
    }
}
