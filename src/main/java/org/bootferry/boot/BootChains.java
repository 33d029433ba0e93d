package org.bootferry.boot;

import java.util.Optional;
import java.util.function.Function;
import org.bootferry.lang.AddressText;
import org.bootferry.loader.LoaderImage;
import org.bootferry.machine.Firmware;

/**
 * Which chain of loaders a machine of one firmware goes through, and whether that chain runs with
 * UEFI Secure Boot on (Microsoft's keys in db, as on servers sold today): the part of
 * {@code explain} that reads the loader files. What it says of Debian's signed shim and GRUB was
 * measured under QEMU with OVMF's Secure Boot build ({@code StockInstallerEndToEndTest}) and read in
 * their source; README.md, "Secure Boot", has the citations.
 */
final class BootChains {

    /** shim's default second stage, fetched from the directory shim was loaded from (shim.h DEFAULT_LOADER). */
    static final String SHIM_SECOND_STAGE = "grubx64.efi";

    private BootChains() {
    }

    /**
     * @param plan   the machine's plan for {@code plan.machine().firmware()}
     * @param loader the machine's loader for that firmware: its own {@code loaders:}, else {@code server.yaml}'s
     * @param images what a loader file is, by its TFTP name; empty when it can't be read
     * @param dhcpServer whether bootferry is the network's DHCP server ({@code dhcp: {mode: server}}),
     *                   whose ACK then names it as next-server
     */
    static Explanation.Chain of(BootPlan plan, String loader, Function<String, Optional<LoaderImage>> images,
            boolean dhcpServer) {
        Firmware firmware = plan.machine().firmware();
        String by = firmware.httpBoot() ? "HTTP" : "TFTP";
        String start = firmware == Firmware.BIOS ? "PXE ROM" : firmware.httpBoot() ? "UEFI HTTP Boot" : "UEFI PXE";
        Optional<LoaderImage> image = images.apply(loader);
        if (image.isEmpty()) {
            return new Explanation.Chain(start + " → " + loader + " (" + by + ")",
                    "unknown: " + loader + " is not there to read");
        }
        LoaderImage li = image.get();
        return switch (li.kind()) {
            case IPXE -> new Explanation.Chain(start + " → iPXE " + loader + " (" + by + ") → script "
                    + plan.scriptUrl() + " → kernel, initrds (HTTP)",
                    secureBoot(firmware, li, loader));
            case SHIM -> shim(plan, loader, li, start, by, images, dhcpServer);
            case GRUB -> new Explanation.Chain(start + " → GRUB " + loader + " (" + by + ") → " + grubConfig(plan, li),
                    secureBoot(firmware, li, loader));
            case OTHER -> new Explanation.Chain(start + " → " + loader + " (" + by + ")", secureBoot(firmware, li, loader));
        };
    }

    /**
     * What GRUB reads for the machine: the config bootferry renders from its plan, or for a machine
     * without a kernel of its own the tftproot's, where GRUB goes on to {@code grub.cfg} when there is
     * no per-machine file (the rule of {@link Plans}, which {@code loaderConfigs} states).
     */
    private static String grubConfig(BootPlan plan, LoaderImage grub) {
        String prefix = grub.grubPrefix().map(p -> p + "/").orElse("$prefix/");
        String own = prefix + "grub.cfg-01-" + plan.machine().mac().dashed();
        return plan.ownBoot() ? own + " → kernel, initrds (TFTP)"
                : own + " (the tftproot's) or " + prefix + "grub.cfg → its own menu";
    }

