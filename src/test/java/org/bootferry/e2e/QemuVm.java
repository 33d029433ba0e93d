package org.bootferry.e2e;

import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.bootferry.machine.MacAddress;
import org.bootferry.testing.NetNamespace;
import org.bootferry.testing.Tools;

/**
 * Boots a QEMU VM from the network on a tap device and records its serial console.
 * TCG only: /dev/kvm on these hosts is nested and SeaBIOS's real-mode code crawls on it (and arm64
 * is emulated anyway). With {@code -nographic} SeaBIOS mirrors its text (and the iPXE ROM's) to the
 * serial port, so the log shows every stage from firmware to {@code poweroff -f}, which makes QEMU
 * exit (with -no-reboot).
 */
final class QemuVm {

    /**
     * QEMU arguments for OVMF's (and ArmVirtQemu's) platform knob that switches PXEv4 off (OvmfPkg
     * PlatformDxe): on a link with no DHCPv4 server it gives up only after about a minute (reference
     * run {@code pxe6-default}), and it runs before PXEv6.
     */
    static final List<String> NO_PXE4 = List.of("-fw_cfg", "name=opt/org.tianocore/IPv4PXESupport,string=n");
    /** The knob that switches PXEv6 off, so that PXEv4 is what boots. */
    static final List<String> NO_PXE6 = List.of("-fw_cfg", "name=opt/org.tianocore/IPv6PXESupport,string=n");

    /** The PXE clients we boot: each is a real firmware with its own DHCP/TFTP habits. */
    enum Client {
        /** SeaBIOS with QEMU's e1000 option ROM, which is iPXE: DHCP says "iPXE" from the first packet. */
        SEABIOS_E1000(GuestArch.AMD64, false, false),
        /** OVMF with a virtio NIC and no option ROM: EDK2's own PXE client, then TFTP of ipxe.efi. */
        OVMF_EDK2_VIRTIO(GuestArch.AMD64, false, false),
        /**
         * The same OVMF and NIC with PXE switched off, so EDK2's UEFI HTTP Boot (HttpBootDxe) is the
         * first boot option that answers: an HTTPClient DISCOVER, then the loader by URL, no TFTP.
         */
        OVMF_HTTP_VIRTIO(GuestArch.AMD64, true, false),
        /**
         * OVMF with Secure Boot on and Microsoft's keys enrolled ({@code OVMF_CODE_4M.ms.fd} with
         * {@code OVMF_VARS_4M.ms.fd}), EDK2's own PXE client: it runs only images signed by a key in
         * its db, such as Debian's shim (signed by Microsoft's UEFI CA).
         */
        OVMF_SECURE_BOOT_VIRTIO(GuestArch.AMD64, false, true),
        /** The same Secure Boot OVMF with PXE switched off: UEFI HTTP Boot, as {@link #OVMF_HTTP_VIRTIO}. */
        OVMF_SECURE_BOOT_HTTP_VIRTIO(GuestArch.AMD64, true, true),
        /**
         * The same OVMF without its IPv4 stack ({@code IPv4Support=n}): PXEv6, then HTTP Boot over IPv6.
         * PXEv6 must come first: EDK2 stable202211's HTTPv6 as the first boot option fails before it
         * sends anything (reference/ipv6 {@code http6-first}). Its PXE failing (PXE-E21 when no boot
         * file was offered) is therefore no dead end.
         */
        OVMF_HTTP6_VIRTIO(GuestArch.AMD64, true, false),
        /**
         * arm64: QEMU's virt machine with Debian's AAVMF ({@code QEMU_EFI.fd}, EDK2 for arm64) and a
         * virtio NIC without option ROM: EDK2's PXE client, option 93 = 11, as on x86 but for arm64.
         */
        AAVMF_ARM64_VIRTIO(GuestArch.ARM64, false, false);

        private final GuestArch arch;
        private final boolean httpBoot;
        private final boolean secureBoot;

