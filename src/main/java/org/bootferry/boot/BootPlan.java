package org.bootferry.boot;

import java.net.InetAddress;
import java.net.URI;
import java.util.List;
import org.bootferry.machine.Firmware;
import org.bootferry.machine.Machine;

/**
 * The one answer to "what does this machine boot?", from which every protocol renders its reply.
 *
 * @param machine    who asked
 * @param hostname   the machine's host name (the machine file's, or its MAC dashed)
 * @param nextServer the address DHCP gives as siaddr / next-server (TFTP and HTTP live there)
 * @param serverUrl  base URL of our HTTP server as this machine reaches it, e.g. {@code http://10.0.0.1:8080}
 * @param bootFile   what DHCP names as the boot file: a TFTP path in tftproot ({@code ipxe.efi}) or,
 *                   for iPXE and UEFI HTTP Boot, an {@code http://} URL
 * @param kernel     the kernel
 * @param initrds    the initrds, in order
 * @param cmdline    the rendered kernel command line (without iPXE's {@code initrd=} additions)
 * @param localBoot  true when the machine installed already ({@code bootOnce}): boot from its own disk
 */
public record BootPlan(
        Machine machine,
        String hostname,
        InetAddress nextServer,
        URI serverUrl,
        String bootFile,
        BootFile kernel,
        List<BootFile> initrds,
        String cmdline,
        boolean localBoot) {

    public BootPlan {
        initrds = List.copyOf(initrds);
    }

    /** URL of the iPXE script for this machine. */
    public URI scriptUrl() {
        return scriptUrl(serverUrl, machine);
    }

    /**
     * The script URL names every firmware but BIOS: the script must know UEFI from BIOS (an installed
     * bootOnce machine leaves with {@code exit} under UEFI, {@code sanboot} under BIOS).
     */
    static URI scriptUrl(URI serverUrl, Machine machine) {
        String firmware = machine.firmware() == Firmware.BIOS ? "" : "&firmware=" + machine.firmware().id();
        return serverUrl.resolve("/boot.ipxe?mac=" + machine.mac() + firmware);
    }

    /** URL of the kernel over HTTP. */
    public URI kernelUrl() {
        return serverUrl.resolve("/boot/" + machine.mac().dashed() + "/kernel" + firmwareQuery(machine.firmware()));
    }

    /** URL of initrd number {@code index}: the first is {@code /initrd}, later ones {@code /initrd/N}. */
    public URI initrdUrl(int index) {
        String base = "/boot/" + machine.mac().dashed() + "/initrd";
        return serverUrl.resolve((index == 0 ? base : base + "/" + index) + firmwareQuery(machine.firmware()));
    }

    /**
     * {@code firmware=<id>} for URLs of machines that are not x86-64, which HTTP assumes when a URL
     * doesn't say: a kernel out of a multi-arch image must be the machine's architecture, and only
     * DHCP saw it (option 93).
     */
    private static String firmwareQuery(Firmware firmware) {
        return firmware.arch() == Firmware.Arch.X86_64 ? "" : "?firmware=" + firmware.id();
    }

    /** Base URL of the machine's install files ({@code files:}), ending in a slash: cloud-init's NoCloud seed. */
    public URI filesUrl() {
        return serverUrl.resolve("/files/" + machine.mac().dashed() + "/");
    }

    /** URL of the rendered kickstart. */
    public URI kickstartUrl() {
        return serverUrl.resolve("/ks/" + machine.mac().dashed());
    }
}
