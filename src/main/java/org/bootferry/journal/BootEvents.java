package org.bootferry.journal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
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
import java.util.function.Supplier;
import org.bootferry.machine.BootEvent;
import org.bootferry.machine.BootHistory;
import org.bootferry.machine.BootLog;
import org.bootferry.machine.MacAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every stage's events: a bounded in-memory ring for the API and the status page, an append-only
 * JSON-lines log for later (rotated by size, {@link JournalRotation}), a counter per stage ({@code bootferry_boot_events_total}) and each
 * install's duration ({@link BootDurations}).
 */
public final class BootEvents implements BootLog, BootHistory, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BootEvents.class);

    private final int capacity;
    private final Deque<BootEvent> ring;
    /** Machines whose last boot is kept; past that the machine seen longest ago is forgotten. */
    private static final int MAX_MACHINES = 65_536;

    /**
     * Each machine's events since its latest DHCP offer: its last boot's timeline. A queue, for a
     * machine that asks again and again without a new offer (HTTP Boot in a loop, a storm) keeps
     * {@code capacity} events and drops its oldest at each new one.
     */
    private final Map<MacAddress, Deque<BootEvent>> lastBoot = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<MacAddress, Deque<BootEvent>> eldest) {
            return size() > MAX_MACHINES;
        }
    };
    private final Map<BootEvent.Stage, Counter> counters = new EnumMap<>(BootEvent.Stage.class);
    private final BootDurations durations;
    private final RotatingFile journal;
    /** Recorded, not yet in the journal file. */
    private List<BootEvent> unwritten = new ArrayList<>();
    private final ScheduledExecutorService flusher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bootferry-events-flush");
        t.setDaemon(true);
        return t;
    });
    /** How stale the journal file may be: what a crash can lose of it (the ring and API are current). */
    private static final long FLUSH_MILLIS = 200;

    /** Events whose journal, if any, rotates at {@link JournalRotation#DEFAULT}. */
    public BootEvents(MeterRegistry registry, Optional<Path> journal, int capacity) throws IOException {
        this(registry, journal, capacity, () -> JournalRotation.DEFAULT);
    }

    /**
     * @param journal  the JSON-lines file appended to; empty for none
     * @param capacity how many events the ring and each machine's timeline keep
     * @param rotation when the journal file is rotated and how many are kept, asked for at every write
     */
    public BootEvents(MeterRegistry registry, Optional<Path> journal, int capacity,
                      Supplier<JournalRotation> rotation) throws IOException {
        this.capacity = capacity;
        this.ring = new ArrayDeque<>(capacity);
        for (BootEvent.Stage stage : BootEvent.Stage.values()) {
            counters.put(stage, Counter.builder("bootferry_boot_events")
                    .description("Boot events by stage: how many machines reached each step")
                    .tag("stage", stage.id()).register(registry));
        }
        this.durations = new BootDurations(registry, MAX_MACHINES);
        if (journal.isPresent()) {
            this.journal = new RotatingFile(journal.get(), rotation);
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
            Deque<BootEvent> timeline = lastBoot.computeIfAbsent(event.mac(), m -> new ArrayDeque<>());
            if (event.stage() == BootEvent.Stage.DHCP_OFFER && !timeline.isEmpty()
                    && timeline.getLast().stage() != BootEvent.Stage.DHCP_OFFER) {
                timeline.clear(); // a new boot begins
            }
            if (timeline.size() == capacity) {
                timeline.removeFirst();
            }
            timeline.addLast(event);
            durations.saw(event);
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
                journal.append(batch.stream().map(BootEvent::toJson).toList());
            } catch (IOException e) {
                log.warn("cannot append {} events to the journal: {}", batch.size(), e.toString());
            }
        }
    }

    /** The newest events, oldest first, of one machine or (empty) of all. */
    @Override
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
    @Override
    public synchronized List<BootEvent> lastBoot(MacAddress mac) {
        Deque<BootEvent> timeline = lastBoot.get(mac);
        return timeline == null ? List.of() : List.copyOf(timeline);
    }

    /** Every machine seen, with its last boot's timeline. */
    @Override
    public synchronized Map<MacAddress, List<BootEvent>> lastBoots() {
        Map<MacAddress, List<BootEvent>> copy = new LinkedHashMap<>();
        lastBoot.forEach((mac, events) -> copy.put(mac, List.copyOf(events)));
        return copy;
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
