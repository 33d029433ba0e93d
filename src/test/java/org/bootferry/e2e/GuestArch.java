package org.bootferry.e2e;

import java.util.List;

/**
 * The CPU architectures the e2e VMs run, with what differs between them: the Debian architecture
 * their kernel and busybox packages are built for, the serial console the kernel writes to, and the
 * NIC drivers (modules in Debian's kernels) the installer initramfs loads for QEMU's NICs.
 */
public enum GuestArch {
    /** QEMU's pc/q35 machines: the 16550 UART; e1000 (SeaBIOS) and virtio-net (OVMF) NICs. */
    AMD64("amd64", "ttyS0", List.of("e1000", "virtio_pci", "virtio_net")),
    /** QEMU's virt machine: the PL011 UART; virtio-net only. */
    ARM64("arm64", "ttyAMA0", List.of("virtio_pci", "virtio_net"));

    private final String debian;
    private final String console;
    private final List<String> nicDrivers;

    GuestArch(String debian, String console, List<String> nicDrivers) {
        this.debian = debian;
        this.console = console;
        this.nicDrivers = nicDrivers;
    }

    /** Debian's name: {@code amd64}, {@code arm64}. */
    String debian() {
        return debian;
    }

    String console() {
        return console;
    }

    List<String> nicDrivers() {
        return nicDrivers;
    }
}
