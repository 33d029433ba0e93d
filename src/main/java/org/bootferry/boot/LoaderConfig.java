package org.bootferry.boot;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bootferry.machine.Firmware;
import org.bootferry.machine.MacAddress;

/**
 * A {@link BootPlan} for loaders that fetch over TFTP only — pxelinux and GRUB — and the TFTP names
 * of the per-machine files: their configs and the kernel and initrds the configs load.
 *
 * <p>TFTP names: {@code pxelinux.cfg/01-52-54-00-12-34-56} (pxelinux asks for it first: ARP type 1,
 * then the MAC), {@code grub/grub.cfg-01-52-54-00-12-34-56} (GRUB's net config, in whatever prefix
 * directory it was built with), {@code 52-54-00-12-34-56/kernel}, {@code …/initrd},
 * {@code …/initrd/1}. TFTP carries no architecture, so a loader that is not x86-64 names its
 * firmware in the path: {@code 52-54-00-12-34-56/efi-arm64/kernel}.
 */
public final class LoaderConfig {

    /** What a per-machine TFTP name asks for. */
    public sealed interface Request {
        MacAddress mac();
    }

    /** pxelinux's config for the machine; pxelinux runs on x86 BIOS. */
    public record Pxelinux(MacAddress mac) implements Request {
    }

    /** GRUB's config for the machine, for every UEFI architecture GRUB may be running on. */
    public record Grub(MacAddress mac) implements Request {
    }

    /** The kernel ({@code initrd} -1) or initrd number {@code initrd}, planned for {@code firmware}. */
    public record File(MacAddress mac, Firmware firmware, int initrd) implements Request {
    }

    /** The architectures a GRUB config has a section for, with GRUB's name of each ({@code $grub_cpu}). */
    public static final List<Firmware> GRUB_FIRMWARE = List.of(Firmware.EFI_X64, Firmware.EFI_ARM64);

    private static final String MAC = "([0-9a-f]{2}(?:-[0-9a-f]{2}){5})";
    private static final Pattern PXELINUX = Pattern.compile("pxelinux\\.cfg/01-" + MAC);
    private static final Pattern GRUB = Pattern.compile("(?:.*/)?grub\\.cfg-01-" + MAC);
    private static final Pattern FILE = Pattern.compile(MAC + "(?:/([a-z0-9-]+))?/(kernel|initrd)(?:/([1-9][0-9]{0,2}))?");

    private LoaderConfig() {
    }

    /** What {@code name} (relative, no leading slash) asks for; empty when it is no per-machine name. */
    public static Optional<Request> parse(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        Matcher m = PXELINUX.matcher(lower);
        if (m.matches()) {
            return Optional.of(new Pxelinux(MacAddress.parse(m.group(1))));
        }
        m = GRUB.matcher(lower);
        if (m.matches()) {
            return Optional.of(new Grub(MacAddress.parse(m.group(1))));
        }
        m = FILE.matcher(lower);
        if (m.matches()) {
            Optional<Firmware> firmware = m.group(2) == null ? Optional.of(Firmware.BIOS) : Firmware.byId(m.group(2));
            if (firmware.isEmpty() || (m.group(3).equals("kernel") && m.group(4) != null)) {
                return Optional.empty();
            }
            int initrd = m.group(3).equals("kernel") ? -1 : m.group(4) == null ? 0 : Integer.parseInt(m.group(4));
            return Optional.of(new File(MacAddress.parse(m.group(1)), firmware.get(), initrd));
        }
        return Optional.empty();
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

    /** Every per-machine name TFTP answers for this plan. */
    static List<String> names(BootPlan plan) {
        List<String> names = new java.util.ArrayList<>(List.of("pxelinux.cfg/01-" + plan.machine().mac().dashed(),
                "grub/grub.cfg-01-" + plan.machine().mac().dashed(), kernelName(plan)));
        for (int i = 0; i < plan.initrds().size(); i++) {
            names.add(initrdName(plan, i));
        }
        return List.copyOf(names);
    }

    /** The kernel's TFTP name as the configs write it: absolute, so it does not depend on the loader's prefix. */
    static String kernelName(BootPlan plan) {
        return base(plan) + "/kernel";
    }

    static String initrdName(BootPlan plan, int index) {
        return base(plan) + (index == 0 ? "/initrd" : "/initrd/" + index);
    }

    private static String base(BootPlan plan) {
        Firmware firmware = plan.machine().firmware();
        return "/" + plan.machine().mac().dashed() + (firmware.arch() == Firmware.Arch.X86_64 ? "" : "/" + firmware.id());
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
