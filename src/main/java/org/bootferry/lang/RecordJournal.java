package org.bootferry.lang;

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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records kept durable on disk (server mode's leases, DHCPv4's and DHCPv6's): an append-only journal,
 * one line a record, each written and fdatasync'd before its future completes, so an answer never
 * leaves for a record a crash could lose. Like Kea's memfile with its lease file cleanup, the journal
 * is compacted now and then: the live records (the latest of each key) go to a new file, which is
 * synced and renamed over the old one, so a crash during compaction leaves the old journal or the
 * new, both whole.
 *
 * <p>A line is the record's text as its {@link Format} writes it (space-separated fields, no line
 * break), then the CRC-32 of that text in hex. A crash can only tear the last write, whose records
 * were never acknowledged: a torn or bad tail is cut off at load. A bad line followed by good ones is
 * not a torn write but damage, and the journal is refused rather than read past it.
 *
 * <p>Writes are group commits: one thread takes every record queued while the previous fdatasync
 * ran and writes them with one more, so a burst of clients costs a sync per batch, not per client.
 *
 * @param <T> the record
 */
public final class RecordJournal<T> implements AutoCloseable {

    /** How a record is a line, and which records replace each other. */
    public interface Format<T> {
        /** Records of the same key replace each other; only the latest is live. */
        String key(T record);

        /** The record as text: printable ASCII, no line break. */
        String text(T record);

        /** The record {@link #text} wrote; empty for anything else. */
        Optional<T> parse(String text);
    }


    private static final Logger log = LoggerFactory.getLogger(RecordJournal.class);
    /** Compact when the journal holds this many more lines than live records (and at least this many). */
    private static final int COMPACT_SLACK = 4096;

    private final Path file;
    private final Format<T> format;
    private final Map<String, T> live = new LinkedHashMap<>();
    private final BlockingQueue<Pending<T>> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private FileChannel channel;
    private long lines;
    private volatile boolean open = true;

    private record Pending<T>(T record, CompletableFuture<Void> done) {
    }

    /** Queued by {@link #close()}: the writer stops when it comes to it, with everything before it written. */
    private final Pending<T> stop = new Pending<>(null, new CompletableFuture<>());

    /**
     * Opens (or creates) {@code dir/name}, reads it and starts the writer.
     *
     * @throws IOException when it can't be read or written, or is damaged
     */
    public RecordJournal(Path dir, String name, Format<T> format) throws IOException {
        Files.createDirectories(dir);
        this.file = dir.resolve(name);
        this.format = format;
        Files.deleteIfExists(dir.resolve(name + ".tmp")); // a compaction a crash interrupted
        boolean created = !Files.exists(file);
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        if (created) {
            syncDirectory(dir);
        }
        load();
        writer = new Thread(this::write, "bootferry-journal-" + name);
        writer.setDaemon(true);
        writer.start();
    }

    private void load() throws IOException {
        Scan<T> scan = scan(file, Files.readAllBytes(file), format);
        scan.records().forEach(r -> live.put(format.key(r), r));
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
     * The live records of {@code file} as they stand, without opening it for writing: what a command
     * reads while the server may be running. A tail being written is left out, as at load.
     *
     * @throws IOException when it can't be read, or is damaged
     */
    public static <T> List<T> read(Path file, Format<T> format) throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        Map<String, T> latest = new LinkedHashMap<>();
        scan(file, Files.readAllBytes(file), format).records().forEach(r -> latest.put(format.key(r), r));
        return List.copyOf(latest.values());
    }

    /** @param good the length of the whole lines; {@code torn} bytes follow them */
    private record Scan<T>(List<T> records, int good, int torn) {
    }

    private static <T> Scan<T> scan(Path file, byte[] bytes, Format<T> format) throws IOException {
        List<T> records = new ArrayList<>();
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
            Optional<T> record = end < bytes.length
                    ? parse(new String(bytes, start, end - start, StandardCharsets.US_ASCII), format) : Optional.empty();
            if (record.isEmpty()) {
                damaged = damaged == 0 ? lineNumber : damaged;
            } else if (damaged > 0) {
                throw new IOException(file + " is damaged at line " + damaged + " (good records follow it): restore it"
                        + " from a backup, or move it away to start without its records");
            } else {
                records.add(record.get());
                good = end + 1;
            }
            start = end + 1;
        }
        return new Scan<>(records, good, bytes.length - good);
    }

    /** A record's line: its text, a space, the CRC-32 of the text, a line break. */
    public static <T> String line(T record, Format<T> format) {
        String body = format.text(record);
        return body + " " + crc(body) + "\n";
    }

    /** The record of a line (without its line break) whose CRC is right; empty otherwise. */
    static <T> Optional<T> parse(String line, Format<T> format) {
        int space = line.lastIndexOf(' ');
        if (space < 0 || !line.substring(space + 1).equals(crc(line.substring(0, space)))) {
            return Optional.empty();
        }
        try {
            return format.parse(line.substring(0, space));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static String crc(String body) {
        CRC32 crc = new CRC32();
        crc.update(body.getBytes(StandardCharsets.US_ASCII));
        return String.format("%08x", crc.getValue());
    }

    /** The latest record of every key, as the journal holds it now. */
    public synchronized List<T> records() {
        return List.copyOf(live.values());
    }

    /**
     * Stores the record, replacing its key's earlier one. The future completes once the record is
     * durable, and completes exceptionally if it could not be stored.
     */
    public CompletableFuture<Void> put(T record) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!open) {
            done.completeExceptionally(new IOException("the journal " + file + " is closed"));
            return done;
        }
        queue.add(new Pending<>(record, done));
        return done;
    }

    private void write() {
        List<Pending<T>> batch = new ArrayList<>();
        boolean stopping = false;
        while (!stopping) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            queue.drainTo(batch);
            stopping = batch.remove(stop);
            if (batch.isEmpty()) {
                continue;
            }
            try {
                StringBuilder text = new StringBuilder();
                batch.forEach(p -> text.append(line(p.record(), format)));
                ByteBuffer bytes = StandardCharsets.US_ASCII.encode(text.toString());
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
                channel.force(false);
                synchronized (this) {
                    batch.forEach(p -> live.put(format.key(p.record()), p.record()));
                    lines += batch.size();
                }
                batch.forEach(p -> p.done().complete(null));
                if (lines > 2L * live.size() + COMPACT_SLACK) {
                    compact();
                }
            } catch (IOException | RuntimeException e) {
                log.error("cannot write the journal {}: {}", file, e.toString());
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
            live.values().forEach(r -> text.append(line(r, format)));
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
        log.debug("compacted the journal {} to {} records", file, live.size());
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
        queue.add(stop);
        try {
            writer.join(5000);
            channel.close();
            for (Pending late = queue.poll(); late != null; late = queue.poll()) {
                late.done().completeExceptionally(new IOException("the journal " + file + " was closed"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            log.warn("closing the journal {}: {}", file, e.toString());
        }
    }
}
