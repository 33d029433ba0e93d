package org.bootferry.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.bootferry.testing.Processes;
import org.bootferry.testing.Tools;

/**
 * What the test VMs boot: a real Debian kernel and a busybox initramfs that plays the installer, for
 * the VM's architecture. The kernel comes from Debian's {@code linux-image-*-amd64} (or {@code -arm64})
 * package and busybox from {@code busybox-static}, unpacked (never installed) into a cache that
 * survives {@code mvn clean}, together with the NIC driver modules the initramfs loads: Debian builds
 * e1000 and virtio-net as modules, so without them the "installer" has no network. Classes that
 * run at once ({@link org.bootferry.testing.OwnLab}) share the cache: what fills it holds this class's
 * lock.
 */
public final class BootArtifacts {

    /** Printed by /init around what it learns, so tests find it in the serial log. */
    /**
     * What every test kernel's cmdline starts with, for a guest whose kernel messages go to serial port
     * {@code console}: {@code panic=-1}, so that if /init dies the kernel reboots at once and QEMU's
     * -no-reboot ends the boot instead of a long timeout; {@code no_timer_check}, as the x86 kernel's
     * check that the IO-APIC delivers timer interrupts fails when TCG runs the guest slowly on a busy
     * host ("..MP-BIOS bug: 8254 timer not connected to IO-APIC", then a panic: seen with two labs
     * booting at once at a load of 12). arm64 kernels ignore the second.
     */
    static String consoleArgs(String console) {
        return "console=" + console + " panic=-1 no_timer_check";
    }

    static final String CMDLINE_MARK = "BFE-CMDLINE: ";
    static final String KICKSTART_BEGIN = "BFE-KICKSTART-BEGIN";
    static final String KICKSTART_END = "BFE-KICKSTART-END";
    static final String NOCLOUD_BEGIN = "BFE-NOCLOUD-BEGIN";
    static final String NOCLOUD_END = "BFE-NOCLOUD-END";

    private static final String INIT = """
            #!/bin/busybox sh
            # The "installer": report the cmdline, get an address, fetch the kickstart, power off.
            /bin/busybox --install -s
            export PATH=/bin:/sbin:/usr/bin:/usr/sbin
            mount -t proc proc /proc
            mount -t sysfs sysfs /sys
            mount -t devtmpfs devtmpfs /dev 2>/dev/null
            echo "%1$s$(cat /proc/cmdline)"
            # Keep kernel messages (link up, ...) from landing between the lines the test reads.
            echo 1 > /proc/sys/kernel/printk
            for m in $(cat /lib/modules/load-order); do insmod /lib/modules/$m.ko; done
            # udhcpc's first DISCOVER is lost while the NIC's link is still coming up (e1000: ~1 s).
            ip link set eth0 up
            for i in $(seq 50); do [ "$(cat /sys/class/net/eth0/carrier 2>/dev/null)" = 1 ] && break; usleep 100000; done
            if grep -q ' ip=dhcp6' /proc/cmdline; then
                # Booted over IPv6 (bootferry appends ip=dhcp6): the kernel takes its address from the
                # Router Advertisement (SLAAC); wait until a global one has passed DAD. /proc/net/if_inet6:
                # scope 00 is global, flags with 0x40 are tentative.
                for i in $(seq 100); do
                    awk '$6 == "eth0" && $4 == "00" && $5 !~ /^[4-7c-f]/ {found = 1} END {exit !found}' /proc/net/if_inet6 && break
                    usleep 100000
                done
                echo "ipv6: $(awk '$6 == "eth0" && $4 == "00" {print $1 " flags " $5}' /proc/net/if_inet6)"
            else
                udhcpc -i eth0 -s /etc/udhcpc.script -n -q -t 10 -T 2
            fi
            ks=
            seed=
            for arg in $(cat /proc/cmdline); do
                case "$arg" in
                    inst.ks=*) ks="${arg#inst.ks=}" ;;
                    ds=nocloud-net\\;s=*) seed="${arg#ds=nocloud-net;s=}" ;;
                esac
            done
            echo "%2$s $ks"
            wget -q -O - "$ks"
            rc=$?
            echo
            echo "%3$s rc=$rc"
            # cloud-init's NoCloud datasource: the seed's user-data and meta-data, as cloud-init fetches them.
            if [ -n "$seed" ]; then
                echo "%4$s $seed"
                wget -q -O - "${seed}user-data" && echo && wget -q -O - "${seed}meta-data"
                rc=$?
                echo
                echo "%5$s rc=$rc"
            fi
            poweroff -f
            """.formatted(CMDLINE_MARK, KICKSTART_BEGIN, KICKSTART_END, NOCLOUD_BEGIN, NOCLOUD_END);

