package org.bootferry.cli;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.bootferry.boot.BootPlanner;
import org.bootferry.boot.ConfigCheck;
import org.bootferry.config.ConfigError;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.image.ImageResolver;
import org.bootferry.server.ImageSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code bootferry validate}: every file checked, one {@code file:line: message} per problem; then
 * every machine's kernel against the firmwares that would boot it (images from this host's cache).
 */
@Command(name = "validate", description = "Check every config file and every machine's kernel; print file:line: message"
        + " per problem.")
final class ValidateCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Override
    public Integer call() {
        ConfigOption.Loaded loaded = config.load(Map.of());
        List<ConfigError> errors = new ArrayList<>(loaded.errors());
        loaded.snapshot().warnings().forEach(w -> System.err.println("warning: " + w));
        if (errors.isEmpty()) {
            ConfigCheck.KernelFindings kernels = kernels(loaded.snapshot());
            kernels.warnings().forEach(w -> System.err.println("warning: " + w));
            errors.addAll(kernels.errors());
        }
        errors.forEach(System.out::println);
        if (!errors.isEmpty()) {
            System.out.println(errors.size() + " error(s) in " + config.dir);
            return 1;
        }
        var s = loaded.snapshot();
        List<Path> open = ConfigCheck.openAccess(s);
        if (!open.isEmpty()) {
            System.out.println("access: open (static install URLs, anyone who names the MAC may fetch them): " + open.size()
                    + " machine file(s)");
            open.forEach(f -> System.out.println("  " + f));
        }
        System.out.println(config.dir + ": OK (" + s.machines().size() + " machines"
                + (s.defaultMachine().isPresent() ? " + default" : "") + ", " + s.profiles().size() + " profiles, "
                + s.templates().size() + " templates)");
        return 0;
    }

    /**
     * The kernel check, with images as this host's cache has them. Without a cache (nothing pulled
     * yet, and validate creates none) image kernels are unknown and not checked.
     */
    private static ConfigCheck.KernelFindings kernels(ConfigSnapshot snapshot) {
        BootPlanner.Dependencies deps = BootPlanner.Dependencies.of(() -> snapshot);
        if (!Files.isDirectory(snapshot.settings().cache())) {
            return ConfigCheck.kernels(snapshot, deps);
        }
        try (ImageResolver images = ImageSupport.resolver(snapshot.settings())) {
            return ConfigCheck.kernels(snapshot, deps.withImages(images, new SimpleMeterRegistry()));
        } catch (IOException e) {
            System.err.println("warning: image cache " + snapshot.settings().cache() + ": " + e.getMessage()
                    + " (kernels of images not checked)");
            return ConfigCheck.kernels(snapshot, deps);
        }
    }
}
