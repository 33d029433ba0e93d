package org.bootferry.image;

import java.net.URI;
import java.util.Objects;
import org.bootferry.lang.HttpUrls;

/**
 * What a machine boots from an install tree ({@code kernelBoot.location}, as {@code virt-install
 * --location}): the tree's URL, when to read it again, and the platform of the machine's firmware.
 *
 * @param location   the tree's root, http or https, ending in '/' (where {@code .treeinfo} or
 *                   Debian's {@code SHA256SUMS} is)
 * @param pullPolicy Always reads the tree's description again at every boot; IfNotPresent and Never
 *                   as for images
 */
public record TreeRequest(URI location, PullPolicy pullPolicy, Platform platform) {

    public TreeRequest {
        Objects.requireNonNull(pullPolicy, "pullPolicy");
        Objects.requireNonNull(platform, "platform");
        location = root(location);
    }

    /**
     * The URL as a tree root: http or https, with a host, ending in '/' so that the tree's relative
     * paths resolve under it.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    public static URI root(URI location) {
        HttpUrls.directoryProblem(location.toString()).ifPresent(problem -> {
            throw new IllegalArgumentException("location '" + location + "' " + problem + " of an install tree");
        });
        String path = location.getRawPath() == null || location.getRawPath().isEmpty() ? "/" : location.getRawPath();
        return path.endsWith("/") ? location.resolve(path) : URI.create(location + "/");
    }

    /**
     * The package repository of a tree, from its URL alone: the archive root above {@code dists/} of a
     * Debian or Ubuntu installer tree ({@code http://m/debian/} for
     * {@code http://m/debian/dists/bookworm/main/installer-amd64/current/images/}), which a preseed names
     * as its mirror; else the tree itself, whose {@code .treeinfo} anaconda's {@code inst.repo} reads.
     */
    public static URI repoUrl(URI root) {
        String path = root.getRawPath();
        int dists = path.indexOf("/dists/");
        return dists < 0 ? root : root.resolve(path.substring(0, dists + 1));
    }
}
