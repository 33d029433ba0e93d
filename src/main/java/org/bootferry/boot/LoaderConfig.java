package org.bootferry.boot;

import java.net.URI;
import java.util.List;
import org.bootferry.machine.Firmware;

/**
 * A {@link BootPlan} for stock loaders — pxelinux and GRUB — as their per-machine config files;
 * {@link BootUrls} names these files and the kernel and initrds they load. A config names its files
 * the way it was itself fetched, and absolutely, so that they load whatever directory the loader
 * lives in: over TFTP pxelinux's {@code ::/M/kernel} and GRUB's {@code /M/kernel} (GRUB's
 * {@code $root} is the server its config came from); over HTTP pxelinux's full URL (pxelinux.0 hands
 * it to the iPXE that loaded it, lpxelinux.0 fetches it itself) and GRUB's {@code /boot/M/kernel} on
 * its {@code (http,…)} root.
 */
public final class LoaderConfig {

    /** The stock loaders bootferry writes configs for. */
    public enum Kind {
        /** syslinux's network loaders (pxelinux.0, lpxelinux.0, syslinux.efi) and their pxelinux.cfg/. */
        PXELINUX,
        /** GRUB 2's network images and their grub.cfg-01-M. */
        GRUB
    }

    /** The architectures a GRUB config has a section for, with GRUB's name of each ({@code $grub_cpu}). */
    public static final List<Firmware> GRUB_FIRMWARE = List.of(Firmware.EFI_X64, Firmware.EFI_ARM64);

    private LoaderConfig() {
    }

    /**
     * pxelinux's config: one label that boots the plan (initrds in {@code initrd=} on the APPEND
     * line, which every syslinux version reads), or the local disk once the machine is installed.
     *
     * @param plan a plan of the machine's own ({@link BootPlan#ownBoot()})
     */
    public static String pxelinux(BootPlan plan, BootUrls.Protocol protocol) {
        StringBuilder cfg = header(plan);
        if (plan.localBoot()) {
            return cfg.append("DEFAULT local\nPROMPT 0\nLABEL local\n  LOCALBOOT 0\n").toString();
        }
        cfg.append("DEFAULT bootferry\nPROMPT 0\nLABEL bootferry\n  KERNEL ").append(pxelinuxName(plan, -1, protocol))
                .append('\n');
        StringBuilder append = new StringBuilder();
        if (!plan.initrds().isEmpty()) {
            append.append("initrd=");
            for (int i = 0; i < plan.initrds().size(); i++) {
                append.append(i == 0 ? "" : ",").append(pxelinuxName(plan, i, protocol));
            }
        }
        if (!oneLine(plan.cmdline()).isEmpty()) {
            append.append(append.length() == 0 ? "" : " ").append(oneLine(plan.cmdline()));
        }
        if (append.length() > 0) {
            cfg.append("  APPEND ").append(append).append('\n');
        }
        return cfg.toString();
    }

    /**
     * GRUB's config: a section per architecture, chosen by {@code $grub_cpu} at boot, because the
     * kernel out of a multi-arch image depends on it and the TFTP request did not say. Every word
     * is single-quoted so that GRUB expands no variable or wildcard in a command line.
     *
     * @param plans the machine's own plans ({@link BootPlan#ownBoot()}) for the firmware of
     *              {@link #GRUB_FIRMWARE} that could be planned
     */
    public static String grub(List<BootPlan> plans, BootUrls.Protocol protocol) {
        StringBuilder cfg = header(plans.get(0));
        if (plans.get(0).localBoot()) {
            return cfg.append("echo 'Installed already (bootOnce): booting from local disk'\nexit\n").toString();
        }
        for (BootPlan plan : plans) {
            cfg.append("if [ \"$grub_cpu\" = \"").append(grubCpu(plan.machine().firmware())).append("\" ]; then\n");
            cfg.append("  linux ").append(quote(grubName(plan, -1, protocol)));
            for (String word : oneLine(plan.cmdline()).split(" ")) {
                if (!word.isEmpty()) {
                    cfg.append(' ').append(quote(word));
                }
            }
            cfg.append('\n');
            if (!plan.initrds().isEmpty()) {
                cfg.append("  initrd");
                for (int i = 0; i < plan.initrds().size(); i++) {
                    cfg.append(' ').append(quote(grubName(plan, i, protocol)));
                }
                cfg.append('\n');
            }
            cfg.append("  boot\nfi\n");
        }
        return cfg.append("echo 'bootferry has no kernel for this architecture:' \"$grub_cpu\"\n").toString();
    }

    /**
     * The kernel ({@code index} -1) or an initrd as pxelinux names it: a URL, or a TFTP name after
     * {@code ::}, which pxelinux takes from the root of its server instead of its own directory
     * (syslinux {@code core/fs/pxe/urlparse.c}: a {@code ::} name is {@code URL_OLD_TFTP}; any other
     * name without a scheme is prefixed with the loader's directory).
     */
    private static String pxelinuxName(BootPlan plan, int index, BootUrls.Protocol protocol) {
        return switch (protocol) {
            case TFTP -> "::" + tftpName(plan, index);
            case HTTP -> (index < 0 ? plan.kernelUrl() : plan.initrdUrl(index)).toString();
        };
    }

    /** The kernel ({@code index} -1) or an initrd as GRUB names it: absolute on the device it read its config from. */
    private static String grubName(BootPlan plan, int index, BootUrls.Protocol protocol) {
        return switch (protocol) {
            case TFTP -> tftpName(plan, index);
            case HTTP -> {
                URI url = index < 0 ? plan.kernelUrl() : plan.initrdUrl(index);
                yield url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
            }
        };
    }

    private static String tftpName(BootPlan plan, int index) {
        return index < 0 ? BootUrls.tftpKernel(plan.machine()) : BootUrls.tftpInitrd(plan.machine(), index);
    }

    private static String grubCpu(Firmware firmware) {
        switch (firmware.arch()) {
            case X86_64: return "x86_64";
            case X86: return "i386";
            case ARM64: return "arm64";
            default: return "arm";
        }
    }

    private static StringBuilder header(BootPlan plan) {
        return new StringBuilder("# bootferry: ").append(oneLine(plan.hostname()))
                .append(" (").append(plan.machine().mac()).append(")\n");
    }

    /** A kernel command line is one line; a line break would start a directive of its own. */
    private static String oneLine(String s) {
        return s.replace('\r', ' ').replace('\n', ' ').strip();
    }

    private static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
