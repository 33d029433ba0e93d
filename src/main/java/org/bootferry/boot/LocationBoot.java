package org.bootferry.boot;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.bootferry.config.ConfigError;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.config.MachineConfig;
import org.bootferry.config.MachineFile;
import org.bootferry.image.Platform;
import org.bootferry.image.PullPolicy;
import org.bootferry.image.TreeBootFiles;
import org.bootferry.image.TreeRequest;
import org.bootferry.machine.Machine;

/**
 * A machine's {@code kernelBoot.location} (an install tree, as {@code virt-install --location}) planned
 * without fetching: DHCP and explain plan on every packet and must never wait for a mirror.
 */
record LocationBoot(TreeBootFile kernel, List<BootFile> initrds) {

    static LocationBoot plan(ConfigSnapshot snapshot, MachineFile file, MachineConfig.KernelBoot kb, Machine machine,
            ImageSource source) {
        TreeRequest request = request(file, kb, machine);
        Optional<TreeBootFiles> cached = source.cached(request);
        Duration timeout = snapshot.settings().images().pullTimeout();
        TreeBootFile kernel = new TreeBootFile(source, request, ImageBootFile.Part.KERNEL, timeout, machine.firmware(),
                cached);
        TreeBootFile initrd = new TreeBootFile(source, request, ImageBootFile.Part.INITRD, timeout, machine.firmware(),
                cached);
        return new LocationBoot(kernel, List.of(initrd));
    }

    /** The tree request for this machine: the platform of its firmware, IfNotPresent unless the file says. */
    static TreeRequest request(MachineFile file, MachineConfig.KernelBoot kb, Machine machine) {
        PullPolicy policy;
        try {
            policy = kb.locationPullPolicy() == null ? PullPolicy.IF_NOT_PRESENT
                    : PullPolicy.parse("locationPullPolicy", kb.locationPullPolicy());
        } catch (IllegalArgumentException e) {
            throw new BootPlanException(new ConfigError(file.file(), 0, e.getMessage()));
        }
        try {
            return new TreeRequest(URI.create(kb.location()), policy,
                    new Platform("linux", machine.firmware().arch().ociName(), ""));
        } catch (IllegalArgumentException e) { // the loader checked it: only a planner fed by hand gets here
            throw new BootPlanException(new ConfigError(file.file(), 0, "kernelBoot." + e.getMessage()));
        }
    }
}
