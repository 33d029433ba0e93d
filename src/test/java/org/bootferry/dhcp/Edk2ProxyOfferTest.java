package org.bootferry.dhcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bootferry.machine.MacAddress;
import org.bootferry.testing.OwnLab;
import org.bootferry.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OVMF's own PXE client (EDK2, virtio-net without an option ROM) against bootferry's ProxyDHCP, with
 * dnsmasq handing out addresses on the same host and port. The proof that option 43 with discovery
 * control 8 is what EDK2 needs: it asks TFTP for the boot file named in the proxy offer at once,
 * with no port-4011 exchange. No TFTP server runs, so the boot stops there; the test ends when the
 * read request is seen.
 */
@OwnLab(seconds = 20)
class Edk2ProxyOfferTest {

    private static final String SERVER = "10.168.0.1";
    private static final MacAddress VM = MacAddress.parse("52:54:00:12:34:56");

    @TempDir
    Path dir;

    @Test
    void edk2ReadsTheBootFileNamedInTheProxyOfferWithoutPort4011() throws Exception {
        Tools.requireRoot();
        Path qemu = Tools.require("qemu-system-x86_64", "qemu-system-x86");
        Path code = Tools.requireFile(Path.of("/usr/share/OVMF/OVMF_CODE_4M.fd"), "ovmf");
        Path vars = dir.resolve("OVMF_VARS_4M.fd");
        Files.copy(Tools.requireFile(Path.of("/usr/share/OVMF/OVMF_VARS_4M.fd"), "ovmf"), vars);
        Path dnsmasq = Tools.require("dnsmasq", "dnsmasq-base");
        Path tcpdump = Tools.require("tcpdump", "tcpdump");
        BootConfig.planner(dir.resolve("config"), SERVER, VM);

        try (Namespaces net = new Namespaces()) {
            String ns = net.create("bfd-vm");
            net.exec(ns, "ip", "link", "add", "bfd-br0", "type", "bridge", "stp_state", "0", "forward_delay", "0");
            net.exec(ns, "ip", "addr", "add", SERVER + "/24", "dev", "bfd-br0");
            net.exec(ns, "ip", "link", "set", "bfd-br0", "up");
            net.exec(ns, "ip", "tuntap", "add", "dev", "bfd-tap0", "mode", "tap");
            net.exec(ns, "ip", "link", "set", "bfd-tap0", "master", "bfd-br0");
            net.exec(ns, "ip", "link", "set", "bfd-tap0", "up");

            Process capture = net.start(ns, tcpdump.toString(), "-i", "bfd-br0", "-n", "-l", "udp port 69 or udp port 4011");
            net.start(ns, dnsmasq.toString(), "--keep-in-foreground", "--conf-file=/dev/null", "--port=0",
                    "--interface=bfd-br0", "--bind-interfaces", "--no-ping",
                    "--dhcp-range=10.168.0.100,10.168.0.150,255.255.255.0,1h",
                    "--dhcp-leasefile=" + dir.resolve("leases"), "--pid-file=" + dir.resolve("dnsmasq.pid"));
            Process bootferry = net.start(ns, Namespaces.java(ProxyDhcpProcess.class,
                    dir.resolve("config").toString(), "0.0.0.0", "67", "4011"));
            ProcessLines.await(bootferry, "listening proxydhcp", 30);

            Process vm = net.start(ns, qemu.toString(),
                    "-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + code,
                    "-drive", "if=pflash,format=raw,unit=1,file=" + vars,
                    "-m", "512", "-smp", "1", "-nographic", "-monitor", "none", "-serial", "stdio", "-no-reboot",
                    "-netdev", "tap,id=n0,ifname=bfd-tap0,script=no,downscript=no",
                    "-device", "virtio-net-pci,netdev=n0,mac=" + VM + ",romfile=,bootindex=1", "-boot", "n");
            vm.getOutputStream().close();

            List<String> seen = ProcessLines.until(capture, "RRQ", 120);
            // EDK2 prints the boot file after its tsize probe, a moment after the RRQ on the wire:
            // read the console up to that line before stopping the VM (its output is a few KiB, the
            // pipe holds it meanwhile).
            List<String> serial = ProcessLines.until(vm, "NBP filename is ipxe.efi", 60);
            vm.destroy();
            vm.waitFor(10, TimeUnit.SECONDS);

            String rrq = seen.get(seen.size() - 1);
            assertThat(rrq).contains("> " + SERVER + ".69:").contains("RRQ \"ipxe.efi\"");
            assertThat(seen).noneMatch(line -> line.contains(".4011"));
            assertThat(String.join("\n", serial)).contains("NBP filename is ipxe.efi");
        }
    }

}
