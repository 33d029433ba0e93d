package org.bootferry.boot;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.bootferry.config.ConfigError;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.config.MachineConfig;
import org.bootferry.config.MachineFile;
import org.bootferry.image.ImageBootFiles;
import org.bootferry.image.ImageReference;
import org.bootferry.image.ImageRequest;
import org.bootferry.image.InvalidReferenceException;
import org.bootferry.image.Platform;
import org.bootferry.image.PullPolicy;
import org.bootferry.machine.Firmware;
import org.bootferry.machine.Machine;

/**
 * A machine's {@code kernelBoot.container} (KubeVirt's fields) planned without pulling: DHCP and
 * explain plan on every packet and must never wait for a registry. What only the image can tell —
 * whether it has an initrd, its default command line (label {@code org.bootferry.kernelArgs}) — is
 * taken from this host's cache when the image is there; {@code bootferry pull} puts it there ahead
 * of the first boot.
 *
 * @param kernelArgs the image's default command line, when cached; the machine's kernelArgs win
 */
record ContainerBoot(ImageBootFile kernel, List<BootFile> initrds, Optional<String> kernelArgs) {

    static ContainerBoot plan(ConfigSnapshot snapshot, MachineFile file, MachineConfig.Container container,
            Machine machine, ImageSource images) {
        ImageRequest request = request(snapshot, file, container, machine.firmware());
        Duration timeout = snapshot.settings().images().pullTimeout();
        Optional<ImageBootFiles> cached = images.cached(request);
        // Not cached yet: an initrd is expected when one is named, or when conventions choose the files
        // (they pair kernels with their initrds). A wrong guess fails that first boot with a clear 503.
        boolean initrd = cached.map(f -> f.initrd().isPresent())
                .orElse(request.initrdPath().isPresent() || request.kernelPath().isEmpty());
        List<BootFile> initrds = initrd ? List.of(new ImageBootFile(images, request, ImageBootFile.Part.INITRD, timeout,
                machine.firmware(), cached)) : List.of();
        return new ContainerBoot(new ImageBootFile(images, request, ImageBootFile.Part.KERNEL, timeout,
                machine.firmware(), cached), initrds, cached.flatMap(ImageBootFiles::kernelArgs));
    }

    /**
     * The image request for a machine of this firmware: the platform of the firmware (never this
     * server's), the pull policy KubeVirt would apply, and the pull secret from {@code secrets/<name>.json}.
     */
    static ImageRequest request(ConfigSnapshot snapshot, MachineFile file, MachineConfig.Container container,
            Firmware firmware) {
        ImageReference reference;
        try {
            reference = ImageReference.parse(container.image());
        } catch (InvalidReferenceException e) {
            throw new BootPlanException(new ConfigError(file.file(), 0, "kernelBoot.container.image: " + e.getMessage()));
        }
        // Kubernetes' default: Always for :latest (or no tag), IfNotPresent for any other tag or a digest.
        PullPolicy policy;
        try {
            policy = container.imagePullPolicy() != null ? PullPolicy.parse("imagePullPolicy", container.imagePullPolicy())
                    : PullPolicy.defaultFor(reference);
        } catch (IllegalArgumentException e) {
            throw new BootPlanException(new ConfigError(file.file(), 0, e.getMessage()));
        }
        Platform platform = new Platform("linux", firmware.arch().ociName(), "");
        Optional<Path> secret = Optional.ofNullable(container.imagePullSecret())
                .map(name -> snapshot.dir().resolve("secrets").resolve(name + ".json"));
        return new ImageRequest(container.image(), Optional.ofNullable(container.kernelPath()),
                Optional.ofNullable(container.initrdPath()), policy, platform, Optional.empty(), secret);
    }
}
