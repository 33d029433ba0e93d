package org.bootferry.dhcp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.zip.CRC32;
import org.bootferry.lang.Ipv4;
import org.bootferry.machine.MacAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server mode's leases on disk: an append-only journal, one line a record, each written and
 * fdatasync'd before its future completes, so an ACK never leaves for a lease a crash could lose.
 * Like Kea's memfile with its lease file cleanup, the journal is compacted now and then: the live
 * records go to a new file, which is synced and renamed over the old one, so a crash during
 * compaction leaves the old journal or the new, both whole.
 *
 * <p>A line is {@code address holder expires crc}, the holder a MAC or {@code -}, the expiry in epoch
 * milliseconds, the CRC-32 of what precedes it in hex. A crash can only tear the last write, whose
 * records were never acknowledged: a torn or bad tail is cut off at load. A bad line followed by good
 * ones is not a torn write but damage, and the journal is refused rather than read past it.
 *
 * <p>Writes are group commits: one thread takes every record queued while the previous fdatasync
 * ran and writes them with one more, so a burst of clients costs a sync per batch, not per client.
 */
public final class LeaseJournal implements LeaseStore {

    private static final Logger log = LoggerFactory.getLogger(LeaseJournal.class);
    /** Compact when the journal holds this many more lines than live records (and at least this many). */
    private static final int COMPACT_SLACK = 4096;

    private final Path file;
    private final Map<String, Lease> live = new LinkedHashMap<>();
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private FileChannel channel;
    private long lines;
    private volatile boolean open = true;

    private record Pending(Lease lease, CompletableFuture<Void> done) {
    }

    /** Queued by {@link #close()}: the writer stops when it comes to it, with everything before it written. */
    private static final Pending STOP = new Pending(null, new CompletableFuture<>());

    /**
     * Opens (or creates) {@code dir/leases.journal}, reads it and starts the writer.
     *
     * @throws IOException when it can't be read or written, or is damaged
     */
    public LeaseJournal(Path dir) throws IOException {
        Files.createDirectories(dir);
        this.file = dir.resolve("leases.journal");
        Files.deleteIfExists(dir.resolve("leases.journal.tmp")); // a compaction a crash interrupted
        boolean created = !Files.exists(file);
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        if (created) {
            syncDirectory(dir);
        }
        load();
        writer = new Thread(this::write, "bootferry-lease-journal");
        writer.setDaemon(true);
        writer.start();
    }

    private void load() throws IOException {
        Scan scan = scan(file, Files.readAllBytes(file));
        scan.records().forEach(lease -> live.put(lease.address().getHostAddress(), lease));
        lines = scan.records().size();
        if (scan.torn() > 0) {
            log.warn("{}: cut off a torn write of {} bytes at its end (a crash before it was synced; it was never"
                    + " acknowledged)", file, scan.torn());
            channel.truncate(scan.good());
            channel.force(true);
        }
        channel.position(scan.good());
    }

    /**
     * The records of {@code dir/leases.journal} as they stand, without opening it for writing: what a
     * command reads while the server may be running. A tail being written is left out, as at load.
     *
     * @throws IOException when it can't be read, or is damaged
     */
    public static List<Lease> read(Path dir) throws IOException {
        Path file = dir.resolve("leases.journal");
        if (!Files.exists(file)) {
            return List.of();
        }
        Map<String, Lease> latest = new LinkedHashMap<>();
        scan(file, Files.readAllBytes(file)).records().forEach(l -> latest.put(l.address().getHostAddress(), l));
        return List.copyOf(latest.values());
    }

    /** @param good the length of the whole lines; {@code torn} bytes follow them */
    private record Scan(List<Lease> records, int good, int torn) {
    }

