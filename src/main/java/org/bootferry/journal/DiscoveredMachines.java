package org.bootferry.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.bootferry.lang.AtomicFile;
import org.bootferry.machine.Discovered;
import org.bootferry.machine.Discoveries;
import org.bootferry.machine.Firmware;
import org.bootferry.machine.MacAddress;
import org.bootferry.machine.Sighting;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The machines discovery saw, bounded: past {@code capacity} the machine unseen for longest is
 * dropped and counted. Kept with the boot state in {@code discovered.json} of the state directory,
 * replaced atomically at most once a second when something changed and when the server stops, so a
 * restart (or a container recreate) keeps the list; a crash loses at most the last second of it.
 * Writing per request would put an fsync on the DHCP path at a boot storm's rate.
 */
public final class DiscoveredMachines implements Discoveries, AutoCloseable {

    /** The file's name in the state directory. */
    public static final String FILE = "discovered.json";
    private static final long FLUSH_MILLIS = 1000;
    private static final Logger log = LoggerFactory.getLogger(DiscoveredMachines.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What {@code discovered.json} holds: the machines, the most recently seen first, and the dropped count. */
    public record Saved(List<Discovered> machines, long dropped) {
        public Saved {
            machines = List.copyOf(machines);
        }
    }

    private final Path file;
    private final int capacity;
    /** In the order last seen, the longest unseen first: the eldest entry is the one to drop. */
    private final LinkedHashMap<MacAddress, Discovered> machines = new LinkedHashMap<>();
    private long dropped;
    private boolean changed;
    /** Held while the file is written. */
    private final Object writing = new Object();
    private final ScheduledExecutorService flusher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bootferry-discovered-flush");
        t.setDaemon(true);
        return t;
    });

    /**
     * Reads the saved list, if any, and writes it back while the server runs. A saved file that is
     * not discovery's is moved aside to {@code discovered.json.unreadable}, with a warning, and the
     * list starts empty: a lost list costs the admin a reboot of the unknown machines, a refused start
     * would cost every machine its boot.
     *
     * @param capacity how many machines are kept at most
     * @param registry where {@code bootferry_discovered_machines} and {@code bootferry_discovered_dropped_total} go
     * @throws IOException when an unreadable file can't be moved aside
     */
    public DiscoveredMachines(Path stateDir, int capacity, MeterRegistry registry) throws IOException {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        }
        this.file = stateDir.resolve(FILE);
        this.capacity = capacity;
        Saved saved;
        try {
            saved = read(stateDir);
        } catch (IOException e) {
            Path aside = stateDir.resolve(FILE + ".unreadable");
            Files.move(file, aside, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            log.warn("{}; moved it to {}, discovery starts with an empty list", e.getMessage(), aside);
            saved = new Saved(List.of(), 0);
        }
        List<Discovered> oldestFirst = new ArrayList<>(saved.machines());
        Collections.reverse(oldestFirst);
        oldestFirst.forEach(d -> machines.put(d.mac(), d));
        dropped = saved.dropped();
        trim();
        Gauge.builder("bootferry_discovered_machines", this, DiscoveredMachines::size)
                .description("Network-boot clients seen with no machine file, kept for adoption").register(registry);
        FunctionCounter.builder("bootferry_discovered_dropped", this, DiscoveredMachines::dropped)
                .description("Discovered machines forgotten to keep the list bounded, the longest unseen first")
                .register(registry);
        flusher.scheduleWithFixedDelay(this::flushQuietly, FLUSH_MILLIS, FLUSH_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void saw(Sighting sighting) {
        synchronized (this) {
            Discovered before = machines.remove(sighting.mac());
            machines.put(sighting.mac(), before == null ? new Discovered(sighting, sighting.time(), 1) : before.and(sighting));
            trim();
            changed = true;
        }
    }

    private void trim() {
        while (machines.size() > capacity) {
            machines.remove(machines.keySet().iterator().next());
            dropped++;
            changed = true;
        }
    }

    @Override
    public synchronized List<Discovered> discovered() {
        List<Discovered> list = new ArrayList<>(machines.values());
        Collections.reverse(list);
        return list;
    }

    @Override
    public synchronized long dropped() {
        return dropped;
    }

    private synchronized int size() {
        return machines.size();
    }

    /**
     * Writes the list when it changed since the last write. One write at a time, outside the lock
     * {@link #saw} takes: a flush that finds nothing changed returns only once a write in progress
     * (the periodic one) has renamed its file, so what {@link #close} returns after is on disk.
     */
    public void flush() throws IOException {
        synchronized (writing) {
            Saved saved;
            synchronized (this) {
                if (!changed) {
                    return;
                }
                saved = new Saved(discovered(), dropped);
                changed = false;
            }
            try {
                AtomicFile.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(toJson(saved)));
            } catch (IOException e) {
                synchronized (this) {
                    changed = true;
                }
                throw e;
            }
        }
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (IOException e) {
            log.warn("cannot save the discovered machines to {}: {}", file, e.toString());
        }
    }

    /** Stops the periodic write and writes what changed since; a failure is logged, as the periodic one's is. */
    @Override
    public void close() {
        flusher.shutdownNow();
        flushQuietly();
    }

    /** The list saved in a state directory; empty when discovery never saved one there. */
    public static Saved read(Path stateDir) throws IOException {
        Path file = stateDir.resolve(FILE);
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return new Saved(List.of(), 0);
        } catch (IOException e) {
            throw new IOException(file + ": not the JSON discovery writes (" + e.getMessage() + ")", e);
        }
        try {
            List<Discovered> list = new ArrayList<>();
            for (JsonNode n : root.withArray("machines")) {
                list.add(fromJson(n));
            }
            return new Saved(list, root.path("dropped").asLong(0));
        } catch (RuntimeException e) {
            throw new IOException(file + ": not the JSON discovery writes (" + e.getMessage() + ")", e);
        }
    }

    private static ObjectNode toJson(Saved saved) {
        ObjectNode root = JSON.createObjectNode().put("dropped", saved.dropped());
        ArrayNode list = root.putArray("machines");
        for (Discovered d : saved.machines()) {
            list.add(JSON.<ObjectNode>valueToTree(d.fields()));
        }
        return root;
    }

    private static Discovered fromJson(JsonNode n) {
        Sighting s = new Sighting(MacAddress.parse(text(n, "mac")), Instant.parse(text(n, "lastSeen")),
                Firmware.byId(text(n, "firmware")).orElseThrow(() ->
                        new IllegalArgumentException("unknown firmware '" + n.path("firmware").asText() + "'")),
                text(n, "arch"), Optional.ofNullable(n.path("uuid").textValue()), text(n, "vendorClass"),
                n.path("ipxe").asBoolean(false), text(n, "via"));
        return new Discovered(s, Instant.parse(text(n, "firstSeen")), n.path("requests").asLong(1));
    }

    private static String text(JsonNode n, String key) {
        String v = n.path(key).textValue();
        if (v == null) {
            throw new IllegalArgumentException("an entry has no '" + key + "'");
        }
        return v;
    }
}
