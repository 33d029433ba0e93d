package org.bootferry.journal;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bootferry.machine.BootEvent;
import org.bootferry.machine.MacAddress;

/**
 * {@code bootferry_boot_duration_seconds}: how long an install takes, from a machine's first DHCP offer
 * to its installer's {@code POST /done}. Later offers of the same boot (iPXE asking again, a retried
 * DISCOVER) do not restart it; a boot from the local disk ends it uncounted. Not thread-safe: the
 * {@link BootEvents} that owns it calls it under its lock, in the order events are recorded.
 */
final class BootDurations {

    /**
     * A netboot into a small installer over a fast LAN takes tens of seconds; a full distribution
     * install, or one under TCG emulation, an hour or more: 10 s to 2 h.
     */
    static final Duration[] BUCKETS = {Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(1),
            Duration.ofMinutes(2), Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofMinutes(15),
            Duration.ofMinutes(20), Duration.ofMinutes(30), Duration.ofMinutes(45), Duration.ofHours(1),
            Duration.ofMinutes(90), Duration.ofHours(2)};

    /**
     * A boot still open after this is one that never reports (a live system, an install that failed
     * without a word): the machine's next offer begins a new one instead of adding hours to it.
     */
    static final Duration ABANDONED = Duration.ofHours(6);

    private final Timer durations;
    /** Each machine's open boot: when its first offer went out. Bounded like the timelines of BootEvents. */
    private final Map<MacAddress, Instant> began;

    BootDurations(MeterRegistry registry, int maxMachines) {
        this.durations = Timer.builder("bootferry_boot_duration")
                .description("Boot duration from the first DHCP offer to POST /done, per install")
                .serviceLevelObjectives(BUCKETS).register(registry);
        this.began = new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<MacAddress, Instant> eldest) {
                return size() > maxMachines;
            }
        };
    }

    void saw(BootEvent event) {
        switch (event.stage()) {
            case DHCP_OFFER -> {
                Instant open = began.get(event.mac());
                if (open == null || open.plus(ABANDONED).isBefore(event.time())) {
                    began.put(event.mac(), event.time());
                }
            }
            case DONE -> {
                Instant open = began.remove(event.mac());
                if (open != null) {
                    durations.record(Duration.between(open, event.time()));
                }
            }
            case LOCAL_BOOT -> began.remove(event.mac());
            default -> {
                // Steps within a boot: its duration runs on.
            }
        }
    }
}