        Client(GuestArch arch, boolean httpBoot, boolean secureBoot) {
            this.arch = arch;
            this.httpBoot = httpBoot;
            this.secureBoot = secureBoot;
        }

        GuestArch arch() {
            return arch;
        }

        /** PXE switched off in the firmware, so that it boots by UEFI HTTP Boot. */
        boolean httpBoot() {
            return httpBoot;
        }

        /** Secure Boot on, with Microsoft's keys enrolled. */
        boolean secureBoot() {
            return secureBoot;
        }
    }

    /**
     * One finished boot: the console lines (cleaned of control sequences), how long it took, and, if
     * QEMU had to be stopped, why.
     */
    record Boot(Client client, List<String> serial, Path serialLog, Duration wallTime, int exitCode,
            Optional<String> stopped) {
        Boot {
            serial = List.copyOf(serial);
        }
    }

    private static final Pattern ANSI = Pattern.compile("\u001b(\\[[0-9;?]*[A-Za-z]|c)");
    /**
     * Console lines after which this boot can only fail: iPXE found nothing to boot, EDK2's PXE
     * failed (PXE-E.., in {@link #DEAD_END} only), SeaBIOS ran out of devices, GRUB could not load its normal mode or found no
     * config to run (its prompt), the kernel panicked, Secure Boot firmware refused to run the loader
     * (EDK2's BdsDxe: "failed to load Boot0001 … Access Denied"), EDK2's HTTP Boot could not fetch
     * its URL (HttpBootDxe, e.g. a TLS handshake with a server it has no CA for), a loader crashed
     * (ArmVirtPkg's exception handler: "Synchronous Exception at 0x…", after which AAVMF hangs).
     */
    private static final String DEAD_END_BUT_PXE = "No more network devices|No bootable device|Entering rescue mode"
            + "|Kernel panic|failed to load Boot.*Access Denied|^grub>$|Could not retrieve NBP file size"
            + "|Synchronous Exception at";
    private static final Pattern DEAD_END = Pattern.compile("PXE-E\\d\\d|" + DEAD_END_BUT_PXE);
    /** For {@link Client#OVMF_HTTP6_VIRTIO}, whose HTTP Boot follows its PXE's failure. */
    private static final Pattern DEAD_END_BEFORE_HTTP = Pattern.compile(DEAD_END_BUT_PXE);
    /**
     * GRUB's prompt, which it prints (with no line end) when it found no config to run; the console
     * reader ends the line there so that {@link #DEAD_END} sees it.
     */
    private static final String GRUB_PROMPT = "grub> ";
    /** Enough for the lines after a dead end (what iPXE or the kernel print next) to reach the log. */
    private static final Duration DEAD_END_GRACE = Duration.ofSeconds(2);
    private static final String OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd";
    private static final String OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd";
    /** Debian's OVMF built with Secure Boot (and SMM), and variables with Microsoft's keys in db and KEK. */
    private static final String OVMF_SECURE_CODE = "/usr/share/OVMF/OVMF_CODE_4M.ms.fd";
    private static final String OVMF_SECURE_VARS = "/usr/share/OVMF/OVMF_VARS_4M.ms.fd";
    /** Debian's arm64 EDK2 as one image for {@code -bios}: code and (volatile) variables. */
    private static final String AAVMF = "/usr/share/qemu-efi-aarch64/QEMU_EFI.fd";

    private QemuVm() {
    }

    static void requireTools(Client client) {
        if (client == Client.AAVMF_ARM64_VIRTIO) {
            Tools.require("qemu-system-aarch64", "qemu-system-arm");
            Tools.requireFile(Path.of(AAVMF), "qemu-efi-aarch64");
            return;
        }
        Tools.require("qemu-system-x86_64", "qemu-system-x86");
        Tools.requireFile(Path.of("/usr/lib/ipxe/qemu/efi-e1000.rom"), "ipxe-qemu");
        if (client != Client.SEABIOS_E1000) {
            Tools.requireFile(Path.of(OVMF_CODE), "ovmf");
            Tools.requireFile(Path.of(OVMF_SECURE_CODE), "ovmf");
        }
    }

