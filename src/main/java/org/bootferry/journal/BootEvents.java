package org.bootferry.journal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.bootferry.machine.BootEvent;
import org.bootferry.machine.BootLog;
import org.bootferry.machine.MacAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every stage's events: a bounded in-memory ring for the API and the status page, an append-only
 * JSON-lines log for later, and a counter per stage ({@code bootferry_boot_events_total}).
 */
public final class BootEvents implements BootLog, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BootEvents.class);
    private static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private final int capacity;
    private final Deque<BootEvent> ring;
    /** Machines whose last boot is kept; past that the machine seen longest ago is forgotten. */
    private static final int MAX_MACHINES = 65_536;

    /** Each machine's events since its latest DHCP offer: its last boot's timeline. */
    private final Map<MacAddress, List<BootEvent>> lastBoot = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<MacAddress, List<BootEvent>> eldest) {
            return size() > MAX_MACHINES;
        }
    };
    private final Map<BootEvent.Stage, Counter> counters = new EnumMap<>(BootEvent.Stage.class);
    private final BufferedWriter journal;
    /** Recorded, not yet in the journal file. */
    private List<BootEvent> unwritten = new ArrayList<>();
    private final ScheduledExecutorService flusher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bootferry-events-flush");
        t.setDaemon(true);
        return t;
    });
    /** How stale the journal file may be: what a crash can lose of it (the ring and API are current). */
    private static final long FLUSH_MILLIS = 200;

    /**
     * @param journal the JSON-lines file appended to; empty for none
     * @param capacity how many events the ring and each machine's timeline keep
     */
    public BootEvents(MeterRegistry registry, Optional<Path> journal, int capacity) throws IOException {
        this.capacity = capacity;
        this.ring = new ArrayDeque<>(capacity);
        for (BootEvent.Stage stage : BootEvent.Stage.values()) {
            counters.put(stage, Counter.builder("bootferry_boot_events")
                    .description("Boot events by stage: how many machines reached each step")
                    .tag("stage", stage.id()).register(registry));
        }
        if (journal.isPresent()) {
            Files.createDirectories(journal.get().toAbsolutePath().getParent());
            this.journal = Files.newBufferedWriter(journal.get(), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
            flusher.scheduleWithFixedDelay(this::flush, FLUSH_MILLIS, FLUSH_MILLIS, TimeUnit.MILLISECONDS);
        } else {
            this.journal = null;
        }
    }

    @Override
    public void record(BootEvent event) {
        counters.get(event.stage()).increment();
        synchronized (this) {
            if (ring.size() == capacity) {
                ring.removeFirst();
            }
            ring.addLast(event);
            List<BootEvent> timeline = lastBoot.computeIfAbsent(event.mac(), m -> new ArrayList<>());
            if (event.stage() == BootEvent.Stage.DHCP_OFFER && !timeline.isEmpty()
                    && timeline.get(timeline.size() - 1).stage() != BootEvent.Stage.DHCP_OFFER) {
                timeline.clear(); // a new boot begins
            }
            if (timeline.size() == capacity) {
                timeline.remove(0);
            }
            timeline.add(event);
            if (journal != null) {
                unwritten.add(event);
            }
        }
    }

    /**
     * Writes the events recorded since the last call to the journal. Called periodically, off the
     * threads that answer: at a boot storm's rate, a JSON line and a write per event cost more than
     * the answer it records.
     */
    public void flush() {
        List<BootEvent> batch;
        synchronized (this) {
            if (journal == null || unwritten.isEmpty()) {
                return;
            }
            batch = unwritten;
            unwritten = new ArrayList<>();
        }
        synchronized (journal) {
            try {
                for (BootEvent e : batch) {
                    journal.write(toJson(e));
                    journal.newLine();
                }
                journal.flush();
            } catch (IOException e) {
                log.warn("cannot append {} events to the journal: {}", batch.size(), e.toString());
            }
        }
    }

    /** The newest events, oldest first, of one machine or (empty) of all. */
    public synchronized List<BootEvent> recent(Optional<MacAddress> mac, int limit) {
        List<BootEvent> matching = new ArrayList<>();
        for (BootEvent e : ring) {
            if (mac.isEmpty() || mac.get().equals(e.mac())) {
                matching.add(e);
            }
        }
        return List.copyOf(matching.subList(Math.max(0, matching.size() - limit), matching.size()));
    }

    /** The machine's last boot, from its latest DHCP offer (or first event) on. */
    public synchronized List<BootEvent> lastBoot(MacAddress mac) {
        return List.copyOf(lastBoot.getOrDefault(mac, List.of()));
    }

    /** Every machine seen, with its last boot's timeline. */
    public synchronized Map<MacAddress, List<BootEvent>> lastBoots() {
        Map<MacAddress, List<BootEvent>> copy = new LinkedHashMap<>();
        lastBoot.forEach((mac, events) -> copy.put(mac, List.copyOf(events)));
        return copy;
    }

    /**
     * An event as one JSON line, written by hand: the journal writes one per DHCP answer, and a JSON
     * tree per event costs more than the answer. Package-private: the journal's own format, read back
     * by BootEventsTest to check it is the JSON {@link #toJsonNode} gives.
     */
    static String toJson(BootEvent e) {
        StringBuilder json = new StringBuilder(128).append("{\"time\":\"").append(e.time())
                .append("\",\"mac\":\"").append(e.mac()).append("\",\"stage\":\"").append(e.stage().id())
                .append("\",\"detail\":");
        quote(e.detail(), json);
        if (e.bytes() > 0) {
            json.append(",\"bytes\":").append(e.bytes());
        }
        if (e.millis() > 0) {
            json.append(",\"millis\":").append(e.millis());
        }
        return json.append('}').toString();
    }

    /** A JSON string (RFC 8259 §7): quotes, backslashes and control characters escaped. */
    private static void quote(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        out.append('"');
    }

    /** An event as JSON: time, mac, stage, detail, and bytes and millis when it was a transfer. */
    public static ObjectNode toJsonNode(BootEvent e) {
        ObjectNode node = JSON.createObjectNode()
                .put("time", e.time().toString())
                .put("mac", e.mac().toString())
                .put("stage", e.stage().id())
                .put("detail", e.detail());
        if (e.bytes() > 0) {
            node.put("bytes", e.bytes());
        }
        if (e.millis() > 0) {
            node.put("millis", e.millis());
        }
        return node;
    }

    @Override
    public void close() throws IOException {
        flusher.shutdownNow();
        flush();
        if (journal != null) {
            synchronized (journal) {
                journal.close();
            }
        }
    }
}
