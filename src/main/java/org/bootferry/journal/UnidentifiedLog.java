package org.bootferry.journal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import org.bootferry.machine.UnidentifiedClient;
import org.bootferry.machine.UnidentifiedClients;

/**
 * The unidentified DHCPv6 clients, by DUID, in memory and bounded: past {@code capacity} the client
 * unseen for longest is dropped and counted. Not kept across restarts: a client that still boots
 * asks again within seconds, and one that stopped needs no {@code duid:}.
 */
public final class UnidentifiedLog implements UnidentifiedClients {

    /** More clients than a rack boots at once; the status page shows the first rows only. */
    public static final int CAPACITY = 256;

    private final int capacity;
    /** In the order last seen, the longest unseen first: the eldest entry is the one to drop. */
    private final LinkedHashMap<String, UnidentifiedClient> clients = new LinkedHashMap<>();
    private long dropped;

    public UnidentifiedLog(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, not " + capacity);
        }
        this.capacity = capacity;
    }

    @Override
    public synchronized void saw(UnidentifiedClient.Sighting sighting) {
        UnidentifiedClient before = clients.remove(sighting.duid());
        clients.put(sighting.duid(), before == null ? new UnidentifiedClient(sighting, sighting.time(), 1)
                : before.and(sighting));
        if (clients.size() > capacity) {
            clients.remove(clients.keySet().iterator().next());
            dropped++;
        }
    }

    @Override
    public synchronized void identified(String duid) {
        clients.remove(duid);
    }

    @Override
    public synchronized List<UnidentifiedClient> clients() {
        List<UnidentifiedClient> newestFirst = new ArrayList<>(clients.values());
        Collections.reverse(newestFirst);
        return newestFirst;
    }

    @Override
    public synchronized long dropped() {
        return dropped;
    }
}
