package org.bootferry.http;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;
import org.bootferry.boot.BootPlanner;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.journal.BootEvents;
import org.bootferry.journal.BootState;
import org.bootferry.journal.LoaderFetches;
import org.bootferry.loader.LoaderFiles;

/**
 * What the HTTP listener answers from.
 *
 * @param loaders  the first-stage loaders, served at {@code /tftp/NAME} for UEFI HTTP Boot
 * @param fetches  told of every loader served, so the planner knows who runs our iPXE
 * @param metrics  the Prometheus text exposition of every meter, for {@code /metrics}
 * @param blocking runs work that may block (a boot file waiting for an image pull), never the event loop
 */
public record HttpServices(
        BootPlanner planner,
        BootEvents events,
        BootState state,
        Supplier<ConfigSnapshot> config,
        LoaderFiles loaders,
        LoaderFetches fetches,
        MeterRegistry registry,
        Supplier<String> metrics,
        ExecutorService blocking) {
}
