package org.bootferry.boot;

import java.util.List;
import org.bootferry.machine.Firmware;

/**
 * The iPXE script served at {@code /boot.ipxe?mac=…}: a {@link BootPlan} rendered.
 *
 * @param text      the script
 * @param localBoot whether it boots the local disk ({@link BootPlan#localBoot()}) rather than a kernel
 */
public record IpxeScript(String text, boolean localBoot) {

    /** @param plan a plan for an iPXE client ({@link org.bootferry.machine.Machine#ipxe()}) */
    public static IpxeScript of(BootPlan plan) {
        return new IpxeScript(render(plan), plan.localBoot());
    }

    /** @param plan a plan for an iPXE client ({@link org.bootferry.machine.Machine#ipxe()}) */
    public static String render(BootPlan plan) {
        StringBuilder script = new StringBuilder("#!ipxe\n");
        script.append("# bootferry: ").append(plan.hostname()).append(" (").append(plan.machine().mac()).append(")\n");
        if (plan.localBoot()) {
            return script.append(localBoot(plan.machine().firmware())).toString();
        }
        if (plan.kernel().isEmpty()) {
            // A machine without a kernel boots its loader's own menu; an iPXE that asks for a script
            // anyway (an old script chaining here) is sent to the loader DHCP would have named.
            return script.append("chain ").append(plan.bootFile()).append('\n').toString();
        }
        List<BootFile> initrds = plan.initrds();
        StringBuilder kernel = new StringBuilder("kernel ").append(plan.kernelUrl());
        // iPXE's EFI loader (Debian's 2019 build) hands the kernel only the initrds named by
        // initrd=<name> on its command line; BIOS iPXE ignores them, so always name them.
        for (int i = 0; i < initrds.size(); i++) {
            kernel.append(" initrd=").append(initrdName(i));
        }
        if (!plan.cmdline().isEmpty()) {
            kernel.append(' ').append(plan.cmdline());
        }
        script.append(kernel).append('\n');
        for (int i = 0; i < initrds.size(); i++) {
            script.append("initrd --name ").append(initrdName(i)).append(' ').append(plan.initrdUrl(i)).append('\n');
        }
        script.append("boot\n");
        return script.toString();
    }

    /**
     * Installed already: hand back to the firmware's next boot device. Under UEFI {@code exit}
     * returns to the boot manager; a BIOS ROM may not try the next device after iPXE returns, so
     * BIOS boots the first disk directly.
     */
    private static String localBoot(Firmware firmware) {
        String boot = firmware.uefi() ? "exit\n" : "sanboot --no-describe --drive 0x80\n";
        return "echo Installed already (bootOnce): booting from local disk\n" + boot;
    }

    private static String initrdName(int index) {
        return index == 0 ? "initrd" : "initrd" + index;
    }
}