    private static Scan scan(Path file, byte[] bytes) throws IOException {
        List<Lease> records = new ArrayList<>();
        int good = 0;
        int start = 0;
        int lineNumber = 0;
        int damaged = 0;
        while (start < bytes.length) {
            int end = start;
            while (end < bytes.length && bytes[end] != '\n') {
                end++;
            }
            lineNumber++;
            Optional<Lease> lease = end < bytes.length
                    ? parse(new String(bytes, start, end - start, StandardCharsets.US_ASCII)) : Optional.empty();
            if (lease.isEmpty()) {
                damaged = damaged == 0 ? lineNumber : damaged;
            } else if (damaged > 0) {
                throw new IOException(file + " is damaged at line " + damaged + " (good records follow it): restore it"
                        + " from a backup, or move it away to start with no leases");
            } else {
                records.add(lease.get());
                good = end + 1;
            }
            start = end + 1;
        }
        return new Scan(records, good, bytes.length - good);
    }

    static String format(Lease lease) {
        String body = lease.address().getHostAddress() + " " + lease.holder().map(MacAddress::toString).orElse("-")
                + " " + lease.expires();
        return body + " " + crc(body) + "\n";
    }

    static Optional<Lease> parse(String line) {
        String[] f = line.split(" ");
        if (f.length != 4 || !f[3].equals(crc(f[0] + " " + f[1] + " " + f[2]))) {
            return Optional.empty();
        }
        try {
            Optional<MacAddress> holder = f[1].equals("-") ? Optional.empty() : Optional.of(MacAddress.parse(f[1]));
            return Ipv4.parse(f[0]).map(address -> new Lease(address, holder, Long.parseLong(f[2])));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static String crc(String body) {
        CRC32 crc = new CRC32();
        crc.update(body.getBytes(StandardCharsets.US_ASCII));
        return String.format("%08x", crc.getValue());
    }

    @Override
    public synchronized List<Lease> leases() {
        return List.copyOf(live.values());
    }

    @Override
    public CompletableFuture<Void> put(Lease lease) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!open) {
            done.completeExceptionally(new IOException("the lease journal is closed"));
            return done;
        }
        queue.add(new Pending(lease, done));
        return done;
    }

    private void write() {
        List<Pending> batch = new ArrayList<>();
        boolean stopping = false;
        while (!stopping) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            queue.drainTo(batch);
            stopping = batch.remove(STOP);
            if (batch.isEmpty()) {
                continue;
            }
            try {
                StringBuilder text = new StringBuilder();
                batch.forEach(p -> text.append(format(p.lease())));
                ByteBuffer bytes = StandardCharsets.US_ASCII.encode(text.toString());
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
                channel.force(false);
                synchronized (this) {
                    batch.forEach(p -> live.put(p.lease().address().getHostAddress(), p.lease()));
                    lines += batch.size();
                }
                batch.forEach(p -> p.done().complete(null));
                if (lines > 2L * live.size() + COMPACT_SLACK) {
                    compact();
                }
            } catch (IOException | RuntimeException e) {
                log.error("cannot write the lease journal {}: {}", file, e.toString());
                batch.forEach(p -> p.done().completeExceptionally(e));
            }
            batch.clear();
        }
    }

    /** Writes the live records to a new file, syncs it and renames it over the journal. */
    private void compact() throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        StringBuilder text = new StringBuilder();
        synchronized (this) {
            live.values().forEach(l -> text.append(format(l)));
        }
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer bytes = StandardCharsets.US_ASCII.encode(text.toString());
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
            out.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(file.getParent());
        FileChannel old = channel;
        channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        old.close();
        synchronized (this) {
            lines = live.size();
        }
        log.debug("compacted the lease journal {} to {} records", file, live.size());
    }

    private static void syncDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    /** Writes what is queued, then stops the writer and closes the file. */
    @Override
    public void close() {
        open = false;
        queue.add(STOP);
        try {
            writer.join(5000);
            channel.close();
            for (Pending late = queue.poll(); late != null; late = queue.poll()) {
                late.done().completeExceptionally(new IOException("the lease journal was closed"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            log.warn("closing the lease journal {}: {}", file, e.toString());
        }
    }
}
