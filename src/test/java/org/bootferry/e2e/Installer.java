package org.bootferry.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bootferry.config.MacAddress;
import org.bootferry.e2e.QemuVm.Client;
import org.bootferry.testing.ConfigDir;
import org.bootferry.testing.Processes;

/**
 * What every e2e class starts from: its tools, an emptied work directory, the Debian kernel and the
 * installer initramfs, a config directory with the kickstart template, an empty tftproot (the iPXE
 * loaders come from /usr/lib/ipxe), and a clock for the class's wall time.
 */
record Installer(Path work, BootArtifacts.Kernel kernel, Path initrd, ConfigDir config, Path tftpRoot, long started) {

    static Installer prepare(Path work, Client... clients) throws IOException {
        long started = System.nanoTime();
        BootLab.requireTools();
        for (Client client : clients) {
            QemuVm.requireTools(client);
        }
        Processes.check("rm", "-rf", work.toString());
        Files.createDirectories(work);
        BootArtifacts.Kernel kernel = BootArtifacts.debianKernel();
        Path initrd = BootArtifacts.installerInitramfs(kernel, work.resolve("installer-initrd.gz"));
        ConfigDir config = BootAssertions.withKickstart(new ConfigDir(work.resolve("config")));
        return new Installer(work, kernel, initrd, config, Files.createDirectories(work.resolve("tftproot")), started);
    }

    /** A machine file booting the kernel and initramfs with the kickstart URL and {@code marker} on its cmdline. */
    void machine(MacAddress mac, String hostname, String marker) {
        BootAssertions.installerMachine(config, mac, hostname, marker, kernel.vmlinuz(), initrd);
    }

    /** Starts the lab's namespaces and bootferry on this config and tftproot. */
    BootLab startLab(String prefix) {
        BootLab lab = BootLab.start(work, prefix);
        lab.startBootferry(config.dir(), tftpRoot);
        return lab;
    }

    void printWallTime(String what) {
        System.out.printf("e2e wall time %-28s %5.1f s%n", what, (System.nanoTime() - started) / 1e9);
    }
}