    /** Boots {@code client} with NIC {@code mac} on {@code tap} in {@code ns}; the log goes to {@code dir}. */
    static Boot boot(NetNamespace ns, String tap, Client client, MacAddress mac, Path dir, Duration timeout) {
        return boot(ns, tap, client, mac, dir, timeout, client.arch() == GuestArch.ARM64 ? 1024 : 512);
    }

    /** As {@link #boot(NetNamespace, String, Client, MacAddress, Path, Duration)}, with {@code memoryMib} of RAM. */
    static Boot boot(NetNamespace ns, String tap, Client client, MacAddress mac, Path dir, Duration timeout,
            int memoryMib) {
        return boot(ns, tap, client, mac, dir, timeout, memoryMib, List.of());
    }

    /** As {@link #boot(NetNamespace, String, Client, MacAddress, Path, Duration, int)}, with {@code qemuArgs} appended. */
    static Boot boot(NetNamespace ns, String tap, Client client, MacAddress mac, Path dir, Duration timeout,
            int memoryMib, List<String> qemuArgs) {
        requireTools(client);
        try {
            Files.createDirectories(dir);
            boolean arm64 = client.arch() == GuestArch.ARM64;
            List<String> cmd = new ArrayList<>(List.of(arm64 ? "qemu-system-aarch64" : "qemu-system-x86_64",
                    "-m", Integer.toString(memoryMib), "-smp", "1",
                    "-nographic", "-monitor", "none", "-serial", "stdio", "-no-reboot",
                    "-netdev", "tap,id=n0,ifname=" + tap + ",script=no,downscript=no", "-boot", "n"));
            switch (client) {
                case SEABIOS_E1000 -> cmd.addAll(List.of("-machine", "pc,accel=tcg",
                        "-device", "e1000,netdev=n0,mac=" + mac));
                case OVMF_EDK2_VIRTIO, OVMF_HTTP_VIRTIO, OVMF_SECURE_BOOT_VIRTIO, OVMF_SECURE_BOOT_HTTP_VIRTIO,
                        OVMF_HTTP6_VIRTIO -> {
                    if (client == Client.OVMF_HTTP6_VIRTIO) {
                        // No IPv4 stack: neither PXEv4 nor HTTPv4 boot options (OvmfPkg PlatformDxe).
                        cmd.addAll(List.of("-fw_cfg", "name=opt/org.tianocore/IPv4Support,string=n"));
                    } else if (client.httpBoot()) {
                        // OVMF tries PXEv4 and PXEv6 before HTTP (about two minutes of timeouts);
                        // its platform knobs switch both off (OvmfPkg PlatformDxe, opt/org.tianocore/*).
                        cmd.addAll(NO_PXE4);
                        cmd.addAll(NO_PXE6);
                    }
                    boolean secure = client.secureBoot();
                    Path vars = dir.resolve("OVMF_VARS_4M.fd");
                    Files.copy(Path.of(secure ? OVMF_SECURE_VARS : OVMF_VARS), vars, StandardCopyOption.REPLACE_EXISTING);
                    if (secure) {
                        // The Secure Boot build keeps its variables safe in SMM: q35 with SMM on and
                        // the variable flash writable from SMM only (OvmfPkg/README, "SMM support").
                        cmd.addAll(List.of("-machine", "q35,smm=on,accel=tcg",
                                "-global", "driver=cfi.pflash01,property=secure,value=on"));
                    } else {
                        cmd.addAll(List.of("-machine", "q35,accel=tcg"));
                    }
                    cmd.addAll(List.of(
                            "-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + (secure ? OVMF_SECURE_CODE : OVMF_CODE),
                            "-drive", "if=pflash,format=raw,unit=1,file=" + vars,
                            // romfile= (empty): no iPXE ROM, so OVMF's own VirtioNetDxe + PxeBcDxe boot.
                            "-device", "virtio-net-pci,netdev=n0,mac=" + mac + ",romfile=,bootindex=1"));
                }
                // cortex-a57, not max: max adds pointer authentication, which TCG emulates slowly.
                // With no disk, AAVMF's first boot option is PXEv4 on the NIC.
                case AAVMF_ARM64_VIRTIO -> cmd.addAll(List.of("-machine", "virt,accel=tcg", "-cpu", "cortex-a57",
                        "-bios", AAVMF, "-device", "virtio-net-pci,netdev=n0,mac=" + mac + ",romfile="));
            }
            cmd.addAll(qemuArgs);
            Files.writeString(dir.resolve("qemu.cmd"), String.join(" ", ns.exec(cmd)) + "\n");
            Path serialLog = dir.resolve("serial.log");
            long start = System.nanoTime();
            Process qemu = new ProcessBuilder(ns.exec(cmd))
                    .redirectError(dir.resolve("qemu.stderr").toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            List<String> lines = Collections.synchronizedList(new ArrayList<>());
            Thread reader = new Thread(() -> copyConsole(qemu.getInputStream(), serialLog, lines, start),
                    "serial-" + client);
            reader.start();
            Optional<String> stopped = awaitPowerOff(qemu, lines, timeout,
                    client == Client.OVMF_HTTP6_VIRTIO ? DEAD_END_BEFORE_HTTP : DEAD_END);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            reader.join(5_000);
            synchronized (lines) {
                return new Boot(client, lines, serialLog, took, stopped.isEmpty() ? qemu.exitValue() : -1, stopped);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while booting " + client, e);
        }
    }

    /**
     * Waits for the guest to power off. A boot that reached a dead end (firmware out of boot options,
     * a kernel panic) is stopped a moment later instead of running into the timeout: SeaBIOS and OVMF
     * would go on trying other devices for minutes.
     *
     * @return why QEMU was stopped, or empty when it exited by itself
     */
    private static Optional<String> awaitPowerOff(Process qemu, List<String> lines, Duration timeout,
            Pattern deadEnd) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Optional<String> reason = Optional.empty();
        while (!qemu.waitFor(250, TimeUnit.MILLISECONDS)) {
            if (reason.isEmpty()) {
                synchronized (lines) {
                    reason = lines.stream().filter(l -> deadEnd.matcher(l).find()).findFirst()
                            .map(l -> "dead end on the console: " + l.strip());
                }
                if (reason.isPresent()) {
                    deadline = Math.min(deadline, System.nanoTime() + DEAD_END_GRACE.toNanos());
                }
            }
            if (System.nanoTime() > deadline) {
                qemu.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                return Optional.of(reason.orElse("still running after " + timeout.toSeconds() + " s"));
            }
        }
        return Optional.empty();
    }

    /**
     * Splits the console into lines: firmware redraws progress with CR and moves the cursor with ANSI
     * sequences, which would make the log unreadable and the assertions brittle. Each line in the file
     * gets the seconds since QEMU started, which is how the boot's stages are timed.
     */
    private static void copyConsole(InputStream in, Path log, List<String> lines, long start) {
        try (in; BufferedWriter out = Files.newBufferedWriter(log)) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0) {
                if (b != '\n') {
                    if (b != '\r' && b != '\b') {
                        line.write(b);
                    }
                    if (b != ' ' || !line.toString(StandardCharsets.ISO_8859_1).endsWith(GRUB_PROMPT)) {
                        continue;
                    }
                }
                String text = ANSI.matcher(line.toString(StandardCharsets.ISO_8859_1)).replaceAll("").stripTrailing();
                line.reset();
                if (!text.isBlank()) {
                    lines.add(text);
                    out.write(String.format("%7.2f %s%n", (System.nanoTime() - start) / 1e9, text));
                    out.flush();
                }
            }
        } catch (IOException e) {
            lines.add("(serial console read failed: " + e.getMessage() + ")");
        }
    }
}