    /** The verdict for a loader the firmware itself runs. */
    private static String secureBoot(Firmware firmware, LoaderImage image, String loader) {
        if (firmware == Firmware.BIOS) {
            return "not applicable (BIOS)";
        }
        if (!image.efi()) {
            return "refused: " + loader + " is not an EFI image";
        }
        if (!image.signed()) {
            return "refused: " + loader + " is not signed, and firmware with Secure Boot on runs only signed images";
        }
        if (!image.microsoftCa()) {
            return "refused unless its signer's key is in the firmware's db: " + loader
                    + " is not signed by Microsoft's UEFI CA" + (image.kind() == LoaderImage.Kind.GRUB
                    ? " (a distribution's GRUB runs under Secure Boot when its shim loads it)" : "");
        }
        return "runs (signed by Microsoft's UEFI CA)";
    }

    /**
     * shim fetches {@value #SHIM_SECOND_STAGE} from where it came from (rhboot/shim netboot.c
     * parseDhcp4: the ProxyDHCP offer's siaddr and file when the DHCP ACK names no file; httpboot.c:
     * the directory of its own URL). What happens next depends on that GRUB.
     */
    private static Explanation.Chain shim(BootPlan plan, String loader, LoaderImage shim, String start, String by,
            Function<String, Optional<LoaderImage>> images, boolean dhcpServer) {
        Firmware firmware = plan.machine().firmware();
        int slash = loader.lastIndexOf('/');
        String beside = (slash < 0 ? "" : loader.substring(0, slash + 1)) + SHIM_SECOND_STAGE;
        Optional<LoaderImage> grub = images.apply(beside);
        String stages = start + " → shim " + loader + " (" + by + ") → " + beside + " (" + by + ") → GRUB → "
                + grub.flatMap(LoaderImage::grubPrefix).map(p -> p + "/grub.cfg").orElse("$prefix/grub.cfg");
        String verdict = secureBoot(firmware, shim, loader);
        if (!verdict.startsWith("runs")) {
            return new Explanation.Chain(stages, verdict);
        }
        if (grub.isEmpty()) {
            return new Explanation.Chain(stages, "stops in shim: there is no " + beside + " beside it");
        }
        if (!grub.get().debianGrub()) {
            return new Explanation.Chain(stages, "not measured: shim runs, then " + beside + " ("
                    + grub.get().vendor().orElse("unknown build") + "); GRUB 2.06 as released takes its server from"
                    + " the DHCP ACK, not from a ProxyDHCP offer (see README, Secure Boot)");
        }
        if (firmware.httpBoot()) {
            // grub-core/net/drivers/efi/efinet.c grub_efinet_create_dhcp_ack_from_device_path and
            // bootp.c grub_net_configure_by_dhcp_ack (Debian's bootp-process-dhcpack-http-boot.patch):
            // root becomes (http,SERVER) from the URI device path; the signed image has no http module.
            return new Explanation.Chain(stages, "stops in GRUB: under HTTP Boot its root is (http,"
                    + AddressText.of(plan.nextServer()) + "), and Debian's signed GRUB has no http module (nor may it"
                    + " load one under Secure Boot): boot Secure Boot machines by PXE");
        }
        // efinet.c grub_efi_net_config_real reads the PXE mode's DhcpAck only, never ProxyOffer or
        // PxeReply; bootp.c grub_net_configure_by_dhcp_ack makes its siaddr the root (tftp,SIADDR).
        String boots = plan.ownBoot() ? " (put config/examples/debian-installer-grub.cfg in place of its grub.cfg)"
                : " its tree's menu";
        if (dhcpServer) {
            // Measured: DhcpServerEndToEndTest boots Debian's installer this way under Secure Boot.
            return new Explanation.Chain(stages, "runs: bootferry's own DHCP ACK names " + AddressText.of(plan.nextServer()) + " as next-server (siaddr), where Debian's signed GRUB reads its config; it boots"
                    + boots);
        }
        return new Explanation.Chain(stages, "stops in GRUB, unless the site DHCP server names "
                + AddressText.of(plan.nextServer()) + " as next-server: Debian's signed GRUB takes its TFTP server"
                + " from the DHCP ACK (siaddr), never from this ProxyDHCP offer; with that next-server it boots" + boots
                + ", or make bootferry the network's DHCP server (DHCP server mode)");
    }
}
