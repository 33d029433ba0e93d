package org.bootferry.image;

/**
 * Progress of fetching an install tree's boot files, for {@code bootferry pull --location} or logs.
 * Called on the fetching thread; every method has a no-op default.
 */
public interface TreeListener {

    TreeListener NONE = new TreeListener() {
    };

    /** {@code url} is being downloaded. */
    default void fetching(String what, java.net.URI url) {
    }

    /** Bytes of the file being downloaded received so far. */
    default void progress(String what, long received) {
    }

    /** Something the operator should know that did not stop the boot (served stale, a file unverified). */
    default void warning(String message) {
    }

    /** The call's answer, before any waiter sees it. */
    default void finished(TreeBootFiles files) {
    }

    /** Why it failed, before any waiter sees it. */
    default void failed(Exception cause) {
    }
}