    /** busybox udhcpc hands the lease to a script; without one it configures nothing. */
    private static final String UDHCPC_SCRIPT = """
            #!/bin/sh
            case "$1" in
                deconfig) ip addr flush dev "$interface"; ip link set "$interface" up ;;
                bound|renew)
                    ip addr flush dev "$interface"
                    ip addr add "$ip/$mask" dev "$interface"
                    for r in $router; do ip route add default via "$r" dev "$interface"; break; done
                    echo "udhcpc: $interface $ip/$mask" ;;
            esac
            """;

    /** A kernel of {@code arch} and the NIC driver modules for it, in the order they must be loaded. */
    public record Kernel(GuestArch arch, Path vmlinuz, List<Path> modules) {
    }

    private BootArtifacts() {
    }

    static Path cacheDir() {
        return Path.of(System.getProperty("user.home"), ".cache", "bootferry-test");
    }

    /** The kernel of Debian's current {@code linux-image-<arch>}, downloaded once and cached. */
    public static synchronized Kernel debianKernel(GuestArch arch) {
        DebianPackages packages = DebianPackages.of(arch);
        // The versioned package the meta package depends on, e.g. linux-image-6.1.0-56-arm64.
        String pkg = packages.dependency("linux-image-" + arch.debian(), "linux-image-");
        Path dir = cacheDir().resolve(pkg);
        Path order = dir.resolve("modules/load-order");
        if (!Files.exists(order)) {
            unpackKernel(packages, arch, pkg, dir);
        }
        try (Stream<Path> vmlinuz = Files.list(dir.resolve("boot"))) {
            Path kernel = vmlinuz.filter(p -> p.getFileName().toString().startsWith("vmlinuz-")).findFirst()
                    .orElseThrow(() -> new AssertionError("no vmlinuz-* in " + dir.resolve("boot")));
            List<Path> modules = Files.readAllLines(order).stream()
                    .map(m -> dir.resolve("modules").resolve(m + ".ko")).toList();
            return new Kernel(arch, kernel, modules);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void unpackKernel(DebianPackages packages, GuestArch arch, String pkg, Path dir) {
        try {
            Path work = Files.createDirectories(cacheDir().resolve("tmp-" + pkg));
            Path unpacked = work.resolve("root");
            packages.unpack(pkg, unpacked, "./boot/vmlinuz-*", "./lib/modules/*/kernel/drivers/net/*",
                    "./lib/modules/*/kernel/drivers/virtio/*", "./lib/modules/*/kernel/net/core/*");

            Map<String, Path> available;
            try (Stream<Path> files = Files.walk(unpacked.resolve("lib/modules"))) {
                available = files.filter(p -> p.toString().endsWith(".ko"))
                        .collect(Collectors.toMap(BootArtifacts::moduleName, Function.identity(), (a, b) -> a));
            }
            Set<String> order = new LinkedHashSet<>();
            for (String driver : arch.nicDrivers()) {
                addWithDependencies(driver, available, order);
            }

            Path staged = Files.createDirectories(work.resolve("staged"));
            Files.createDirectories(staged.resolve("boot"));
            Files.createDirectories(staged.resolve("modules"));
            try (Stream<Path> boot = Files.list(unpacked.resolve("boot"))) {
                for (Path vmlinuz : boot.toList()) {
                    Files.copy(vmlinuz, staged.resolve("boot").resolve(vmlinuz.getFileName()));
                }
            }
            for (String module : order) {
                Files.copy(available.get(module), staged.resolve("modules").resolve(module + ".ko"));
            }
            Files.write(staged.resolve("modules/load-order"), order);
            Processes.check("rm", "-rf", dir.toString());
            Files.move(staged, dir, StandardCopyOption.ATOMIC_MOVE);
            Processes.check("rm", "-rf", work.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Depth-first: a module's dependencies (its modinfo {@code depends=}) go before it. */
    private static void addWithDependencies(String module, Map<String, Path> available, Set<String> order)
            throws IOException {
        if (order.contains(module)) {
            return;
        }
        Path file = available.get(module);
        if (file == null) {
            throw new AssertionError("kernel package has no module " + module);
        }
        for (String dependency : dependsOf(file)) {
            addWithDependencies(dependency, available, order);
        }
        order.add(module);
    }

    /**
     * The {@code depends=} entry of a module's {@code .modinfo} section. depmod would compute the same
     * from symbols, but the package ships no modules.dep (it is made at install time) and the entry
     * is a plain NUL-terminated string, so finding it in the bytes is enough.
     */
    private static List<String> dependsOf(Path module) throws IOException {
        String bytes = new String(Files.readAllBytes(module), StandardCharsets.ISO_8859_1);
        int at = bytes.indexOf("\0depends=");
        if (at < 0) {
            return List.of();
        }
        int start = at + "\0depends=".length();
        String list = bytes.substring(start, bytes.indexOf('\0', start));
        return list.isEmpty() ? List.of() : List.of(list.split(","));
    }

    private static String moduleName(Path ko) {
        String file = ko.getFileName().toString();
        return file.substring(0, file.length() - ".ko".length()).replace('-', '_');
    }

    /** Builds the busybox initramfs (cpio newc, gzip) for {@code kernel} into {@code target}. */
    static Path installerInitramfs(Kernel kernel, Path target) {
        Path busybox = staticBusybox(kernel.arch());
        Tools.require("cpio", "cpio");
        Tools.require("gzip", "gzip");
        try {
            Path root = target.resolveSibling(target.getFileName() + ".d");
            Processes.check("rm", "-rf", root.toString());
            for (String d : List.of("bin", "sbin", "usr/bin", "usr/sbin", "dev", "proc", "sys", "etc", "lib/modules")) {
                Files.createDirectories(root.resolve(d));
            }
            Files.copy(busybox, root.resolve("bin/busybox"));
            executable(Files.writeString(root.resolve("init"), INIT));
            executable(Files.writeString(root.resolve("etc/udhcpc.script"), UDHCPC_SCRIPT));
            List<String> order = new ArrayList<>();
            for (Path module : kernel.modules()) {
                Files.copy(module, root.resolve("lib/modules").resolve(module.getFileName()));
                String name = module.getFileName().toString();
                order.add(name.substring(0, name.length() - ".ko".length()));
            }
            Files.write(root.resolve("lib/modules/load-order"), order);
            Processes.check("sh", "-c", "cd \"$1\" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -6 > \"$2\"",
                    "sh", root.toString(), target.toAbsolutePath().toString());
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * busybox out of Debian's {@code busybox-static} for {@code arch}, cached. Debian's plain
     * {@code busybox} package is dynamically linked and would die in an empty initramfs.
     */
    private static synchronized Path staticBusybox(GuestArch arch) {
        Path dir = cacheDir().resolve("busybox-static-" + arch.debian());
        Path busybox = dir.resolve("bin/busybox");
        if (!Files.exists(busybox)) {
            DebianPackages.of(arch).unpack("busybox-static", dir, "./bin/busybox");
        }
        return busybox;
    }

    /**
     * An arm64 UEFI network loader: Debian ships no arm64 iPXE, but GRUB for arm64-efi, which reads a
     * per-MAC {@code grub.cfg} over TFTP. Debian's prebuilt {@code grubnetaa64.efi} has prefix
     * {@code /grub} on the server of the DHCP ACK, and GRUB 2.06 takes that server from the site DHCP
     * server's ACK, not from the ProxyDHCP offer (EDK2 keeps both; GRUB reads only the ACK), so it
     * would ask a server that has no TFTP. The image built here names the boot server in its prefix.
     */
    static synchronized Path grubNetImage(Path target, String server) {
        Path grub = cacheDir().resolve("grub-efi-arm64-bin");
        Path modules = grub.resolve("usr/lib/grub/arm64-efi");
        if (!Files.exists(modules.resolve("linux.mod"))) {
            DebianPackages.of(GuestArch.ARM64).unpack("grub-efi-arm64-bin", grub, "./usr/lib/grub/arm64-efi/*");
        }
        Tools.require("grub-mkimage", "grub-common");
        Processes.check("grub-mkimage", "-O", "arm64-efi", "-d", modules.toString(), "-p", "(tftp," + server + ")/grub",
                "-o", target.toString(), "efinet", "net", "tftp", "normal", "configfile", "linux", "echo", "test");
        return target;
    }

    private static void executable(Path file) throws IOException {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
