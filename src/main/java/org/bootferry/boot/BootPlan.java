package org.bootferry.boot;

import java.net.InetAddress;
import java.net.URI;
import java.util.List;
import java.util.Optional;
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
 * @param kernel     the machine's own kernel; empty when its file names none: it then boots its loader
 *                   and that loader's own menu from the tftproot (see {@link #ownBoot()})
 * @param initrds    the initrds, in order (none without a kernel)
 * @param cmdline    the rendered kernel command line (without iPXE's {@code initrd=} additions)
 * @param localBoot  true when the machine installed already ({@code bootOnce}): boot from its own disk
 */
public record BootPlan(
        Machine machine,
        String hostname,
        InetAddress nextServer,
        URI serverUrl,
        String bootFile,
        Optional<BootFile> kernel,
        List<BootFile> initrds,
        String cmdline,
        boolean localBoot,
        Optional<Capability> capability) {

    public BootPlan {
        initrds = List.copyOf(initrds);
    }

    /**
     * Whether bootferry boots this machine itself: its kernel, or its local disk once a
     * {@code bootOnce} install is done. Then its iPXE gets the script and its pxelinux and GRUB get
     * configs rendered from this plan. When false the machine boots its loader, which reads the
     * tftproot's own configs (a stock tree's {@code pxelinux.cfg/default}, {@code grub.cfg}).
     */
    public boolean ownBoot() {
        return kernel.isPresent() || localBoot;
    }

    /**
     * The boot file as DHCPv6 option 59 names it: {@link #bootFile()} as a URL on {@link #nextServer()}
     * ({@link BootUrls#bootFileUrl}). A plan for DHCPv6 is asked for with the IPv6 address machines
     * reach us at as {@link Machine#server()} ({@code advertise6}), so that its URLs name it too.
     */
    public String bootFileUrl() {
        return BootUrls.bootFileUrl(nextServer, bootFile);
    }

    /** URL of the iPXE script for this machine. */
    public URI scriptUrl() {
        return BootUrls.script(serverUrl, machine, capability);
    }

    /** URL of the kernel over HTTP, with the capability when the kernel is {@link BootFile#isPrivate() private}. */
    public URI kernelUrl() {
        return BootUrls.kernel(serverUrl, machine, capabilityFor(kernel));
    }

    /** URL of initrd number {@code index} over HTTP, with the capability when it is private. */
    public URI initrdUrl(int index) {
        return BootUrls.initrd(serverUrl, machine, index,
                capabilityFor(index < initrds.size() ? Optional.of(initrds.get(index)) : Optional.empty()));
    }

    /** Base URL of the machine's install files ({@code files:}), ending in a slash: cloud-init's NoCloud seed. */
    public URI filesUrl() {
        return BootUrls.files(serverUrl, machine.mac(), capability);
    }

    /** URL of the rendered kickstart. */
    public URI kickstartUrl() {
        return BootUrls.kickstart(serverUrl, machine.mac(), capability);
    }

    /** URL an installer posts to when the install is done. */
    public URI doneUrl() {
        return BootUrls.done(serverUrl, machine.mac(), capability);
    }

    /** A file's URL carries the capability when the file is private, or when there is none yet (a template's {@code kernelUrl}). */
    private Optional<Capability> capabilityFor(Optional<BootFile> file) {
        return file.isEmpty() || file.get().isPrivate() ? capability : Optional.empty();
    }
}
