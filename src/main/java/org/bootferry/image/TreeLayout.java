package org.bootferry.image;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where an install tree keeps the installer kernel and initrd for one architecture, and their
 * checksums, as the tree itself says: its {@code .treeinfo} (Fedora, RHEL and rebuilds), else the
 * netboot layout of Debian's and Ubuntu's installer images with their {@code SHA256SUMS}.
 *
 * @param layout      how they were found, for explain and {@code pull}
 * @param kernelSum   the tree's SHA-256 of the kernel; empty when it publishes none
 * @param repoUrl     the package repository of the tree: its root for a .treeinfo tree (anaconda's
 *                    {@code inst.repo} reads the .treeinfo itself), the archive root above {@code dists/}
 *                    for a Debian or Ubuntu one (what a preseed names as its mirror)
 */
record TreeLayout(String layout, String kernelPath, Optional<Digest> kernelSum, String initrdPath,
        Optional<Digest> initrdSum, URI repoUrl) {

    /** GOARCH names (the machine's platform) → RPM's, as .treeinfo writes them. */
    private static final Map<String, String> RPM_ARCH = Map.of("amd64", "x86_64", "arm64", "aarch64", "386", "i386",
            "arm", "armhfp");
    /** GOARCH names → Debian's, as its installer directories are named. */
    private static final Map<String, String> DEBIAN_ARCH = Map.of("amd64", "amd64", "arm64", "arm64", "386", "i386",
            "arm", "armhf");
    /** The netboot directories of Debian's and Ubuntu's installer images, relative to {@code images/}. */
    private static final List<String> NETBOOT = List.of("netboot/debian-installer/", "netboot/ubuntu-installer/");

    /**
     * What the tree at {@code root} says for {@code platform}, reading {@code .treeinfo}, else
     * {@code SHA256SUMS} and the netboot directories.
     *
     * @throws ImageException when the tree has neither layout, or nothing for the platform
     */
    static TreeLayout read(TreeClient client, URI root, Platform platform) throws ImageException {
        Optional<String> treeinfo = client.text(root.resolve(".treeinfo"));
        if (treeinfo.isPresent()) {
            return fromTreeInfo(TreeInfo.parse(treeinfo.get(), root.resolve(".treeinfo").toString()), root, platform);
        }
        String arch = DEBIAN_ARCH.getOrDefault(platform.architecture(), platform.architecture());
        URI sumsUrl = root.resolve("SHA256SUMS");
        Optional<String> sums = client.text(sumsUrl);
        ChecksumList list = sums.isPresent() ? ChecksumList.parse(sums.get(), sumsUrl.toString()) : null;
        for (String dir : NETBOOT) {
            String kernel = dir + arch + "/linux";
            String initrd = dir + arch + "/initrd.gz";
            boolean there = list != null ? list.sha256(kernel).isPresent() : client.exists(root.resolve(kernel));
            if (there) {
                String name = dir.startsWith("netboot/debian") ? "Debian" : "Ubuntu";
                return new TreeLayout(name + " netboot " + dir + arch + (list != null ? ", SHA256SUMS" : ", no SHA256SUMS"),
                        kernel, list == null ? Optional.empty() : list.sha256(kernel), initrd,
                        list == null ? Optional.empty() : list.sha256(initrd), TreeRequest.repoUrl(root));
            }
        }
        throw new TreeFormatException(root + " is not an install tree bootferry knows for " + platform + ": no"
                + " .treeinfo, and no " + NETBOOT.get(0) + arch + "/linux or " + NETBOOT.get(1) + arch + "/linux"
                + (list != null ? " in its SHA256SUMS" : "") + " (name the tree's root, e.g. …/os/ or …/current/images/)");
    }

    private static TreeLayout fromTreeInfo(TreeInfo info, URI root, Platform platform) throws ImageException {
        String arch = RPM_ARCH.getOrDefault(platform.architecture(), platform.architecture());
        TreeInfo.Images images = info.images(arch).orElseThrow(() -> new TreeFormatException(root + ".treeinfo has no"
                + " kernel and initrd for " + arch + " (" + platform + "); it has images for: " + info.platforms()));
        return new TreeLayout(".treeinfo [" + images.section() + "]", images.kernel(), info.sha256(images.kernel()),
                images.initrd(), info.sha256(images.initrd()), root);
    }
}
