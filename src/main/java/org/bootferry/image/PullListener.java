package org.bootferry.image;

import java.time.Duration;

/**
 * Progress of a pull, for a progress bar ({@code bootferry pull}) or logs. Called on the pulling
 * thread, and {@link #progress} also on the threads that fetch a lazy layer's files beside it, at
 * once; implementations must be quick and thread-safe. Every method has a no-op default.
 */
public interface PullListener {

    PullListener NONE = new PullListener() {
    };

    /** The tag (or digest) resolved to this platform manifest. */
    default void resolved(ImageReference reference, Digest manifest, Platform platform) {
    }

    /** Layer {@code index} (0 = top) of {@code count} is being read. */
    default void layerStarted(int index, int count, Descriptor layer) {
    }

    /** Bytes of {@code blob} received so far in this attempt. */
    default void progress(Descriptor blob, long received) {
    }

    default void layerFinished(int index, Descriptor layer) {
    }

    /** A request failed and will be tried again after {@code delay}. */
    default void retrying(String what, int attempt, String cause, Duration delay) {
    }

    /** Something the operator should know that did not stop the boot (e.g. served from a stale cache). */
    default void warning(String message) {
    }

    /** The call's answer, from the cache or a pull; the last call, before any waiter sees the files. */
    default void finished(ImageBootFiles files) {
    }

    /** Why the pull failed; the last call, before any waiter sees the failure. */
    default void failed(Exception cause) {
    }
}
