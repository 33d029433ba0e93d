package org.bootferry.tftp;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.bootferry.lang.QuietLog;
import org.bootferry.machine.BootEvent;
import org.bootferry.machine.BootLog;
import org.bootferry.machine.MacAddress;
import org.bootferry.machine.Neighbours;

/**
 * What the server tells of every transfer that ended, the way DHCP and HTTP tell of their answers:
 * each is counted, and one whose client the neighbour table knows by MAC is also a step in the boot
 * log. TFTP itself carries no MAC, and looking one up may read a file, so the lookup runs on the
 * executor given, never on an event loop or on the thread of a lock-step transfer.
 */
final class TransferReports {

    private final BootLog events;
    private final Neighbours neighbours;
    private final Executor blocking;
    private final QuietLog lines;
    private final Counter bytes;
    private final Counter resent;
    private final Map<Outcome, Result> results = new EnumMap<>(Outcome.class);

    /** How a transfer ended, as the {@code result} tag of its meters says it. */
    enum Outcome {
        /** The client acknowledged the last block. */
        COMPLETE("complete"),
        /** Every block went out; the last window's ACK never came ({@link TftpTransfer.Unconfirmed}). */
        UNCONFIRMED("unconfirmed"),
        /** The client stopped answering before the last window, or broke the transfer off. */
        ABANDONED("abandoned");

        private final String tag;

        Outcome(String tag) {
            this.tag = tag;
        }

        String tag() {
            return tag;
        }

        /** The boot log's step for a transfer of {@code name} that ended so. */
        BootEvent event(MacAddress mac, String name, long acknowledged, long size, long millis) {
            return switch (this) {
                case COMPLETE -> BootEvent.transfer(mac, BootEvent.Stage.TFTP, name, size, millis);
                case UNCONFIRMED -> BootEvent.transfer(mac, BootEvent.Stage.TFTP, name + " (sent; its last ACK never came)",
                        size, millis);
                case ABANDONED -> BootEvent.transfer(mac, BootEvent.Stage.FAILED, "tftp " + name + " abandoned", acknowledged,
                        millis);
            };
        }
    }

    /** The meters of one {@link Outcome}, registered once. */
    private record Result(Counter transfers, Timer duration) {
        static Result register(MeterRegistry registry, String result) {
            return new Result(registry.counter("bootferry_tftp_transfers", "result", result),
                    Timer.builder("bootferry_tftp_transfer_duration")
                            .description("TFTP transfer duration, from request to end")
                            .serviceLevelObjectives(BUCKETS).tag("result", result).register(registry));
        }
    }

    /**
     * From a pxelinux.cfg of a few hundred bytes (tens of ms) through a 1 MB iPXE, to a kernel or initrd
     * sent by lock-step TFTP to a slow ROM (minutes): 50 ms to 10 min. An abandoned transfer ends after
     * its retries, so it lands in the same range.
     */
    static final Duration[] BUCKETS = {Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(2),
            Duration.ofMinutes(5), Duration.ofMinutes(10)};

    /** @param lines where the lines a client causes at will go: once per client and cause a minute */
    TransferReports(BootLog events, MeterRegistry registry, Neighbours neighbours, Executor blocking, QuietLog lines) {
        this.events = events;
        this.lines = lines;
        this.neighbours = neighbours;
        this.blocking = blocking;
        this.bytes = Counter.builder("bootferry_tftp_bytes").description("Bytes acknowledged by TFTP clients")
                .baseUnit("bytes").register(registry);
        this.resent = Counter.builder("bootferry_tftp_retransmitted_blocks")
                .description("TFTP blocks sent again after a timeout").register(registry);
        for (Outcome outcome : Outcome.values()) {
            results.put(outcome, Result.register(registry, outcome.tag()));
        }
    }

    /** The log of what a client causes at will: transfers it abandons or breaks off. */
    QuietLog lines() {
        return lines;
    }

    /**
     * @param acknowledged bytes the client acknowledged
     * @param size         the file's size
     * @param resentBlocks blocks sent again after a timeout
     */
    void ended(InetSocketAddress client, String name, Outcome outcome, long acknowledged, long size, long millis,
            long resentBlocks) {
        Result result = results.get(outcome);
        result.transfers().increment();
        result.duration().record(Duration.ofMillis(millis));
        bytes.increment(acknowledged);
        resent.increment(resentBlocks);
        try {
            blocking.execute(() -> neighbours.macOf(client.getAddress())
                    .ifPresent(mac -> events.record(outcome.event(mac, name, acknowledged, size, millis))));
        } catch (RejectedExecutionException e) {
            // Shutting down: the transfer is counted; its event would outlive the journal.
        }
    }
}
