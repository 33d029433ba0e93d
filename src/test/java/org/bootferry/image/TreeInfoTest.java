package org.bootferry.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bootferry.testing.Tools;
import org.junit.jupiter.api.Test;

/**
 * {@code .treeinfo} and {@code SHA256SUMS} as distributions publish them (fixtures under
 * src/test/resources/org/bootferry/image/trees/): Fedora 42's productmd 1.2 treeinfo for the x86_64
 * and aarch64 Everything trees and CentOS 6's pre-productmd one, section for section and key for key
 * as those releases publish them, and the SHA256SUMS beside Debian 12's installer images in
 * sha256sum's format. Their digests are made up: only their form matters here (InstallTreeTest
 * serves real files with their real checksums).
 */
class TreeInfoTest {

    private static String fixture(String name) throws IOException {
        try (InputStream in = TreeInfoTest.class.getResourceAsStream("trees/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void fedoraTreeNamesPxebootKernelAndInitrdWithTheirChecksums() throws Exception {
        TreeInfo info = TreeInfo.parse(fixture("fedora-42-everything-x86_64.treeinfo"), "fedora");
        assertThat(info.arch()).contains("x86_64");
        assertThat(info.images("x86_64")).contains(new TreeInfo.Images("images-x86_64", "images/pxeboot/vmlinuz",
                "images/pxeboot/initrd.img"));
        assertThat(info.sha256("images/pxeboot/vmlinuz")).contains(
                new Digest("e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3"));
        assertThat(info.sha256("images/pxeboot/initrd.img")).contains(
                new Digest("5b2f0c1d9e8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c"));
        assertThat(info.sha256("images/pxeboot/upgrade.img")).isEmpty();
    }

    @Test
    void anX86TreeHasNothingForArm64AndSaysWhatItHas() throws Exception {
        TreeInfo info = TreeInfo.parse(fixture("fedora-42-everything-x86_64.treeinfo"), "fedora");
        assertThat(info.images("aarch64")).isEmpty();
        assertThat(info.platforms()).isEqualTo("x86_64, xen");
    }

    @Test
    void anAarch64TreeNamesItsOwnImages() throws Exception {
        TreeInfo info = TreeInfo.parse(fixture("fedora-42-everything-aarch64.treeinfo"), "fedora-aarch64");
        assertThat(info.images("aarch64")).map(TreeInfo.Images::kernel).contains("images/pxeboot/vmlinuz");
        assertThat(info.images("x86_64")).isEmpty();
    }

    @Test
    void preProductmdTreeIsReadFromItsGeneralSection() throws Exception {
        TreeInfo info = TreeInfo.parse(fixture("centos-6-x86_64.treeinfo"), "centos");
        assertThat(info.arch()).contains("x86_64");
        assertThat(info.images("x86_64")).map(TreeInfo.Images::initrd).contains("images/pxeboot/initrd.img");
        assertThat(info.sha256("images/pxeboot/vmlinuz")).isPresent();
    }

    @Test
    void aTreeWithOnlyXenImagesGivesThemForItsOwnArch() throws Exception {
        TreeInfo info = TreeInfo.parse("""
                [general]
                arch = x86_64
                [images-xen]
                kernel = images/xen/vmlinuz
                initrd = images/xen/initrd.img
                """, "xen-only");
        assertThat(info.images("x86_64")).contains(new TreeInfo.Images("images-xen", "images/xen/vmlinuz",
                "images/xen/initrd.img"));
        assertThat(info.images("aarch64")).isEmpty();
    }

    @Test
    void configparserSyntaxCommentsColonsAndContinuations() throws Exception {
        TreeInfo info = TreeInfo.parse("""
                # comment
                [tree]
                arch: x86_64
                platforms = x86_64,
                    xen
                ; another comment
                """, "syntax");
        assertThat(info.arch()).contains("x86_64");
        assertThat(info.sections().get("tree").get("platforms")).isEqualTo("x86_64,\nxen");
    }

    @Test
    void badFilesAreRefusedNamingTheLine() {
        assertThatThrownBy(() -> TreeInfo.parse("<html>404</html>\n", "http://m/os/.treeinfo"))
                .isInstanceOf(TreeFormatException.class)
                .hasMessage("http://m/os/.treeinfo:1: '<html>404</html>' is not 'key = value'");
        assertThatThrownBy(() -> TreeInfo.parse("[tree\narch = x\n", "t")).hasMessage("t:1: section header '[tree'"
                + " is not [name]");
        assertThatThrownBy(() -> TreeInfo.parse("arch = x86_64\n", "t")).hasMessage("t:1: 'key = value' before any"
                + " [section]");
        assertThatThrownBy(() -> TreeInfo.parse("[stage2]\nmainimage = images/install.img\n", "t"))
                .hasMessage("t: neither a [tree] nor a [general] section: not a .treeinfo");
    }

    @Test
    void aChecksumInAnotherAlgorithmIsAnErrorNotASilentPass() throws Exception {
        TreeInfo info = TreeInfo.parse("""
                [tree]
                arch = x86_64
                [checksums]
                images/pxeboot/vmlinuz = md5:0123456789abcdef0123456789abcdef
                """, "md5");
        assertThatThrownBy(() -> info.sha256("images/pxeboot/vmlinuz")).isInstanceOf(TreeFormatException.class)
                .hasMessageContaining("not sha256:<64 hex digits>");
    }

    @Test
    void debianSha256sumsListsNetbootFilesRelativeToImages() throws Exception {
        ChecksumList sums = ChecksumList.parse(fixture("debian-12-SHA256SUMS"), "SHA256SUMS");
        assertThat(sums.sha256("netboot/debian-installer/amd64/linux")).contains(
                new Digest("788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69"));
        assertThat(sums.sha256("./netboot/debian-installer/amd64/initrd.gz")).isPresent();
        assertThat(sums.sha256("netboot/debian-installer/arm64/linux")).isEmpty();
    }

    /** The checksum file sha256sum itself writes, over the package's real netboot files, reads back the same. */
    @Test
    void sha256sumsOutputOfRealFilesReadsBack() throws Exception {
        Path dir = Path.of("/usr/lib/debian-installer/images/12/amd64/text");
        Tools.requireFile(dir.resolve("debian-installer/amd64/linux"), "debian-installer-12-netboot-amd64");
        Process p = new ProcessBuilder(Tools.require("sha256sum", "coreutils").toString(),
                "./debian-installer/amd64/linux", "./pxelinux.0").directory(dir.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isZero();
        ChecksumList sums = ChecksumList.parse(out, "sha256sum");
        assertThat(sums.sha256("debian-installer/amd64/linux")).contains(
                Digest.of(Files.readAllBytes(dir.resolve("debian-installer/amd64/linux"))));
        assertThat(sums.sums()).hasSize(2);
    }

    @Test
    void aLineThatIsNotSha256sumsIsRefused() {
        assertThatThrownBy(() -> ChecksumList.parse("d41d8cd98f00b204e9800998ecf8427e  ./x\n", "MD5SUMS"))
                .isInstanceOf(TreeFormatException.class).hasMessageStartingWith("MD5SUMS:1: ");
    }
}
