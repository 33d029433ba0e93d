package org.bootferry.image;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The content-addressed cache on disk ({@code --cache DIR}):
 * <pre>
 * blobs/sha256/&lt;hex&gt;   manifests, configs and extracted boot files, named by the SHA-256 of their bytes
 * records/&lt;kind&gt;/&lt;key&gt;  small JSON facts: which manifest a tag resolved to, which files an image gave
 * tmp/                  everything being written; swept at start
 * </pre>
 * Nothing appears under {@code blobs/} or {@code records/} before it is complete: files are written
 * under {@code tmp/}, synced, and renamed into place only after their digest matched, so a crash at
 * any point leaves at most a temporary that the next start removes. Blobs above the size limit are
 * evicted least recently used first, except pinned ones (files of images in use).
 */
public final class ImageCache {

    private static final Logger LOG = LoggerFactory.getLogger(ImageCache.class);
    /** Records hold Optionals (a kernel's {@code KernelFormat}). */
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new Jdk8Module());
    /** Access times are written back to disk at most this often, so that LRU order survives a restart cheaply. */
    private static final long TOUCH_INTERVAL_MILLIS = 60_000;

    private static final class Entry {
        final long size;
        volatile long lastUsed;
        volatile long lastWritten;

        Entry(long size, long lastUsed) {
            this.size = size;
            this.lastUsed = lastUsed;
            this.lastWritten = lastUsed;
        }
    }

    /** Holds a blob in the cache until closed; pins count, so two holders keep it until both close. */
    public final class Pin implements AutoCloseable {
        private final Digest digest;
        private boolean closed;

        private Pin(Digest digest) {
            this.digest = digest;
        }

        public Digest digest() {
            return digest;
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                pins.computeIfPresent(digest, (d, n) -> n == 1 ? null : n - 1);
            }
        }
    }

    private final Path dir;
    private final Path blobs;
    private final Path tmp;
    private volatile long limitBytes;
    private final Map<Digest, Entry> entries = new ConcurrentHashMap<>();
    private final Map<Digest, Integer> pins = new ConcurrentHashMap<>();

    /**
     * Temporaries untouched this long belong to a process that is gone. Younger ones may be another
     * live process's pull in progress ({@code bootferry pull} or {@code explain} beside a running
     * server): a download that stalls is aborted long before this.
     */
    private static final long ABANDONED_MILLIS = 60 * 60_000;

    /** Opens (creating) a cache, removing temporaries a crash left behind. */
    public ImageCache(Path dir, long limitBytes) throws IOException {
        this.dir = dir;
        this.blobs = dir.resolve("blobs/sha256");
        this.tmp = dir.resolve("tmp");
        this.limitBytes = limitBytes;
        Files.createDirectories(blobs);
        Files.createDirectories(dir.resolve("records"));
        Files.createDirectories(tmp);
        int swept = 0;
        try (Stream<Path> leftovers = Files.list(tmp)) {
            long abandoned = System.currentTimeMillis() - ABANDONED_MILLIS;
            for (Path p : (Iterable<Path>) leftovers::iterator) {
                if (Files.getLastModifiedTime(p).toMillis() < abandoned) {
                    Files.deleteIfExists(p);
                    swept++;
                }
            }
        }
        if (swept > 0) {
            LOG.info("image cache {}: removed {} unfinished temporary file(s)", dir, swept);
        }
        try (Stream<Path> files = Files.list(blobs)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                Digest d = Digest.parseOrNull("sha256:" + name);
                if (d == null) {
                    continue;
                }
                entries.put(d, new Entry(Files.size(p), Files.getLastModifiedTime(p).toMillis()));
            }
        }
    }

    public Path dir() {
        return dir;
    }

    /** Where to write files that will be {@link #commit committed}. */
    public Path tempDir() {
        return tmp;
    }

    /** The cached blob's path, marking it used; empty when not cached. */
    public Optional<Path> blob(Digest digest) {
        Entry e = entries.get(digest);
        Path p = blobs.resolve(digest.hex());
        if (e == null) {
            e = adopt(digest, p);
            if (e == null) {
                return Optional.empty();
            }
        }
        if (!Files.exists(p)) {
            entries.remove(digest); // removed behind our back: treat as not cached
            return Optional.empty();
        }
        touch(digest, e, p);
        return Optional.of(p);
    }

    /**
     * A blob another process committed since this cache was opened ({@code bootferry pull} into the
     * cache of a running server): named by its digest only after verification, so it can be taken as is.
     */
    private Entry adopt(Digest digest, Path p) {
        try {
            Entry e = new Entry(Files.size(p), Files.getLastModifiedTime(p).toMillis());
            Entry raced = entries.putIfAbsent(digest, e);
            return raced != null ? raced : e;
        } catch (IOException notThere) {
            return null;
        }
    }

    public Optional<byte[]> readBlob(Digest digest) throws IOException {
        Optional<Path> p = blob(digest);
        if (p.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readAllBytes(p.get()));
        } catch (NoSuchFileException e) {
            entries.remove(digest);
            return Optional.empty();
        }
    }

    /** Stores bytes whose digest the caller has checked, or checks it here. */
    public Path putBlob(byte[] content, Digest digest) throws IOException, DigestMismatchException {
        Digest actual = Digest.of(content);
        if (!actual.equals(digest)) {
            throw new DigestMismatchException("blob", digest, actual);
        }
        Path temp = Files.createTempFile(tmp, "blob-", ".tmp");
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(content));
            ch.force(true);
        }
        return commit(temp, digest);
    }

    /**
     * Moves a finished temporary (written under {@link #tempDir()}, whose SHA-256 the writer computed
     * while writing it) to its content address. Syncs it first so that a power loss never leaves a
     * named but empty file.
     */
    public Path commit(Path temp, Digest digest) throws IOException {
        Path target = blobs.resolve(digest.hex());
        long size = Files.size(temp);
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
            Files.deleteIfExists(temp); // same bytes already there (rename over an existing file is fine on Linux)
        }
        long now = System.currentTimeMillis();
        entries.put(digest, new Entry(size, now));
        evict();
        return target;
    }

    public Pin pin(Digest digest) {
        pins.merge(digest, 1, Integer::sum);
        return new Pin(digest);
    }

    /** Total bytes of cached blobs. */
    public long size() {
        return entries.values().stream().mapToLong(e -> e.size).sum();
    }

    /** Puts a new size limit in force, evicting at once what is over it. */
    public void limit(long bytes) {
        limitBytes = bytes;
        evict();
    }

    /** Evicts least recently used unpinned blobs until the cache fits its limit. */
    public synchronized void evict() {
        long limit = limitBytes;
        if (limit <= 0) {
            return;
        }
        long total = size();
        if (total <= limit) {
            return;
        }
        List<Map.Entry<Digest, Entry>> lru = new ArrayList<>(entries.entrySet());
        lru.sort(Comparator.comparingLong(e -> e.getValue().lastUsed));
        for (Map.Entry<Digest, Entry> e : lru) {
            if (total <= limit) {
                break;
            }
            if (pins.containsKey(e.getKey())) {
                continue;
            }
            try {
                Files.deleteIfExists(blobs.resolve(e.getKey().hex()));
            } catch (IOException ex) {
                LOG.warn("image cache: could not evict {}: {}", e.getKey(), ex.getMessage());
                continue;
            }
            entries.remove(e.getKey());
            total -= e.getValue().size;
            LOG.info("image cache: evicted {} ({} bytes, least recently used)", e.getKey(), e.getValue().size);
        }
        if (total > limit) {
            LOG.warn("image cache {} holds {} bytes over its {} byte limit: all of it is pinned by images in use",
                    dir, total - limit, limit);
        }
    }

    private void touch(Digest digest, Entry e, Path p) {
        long now = System.currentTimeMillis();
        e.lastUsed = now;
        if (now - e.lastWritten > TOUCH_INTERVAL_MILLIS) {
            e.lastWritten = now;
            try {
                Files.setLastModifiedTime(p, FileTime.fromMillis(now));
            } catch (IOException ex) {
                LOG.debug("image cache: could not touch {}: {}", digest, ex.getMessage());
            }
        }
    }

    /** A small JSON fact, e.g. kind "tags", key the reference; empty when absent or unreadable. */
    <T> Optional<T> readRecord(String kind, String key, Class<T> type) {
        Path p = recordPath(kind, key);
        try {
            return Optional.of(JSON.readValue(p.toFile(), type));
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            return Optional.empty();
        } catch (IOException e) {
            LOG.warn("image cache: ignoring unreadable record {}: {}", p, e.getMessage());
            return Optional.empty();
        }
    }

    /** Replaces a record atomically (temp + rename), so readers see the old or the new one, never half. */
    void writeRecord(String kind, String key, Object value) throws IOException {
        Path p = recordPath(kind, key);
        Files.createDirectories(p.getParent());
        Path temp = Files.createTempFile(tmp, "record-", ".tmp");
        try {
            Files.write(temp, JSON.writeValueAsBytes(value));
            Files.move(temp, p, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    private Path recordPath(String kind, String key) {
        return dir.resolve("records").resolve(kind).resolve(Digest.of(key.getBytes(StandardCharsets.UTF_8)).hex());
    }
}
