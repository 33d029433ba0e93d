package org.bootferry.boot;

import java.util.List;
import org.bootferry.machine.Firmware;

/**
 * A {@link BootPlan} for loaders that fetch over TFTP only — pxelinux and GRUB — as their config
 * files; {@link BootUrls} names these files and the kernel and initrds they load.
 */
public final class LoaderConfig {

    /** The architectures a GRUB config has a section for, with GRUB's name of each ({@code $grub_cpu}). */
    public static final List<Firmware> GRUB_FIRMWARE = List.of(Firmware.EFI_X64, Firmware.EFI_ARM64);

    private LoaderConfig() {
    }

    /**
     * pxelinux's config: one label that boots the plan (initrds in {@code initrd=} on the APPEND
     * line, which every syslinux version reads), or the local disk once the machine is installed.
     */
    public static String pxelinux(BootPlan plan) {
        StringBuilder cfg = header(plan);
        if (plan.localBoot()) {
            return cfg.append("DEFAULT local\nPROMPT 0\nLABEL local\n  LOCALBOOT 0\n").toString();
        }
        cfg.append("DEFAULT bootferry\nPROMPT 0\nLABEL bootferry\n  KERNEL ").append(kernelName(plan)).append('\n');
        StringBuilder append = new StringBuilder();
        if (!plan.initrds().isEmpty()) {
            append.append("initrd=");
            for (int i = 0; i < plan.initrds().size(); i++) {
                append.append(i == 0 ? "" : ",").append(initrdName(plan, i));
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
     * @param plans the machine's plans for the firmware of {@link #GRUB_FIRMWARE} that could be planned
     */
    public static String grub(List<BootPlan> plans) {
        StringBuilder cfg = header(plans.get(0));
        if (plans.get(0).localBoot()) {
            return cfg.append("echo 'Installed already (bootOnce): booting from local disk'\nexit\n").toString();
        }
        for (BootPlan plan : plans) {
            cfg.append("if [ \"$grub_cpu\" = \"").append(grubCpu(plan.machine().firmware())).append("\" ]; then\n");
            cfg.append("  linux ").append(quote(kernelName(plan)));
            for (String word : oneLine(plan.cmdline()).split(" ")) {
                if (!word.isEmpty()) {
                    cfg.append(' ').append(quote(word));
                }
            }
            cfg.append('\n');
            if (!plan.initrds().isEmpty()) {
                cfg.append("  initrd");
                for (int i = 0; i < plan.initrds().size(); i++) {
                    cfg.append(' ').append(quote(initrdName(plan, i)));
                }
                cfg.append('\n');
            }
            cfg.append("  boot\nfi\n");
        }
        return cfg.append("echo 'bootferry has no kernel for this architecture:' \"$grub_cpu\"\n").toString();
    }

    private static String kernelName(BootPlan plan) {
        return BootUrls.tftpKernel(plan.machine());
    }

    private static String initrdName(BootPlan plan, int index) {
        return BootUrls.tftpInitrd(plan.machine(), index);
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
