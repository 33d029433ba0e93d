package org.bootferry.loader;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.bootferry.testing.Tools;
import org.junit.jupiter.api.Test;

/** What real loaders are, read from the files Debian ships: the ones admins put in a tftproot. */
class LoaderImageTest {

    private static final Path NETBOOT = Path.of("/usr/lib/debian-installer/images/12/amd64/text/debian-installer/amd64");

    @Test
    void debiansShimIsSignedByMicrosoftsUefiCa() throws IOException {
        LoaderImage shim = read(netboot("bootnetx64.efi"));

        assertThat(shim.kind()).isEqualTo(LoaderImage.Kind.SHIM);
        assertThat(shim.efi()).isTrue();
        assertThat(shim.signed()).isTrue();
        assertThat(shim.microsoftCa()).isTrue();
        assertThat(shim.vendor()).contains("shim.debian");
        assertThat(shim.grubPrefix()).isEmpty();
    }

    @Test
    void debiansNetbootGrubIsSignedByDebianAndNamesItsPrefix() throws IOException {
        LoaderImage grub = read(netboot("grubx64.efi"));

        assertThat(grub.kind()).isEqualTo(LoaderImage.Kind.GRUB);
        assertThat(grub.debianGrub()).isTrue();
        assertThat(grub.signed()).as("signed by Debian's key, for shim to check").isTrue();
        assertThat(grub.microsoftCa()).as("firmware with Microsoft's keys alone would refuse it").isFalse();
        assertThat(grub.grubPrefix()).contains("/debian-installer/amd64/grub");
    }

    @Test
    void debiansIpxeEfiIsNotSigned() throws IOException {
        LoaderImage ipxe = read(Tools.requireFile(Path.of("/usr/lib/ipxe/ipxe.efi"), "ipxe"));

        assertThat(ipxe.kind()).isEqualTo(LoaderImage.Kind.IPXE);
        assertThat(ipxe.efi()).isTrue();
        assertThat(ipxe.signed()).isFalse();
        assertThat(ipxe.sbat()).isEmpty();
    }

    @Test
    void biosLoadersAreNoEfiImages() throws IOException {
        assertThat(read(Tools.requireFile(Path.of("/usr/lib/ipxe/undionly.kpxe"), "ipxe")))
                .as("undionly.kpxe is compressed: no text names iPXE")
                .isEqualTo(new LoaderImage(LoaderImage.Kind.OTHER, false, false, false, List.of(), Optional.empty()));
        assertThat(read(netboot("pxelinux.0")).kind()).isEqualTo(LoaderImage.Kind.OTHER);
        assertThat(read(netboot("pxelinux.0")).efi()).isFalse();
    }

    @Test
    void aCutOrCorruptedImageIsReadWithoutFailing() throws IOException {
        byte[] shim = Files.readAllBytes(netboot("bootnetx64.efi"));
        for (int length : new int[] {0, 2, 0x3f, 0x40, 0x100, 0x400, shim.length / 2, shim.length - 1}) {
            LoaderImage cut = LoaderImage.of(Arrays.copyOf(shim, length));
            assertThat(cut.signed()).as("cut to %d bytes: the signature is at the end", length).isFalse();
        }
        byte[] garbage = shim.clone();
        for (int i = 0x3c; i < 0x400; i++) {
            garbage[i] = (byte) 0xFF;
        }
        assertThat(LoaderImage.of(garbage).efi()).as("an MZ file whose PE header offset points nowhere").isFalse();
    }

    private static Path netboot(String name) {
        return Tools.requireFile(NETBOOT.resolve(name), "debian-installer-12-netboot-amd64");
    }

    private static LoaderImage read(Path file) throws IOException {
        return LoaderImage.of(Files.readAllBytes(file));
    }
}
