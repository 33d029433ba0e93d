package org.bootferry.cli;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bootferry.config.ConfigError;
import org.bootferry.config.ConfigHolder;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.server.BootServer;
import org.bootferry.server.SystemdNotify;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * {@code serve} once every listener is bound, as a service manager drives it: SIGHUP reloads the
 * config (systemd's {@code ExecReload}), SIGTERM and SIGINT stop with a short drain and exit 0, and
 * systemd hears each step through {@link SystemdNotify} ({@code Type=notify}).
 *
 * <p>The JVM's own answer to SIGTERM is to run the shutdown hooks and exit 143, which systemd counts
 * as a failure; and SIGHUP would end the process. The JDK has no supported API to handle a signal,
 * so this uses {@code sun.misc.Signal}, which the {@code jdk.unsupported} module exports for just
 * this (it is what the JDK's own tools and most servers use).
 */
final class Lifecycle {

    private static final Logger log = LoggerFactory.getLogger(Lifecycle.class);
    /** Long enough for a machine to finish its kernel or a TFTP loader, far short of TimeoutStopSec. */
    static final Duration DRAIN = Duration.ofSeconds(5);

    private final ConfigHolder config;
    private final BootServer server;
    private final SystemdNotify notify;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final AtomicBoolean stopped = new AtomicBoolean();

    Lifecycle(ConfigHolder config, BootServer server, SystemdNotify notify) {
        this.config = config;
        this.server = server;
        this.notify = notify;
    }

    /** Tells systemd it is ready and serves until a stop signal; then stops. */
    void run() throws InterruptedException {
        config.onReload(r -> notify.status(status(r.snapshot(), r.errors())));
        handle("HUP", this::reload);
        handle("TERM", stopRequested::countDown);
        handle("INT", stopRequested::countDown);
        // Every other end (System.exit elsewhere, a signal whose handler could not be set) still closes.
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "bootferry-shutdown"));
        // READY=1 on the server's own word, the one /readyz answers with: a server that is not ready
        // leaves systemd waiting (and its start timing out), with the reason as the unit's status.
        server.notReady().ifPresentOrElse(notify::status, () -> notify.ready(status(config.get(), config.get().errors())));
        stopRequested.await();
        stop();
    }

    private static void handle(String signal, Runnable action) {
        try {
            Signal.handle(new Signal(signal), s -> action.run());
        } catch (IllegalArgumentException e) {
            // Taken by the JVM (-Xrs, a debugger): the JVM's default for it stays, shutdown hooks included.
            log.warn("cannot handle SIG{}: {}", signal, e.getMessage());
        }
    }

    /** SIGHUP: runs on the JVM's signal thread; ConfigHolder serialises it with the file watcher's reloads. */
    private void reload() {
        log.info("SIGHUP: reloading the config");
        notify.reloading();
        try {
            ConfigHolder.Reload r = config.reload();
            notify.ready(status(r.snapshot(), r.errors()));
        } catch (RuntimeException e) {
            // The config in force stays; systemd must still leave "reloading", or the next reload waits on it.
            log.error("config reload failed: {}", e.toString());
            notify.ready("reload failed (" + e + "); " + status(config.get(), config.get().errors()));
        }
    }

    private void stop() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        log.info("stopping: finishing transfers under way (at most {} s)", DRAIN.toSeconds());
        notify.stopping("stopping");
        config.close();
        server.stop(DRAIN);
        notify.close();
    }

    /** One line for {@code systemctl status}: how many machines, and the first config error if any. */
    static String status(ConfigSnapshot snapshot, List<ConfigError> errors) {
        int machines = snapshot.machines().size();
        String text = machines + (machines == 1 ? " machine" : " machines") + ", " + errors.size()
                + (errors.size() == 1 ? " config error" : " config errors");
        return errors.isEmpty() ? text : text + " (first: " + errors.get(0) + ")";
    }
}
