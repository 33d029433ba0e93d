package org.bootferry.image;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * What a machine boots from an image, in KubeVirt's {@code kernelBoot.container} terms.
 *
 * @param image        the reference as written in the config ({@code registry/repo:tag}, {@code @sha256:…})
 * @param kernelPath   path inside the image; empty = label {@code org.bootferry.kernelPath}, then conventions
 * @param initrdPath   path inside the image; empty = label, then the convention's initrd (if the kernel came from one)
 * @param pullPolicy   KubeVirt's imagePullPolicy
 * @param platform     of the machine being booted (from its firmware), not of this server
 * @param credentials  already-parsed credentials; wins over {@code dockerConfig}
 * @param dockerConfig a docker config.json (an imagePullSecret) to take this registry's credentials from
 */
public record ImageRequest(String image, Optional<String> kernelPath, Optional<String> initrdPath,
        PullPolicy pullPolicy, Platform platform, Optional<Credentials> credentials, Optional<Path> dockerConfig) {

    public ImageRequest {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(pullPolicy, "pullPolicy");
        Objects.requireNonNull(platform, "platform");
    }

    /** Paths by label or convention, IfNotPresent, no credentials. */
    public static ImageRequest of(String image, Platform platform) {
        return new ImageRequest(image, Optional.empty(), Optional.empty(), PullPolicy.IF_NOT_PRESENT, platform,
                Optional.empty(), Optional.empty());
    }

    /*
     * The withers below are called by tests only (ContainerBoot and PullCommand build a request in one
     * go from a machine file or flags): a pull test varies the one thing it is about on top of of().
     */

    public ImageRequest withPaths(String kernel, String initrd) {
        return new ImageRequest(image, Optional.ofNullable(kernel), Optional.ofNullable(initrd), pullPolicy, platform,
                credentials, dockerConfig);
    }

    public ImageRequest withPullPolicy(PullPolicy policy) {
        return new ImageRequest(image, kernelPath, initrdPath, policy, platform, credentials, dockerConfig);
    }

    public ImageRequest withCredentials(Credentials c) {
        return new ImageRequest(image, kernelPath, initrdPath, pullPolicy, platform, Optional.of(c), dockerConfig);
    }

    public ImageRequest withDockerConfig(Path file) {
        return new ImageRequest(image, kernelPath, initrdPath, pullPolicy, platform, credentials, Optional.of(file));
    }
}
