package org.bootferry.loader;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Whether a first-stage loader is there to be served, asked for every DHCP answer: each name's
 * answer is kept for a second, so a storm of DISCOVERs costs no file system lookups and an admin
 * who drops a loader into the tftproot sees it offered a second later.
 */
public final class LoaderPresence {

    private static final long REMEMBERED_NANOS = TimeUnit.SECONDS.toNanos(1);

    private record Seen(boolean present, long at) {
    }

    private final LoaderFiles files;
    /** One entry per loader name the config names: bounded by the config, not by requests. */
    private final Map<String, Seen> seen = new ConcurrentHashMap<>();

    public LoaderPresence(LoaderFiles files) {
        this.files = files;
    }

    /**
     * Where {@code loader} was looked for, when it is not there to be served; empty when it is.
     * A name that can't be served (a link out of the root, a bad name) is as good as absent.
     */
    public Optional<String> missing(String loader) {
        long now = System.nanoTime();
        Seen last = seen.get(loader);
        if (last == null || now - last.at() > REMEMBERED_NANOS) {
            last = new Seen(look(loader), now);
            seen.put(loader, last);
        }
        return last.present() ? Optional.empty()
                : Optional.of(String.join(" or ", files.directories().stream().map(Object::toString).toList()));
    }

    private boolean look(String loader) {
        try {
            return files.find(LoaderFiles.normalise(loader)).isPresent();
        } catch (LoaderFiles.Refusal e) {
            return false;
        }
    }
}
