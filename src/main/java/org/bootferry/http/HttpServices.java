package org.bootferry.http;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;
import org.bootferry.boot.Booter;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.loader.LoaderFiles;
import org.bootferry.machine.Addressing;
import org.bootferry.machine.BootHistory;
import org.bootferry.machine.BootLog;
import org.bootferry.machine.Discoveries;
import org.bootferry.machine.Installs;
import org.bootferry.machine.LoaderFetchLog;
import org.bootferry.machine.UnidentifiedClients;

/**
 * What the HTTP listener answers from.
 *
 * @param booter   what a machine boots, its kickstart and install files, and why (for the API)
 * @param log      where every boot step served over HTTP is reported
 * @param history  the boot steps so far, for the API and the status page
 * @param installs boot-once state, changed by {@code POST /done/M} and {@code POST /api/machines/M/reset}
 * @param discoveries the machines seen with no machine file, for {@code /api/discovered} and the status page
 * @param unidentified the DHCPv6 boot clients no MAC was found for, for {@code /api/unidentified} and the status page
 * @param fetches  told of every loader served, so the planner knows who runs our iPXE
 * @param loaders  the first-stage loaders (following the tftpRoot in force), served at {@code /boot/M/tftp/NAME} to UEFI HTTP Boot, iPXE and the loaders they run
 * @param config   the config in force, read at each request
 * @param registry where the listener's own meters are registered
 * @param metrics  the Prometheus text exposition of every meter, for {@code /metrics}
 * @param blocking runs work that may block (a boot file waiting for an image pull, an fsync), never the event loop
 * @param notReady why the server can't boot machines now (starting, stopping), empty when it can: what
 *                 {@code /readyz} answers, decided by the server that owns the listeners
 * @param addressing DHCP server mode's leases, reservations and names, and what it would offer a
 *                 machine, for the API and the status page; {@link Addressing#NONE} in the other modes
 */
public record HttpServices(
        Booter booter,
        BootLog log,
        BootHistory history,
        Installs installs,
        Discoveries discoveries,
        UnidentifiedClients unidentified,
        LoaderFetchLog fetches,
        LoaderFiles loaders,
        Supplier<ConfigSnapshot> config,
        MeterRegistry registry,
        Supplier<String> metrics,
        ExecutorService blocking,
        Supplier<Optional<String>> notReady,
        Supplier<Addressing> addressing) {
}
