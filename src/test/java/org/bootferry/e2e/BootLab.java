package org.bootferry.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.bootferry.machine.MacAddress;
import org.bootferry.testing.NetNamespace;
import org.bootferry.testing.Processes;
import org.bootferry.testing.ServerProcess;
import org.bootferry.testing.Tools;

/**
 * A boot network in a box, shaped like a real site: the VM's NIC (a tap) on a bridge; on the same
 * bridge, through a veth, the site's ordinary DHCP server (dnsmasq in its own namespace: addresses
 * and an IPv6 Router Advertisement, no boot options); and bootferry on the bridge as the boot server
 * (ProxyDHCP, TFTP, HTTP). Or, {@link #startProvisioning}, a provisioning network whose DHCP server
 * is bootferry: the site host then only advertises IPv6 routes and routes and relays a second link. Everything lives in two network namespaces, so the host network never sees
 * a packet; closing the lab stops the processes and removes the namespaces, and starting one first
 * removes what a crashed earlier run left. Each test class names its lab's namespaces and links by its
 * own prefix ({@code bfe-srv}, {@code bfebr0}, ...), so two labs can run at once; their addresses can be
 * the same, as they exist only inside each lab's namespaces.
 */
final class BootLab implements AutoCloseable {

    /** bootferry's address: on the bridge, inside the namespace only. */
    static final String SERVER_ADDRESS = "10.213.0.1";
    static final String SITE_DHCP_ADDRESS = "10.213.0.2";
    /** bootferry's address in an IPv6-only lab ({@link #startIpv6Only}), on the bridge. */
    static final String SERVER_ADDRESS6 = "fd13::1";
    /** The second link of a provisioning lab, behind the site host as router and DHCP relay agent. */
    static final String RELAYED_SUBNET = "10.214.0.0/24";
    /** The relay agent's (and router's) address on the second link: the giaddr of what it relays. */
    static final String RELAY_ADDRESS = "10.214.0.1";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Path dir;
    private final String prefix;
    private final NetNamespace server;
    private final NetNamespace site;
    /** What bootferry listens for: ProxyDHCP (67, 4011) beside a site DHCP server, else its DHCP server (67). */
    private final List<String> listeners;
    /** The families the bridge and the site host have addresses of. */
    private final Stack stack;
    private final LabProcesses processes = new LabProcesses(START_TIMEOUT);
    private ServerProcess bootferry;

    private BootLab(Path dir, String prefix, NetNamespace server, NetNamespace site, List<String> listeners,
            Stack stack) {
        this.dir = dir;
        this.prefix = prefix;
        this.server = server;
        this.site = site;
        this.listeners = listeners;
        this.stack = stack;
    }

    /** The address families of a lab's link: bootferry's bridge address and the site host's. */
    private enum Stack {
        IPV4, IPV6, DUAL;

        boolean ipv4() {
            return this != IPV6;
        }

        boolean ipv6() {
            return this != IPV4;
        }
    }

    static void requireTools() {
        Tools.requireRoot();
        Tools.require("ip", "iproute2");
        Tools.require("dnsmasq", "dnsmasq-base");
        Tools.require("tcpdump", "tcpdump");
        Tools.require("sysctl", "procps");
    }

    /**
     * Builds the network and starts the site DHCP server; logs and leases go to {@code dir}.
     *
     * @param prefix the test's own prefix for namespace and link names, e.g. {@code bfe}; at most 10
     *               characters, as Linux link names have 15 ({@code <prefix>veth0})
     */
    static BootLab start(Path dir, String prefix) {
        return start(dir, prefix, List.of());
    }

    /**
     * As {@link #start(Path, String)}, with {@code siteDhcp} added to the site DHCP server's dnsmasq
     * config: what a test's site has beyond addresses (a DNS server option; boot settings of its own,
     * e.g. {@code dhcp-boot=FILE,,SERVER}: next-server and boot file, as sites that point their DHCP
     * server at a boot server write it, for some MACs or all).
     */
    static BootLab start(Path dir, String prefix, List<String> siteDhcp) {
        return start(dir, prefix, List.of("dhcp", "pxe", "tftp", "http"), Stack.IPV4, lab -> lab.startSiteDhcp(siteDhcp));
    }

    /**
     * A provisioning network with no DHCP server but bootferry's ({@code dhcp: {mode: server}}): the
     * site host sends only Router Advertisements on the bridge, and is the router of a second link
     * ({@link #RELAYED_SUBNET}, VMs on {@link #relayedTap()}) whose DHCP it relays to bootferry
     * (dnsmasq's {@code dhcp-relay}: RFC 1542 relay agent, giaddr {@link #RELAY_ADDRESS}).
     */
    static BootLab startProvisioning(Path dir, String prefix) {
        return start(dir, prefix, List.of("dhcp", "tftp", "http"), Stack.IPV4, lab -> {
            lab.wireRelayedLink();
            lab.startSiteRelay();
        });
    }

    /**
     * An IPv6-only boot network: no IPv4 address on the bridge or anywhere else, bootferry at
     * {@link #SERVER_ADDRESS6} (its config must say {@code dhcp6: {mode: boot-only}} on {@link #bridge()})
     * and the site's stateful DHCPv6 server on the veth ({@link #startSiteDhcp6}).
     */
    static BootLab startIpv6Only(Path dir, String prefix, List<String> siteDhcp) {
        return start(dir, prefix, List.of("dhcp6", "pxe6", "tftp", "http"), Stack.IPV6,
                lab -> lab.startSiteDhcp6(siteDhcp));
    }

    /**
     * An IPv6-only provisioning network whose DHCPv6 server is bootferry ({@code dhcp6: {mode: server}}):
     * the site host only sends Router Advertisements ({@link #startSiteRadvd}).
     */
    static BootLab startIpv6Provisioning(Path dir, String prefix) {
        return startRadvdProvisioning(dir, prefix, List.of("dhcp6", "tftp", "http"), Stack.IPV6);
    }

    /**
     * A dual-stack provisioning network whose DHCPv4 and DHCPv6 server is bootferry ({@code dhcp} and
     * {@code dhcp6} both {@code mode: server}): bootferry has {@link #SERVER_ADDRESS} and
     * {@link #SERVER_ADDRESS6} on the bridge, the site host only sends Router Advertisements
     * ({@link #startSiteRadvd}).
     */
    static BootLab startDualStackProvisioning(Path dir, String prefix) {
        return startRadvdProvisioning(dir, prefix, List.of("dhcp", "dhcp6", "tftp", "http"), Stack.DUAL);
    }

    private static BootLab startRadvdProvisioning(Path dir, String prefix, List<String> listeners, Stack stack) {
        Tools.require("radvd", "radvd");
        return start(dir, prefix, listeners, stack, BootLab::startSiteRadvd);
    }

    /**
     * Wires a new lab's bridge and starts the site host's part ({@code site}); a lab that does not start
     * is closed, as its namespaces and daemons would outlive the test.
     */
    private static BootLab start(Path dir, String prefix, List<String> listeners, Stack stack, Consumer<BootLab> site) {
        BootLab lab = create(dir, prefix, listeners, stack);
        try {
            lab.wire();
            site.accept(lab);
            return lab;
        } catch (RuntimeException | Error e) {
            lab.close();
            throw e;
        }
    }

    private static BootLab create(Path dir, String prefix, List<String> listeners, Stack stack) {
        requireTools();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        NetNamespace server = NetNamespace.create(prefix + "-srv");
        try {
            return new BootLab(dir, prefix, server, NetNamespace.create(prefix + "-dhcp"), listeners, stack);
        } catch (RuntimeException | Error e) {
            server.close();
            throw e;
        }
    }

    /** The bridge bootferry serves on. */
    String bridge() {
        return prefix + "br0";
    }

    /** The tap device the VM's NIC attaches to. */
    String tap() {
        return prefix + "tap0";
    }

    /** In a provisioning lab, the tap of a VM on the relayed link, in {@link #siteNamespace()}. */
    String relayedTap() {
        return prefix + "tap1";
    }

    private void wire() {
        String bridge = bridge();
        String tap = tap();
        String veth = prefix + "veth0";
        // STP off and no forwarding delay: the firmware's first DHCP packets must not be dropped
        // while a port is "learning".
        server.run("ip", "link", "add", bridge, "type", "bridge", "stp_state", "0", "forward_delay", "0");
        if (stack.ipv4()) {
            server.run("ip", "addr", "add", SERVER_ADDRESS + "/24", "dev", bridge);
        }
        if (stack.ipv6()) {
            server.run("ip", "-6", "addr", "add", SERVER_ADDRESS6 + "/64", "dev", bridge, "nodad");
        }
        server.run("ip", "link", "set", bridge, "up");
        // A persistent tap that QEMU attaches to (script=no): it exists before the VM does.
        server.run("ip", "tuntap", "add", "dev", tap, "mode", "tap");
        server.run("ip", "link", "set", tap, "master", bridge);
        server.run("ip", "link", "set", tap, "up");
        Processes.check("ip", "link", "add", veth, "netns", server.name(), "type", "veth",
                "peer", "name", "eth0", "netns", site.name());
        server.run("ip", "link", "set", veth, "master", bridge);
        server.run("ip", "link", "set", veth, "up");
        if (stack.ipv4()) {
            site.run("ip", "addr", "add", SITE_DHCP_ADDRESS + "/24", "dev", "eth0");
        }
        site.run("ip", "-6", "addr", "add", "fd13::2/64", "dev", "eth0", "nodad");
        site.run("ip", "link", "set", "eth0", "up");
    }

    /**
     * The relayed link: a bridge with a tap in the site namespace, which forwards between it and the
     * boot bridge; bootferry reaches it through the site host.
     */
    private void wireRelayedLink() {
        String bridge = prefix + "br1";
        site.run("ip", "link", "add", bridge, "type", "bridge", "stp_state", "0", "forward_delay", "0");
        site.run("ip", "addr", "add", RELAY_ADDRESS + "/24", "dev", bridge);
        site.run("ip", "-6", "addr", "add", "fd14::1/64", "dev", bridge, "nodad");
        site.run("ip", "link", "set", bridge, "up");
        site.run("ip", "tuntap", "add", "dev", relayedTap(), "mode", "tap");
        site.run("ip", "link", "set", relayedTap(), "master", bridge);
        site.run("ip", "link", "set", relayedTap(), "up");
        site.run("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        server.run("ip", "route", "add", RELAYED_SUBNET, "via", SITE_DHCP_ADDRESS);
    }

    /**
     * The provisioning lab's site host: no DHCPv4 server, a relay agent for the second link, and
     * Router Advertisements on both (see {@link #startSiteDhcp} for why iPXE needs them).
     */
    private void startSiteRelay() {
        startDnsmasq("""
                port=0
                interface=eth0
                interface=%s
                bind-interfaces
                user=root
                log-dhcp
                dhcp-relay=%s,%s
                enable-ra
                dhcp-range=fd13::,ra-only,64
                dhcp-range=fd14::,ra-only,64
                """.formatted(prefix + "br1", RELAY_ADDRESS, SERVER_ADDRESS), l -> l.contains("DHCP relay"));
    }

    /**
     * The site's DHCP server knows nothing about PXE, as on a real network where bootferry only adds
     * ProxyDHCP. It also sends Router Advertisements: iPXE configures IPv6 alongside DHCPv4 and, with
     * no router on the link, waits about 13 s per stage before giving up.
     */
    private void startSiteDhcp(List<String> extra) {
        startDnsmasq("""
                port=0
                interface=eth0
                bind-interfaces
                user=root
                log-dhcp
                no-ping
                dhcp-authoritative
                dhcp-range=10.213.0.100,10.213.0.199,255.255.255.0,1h
                dhcp-leasefile=%s
                enable-ra
                dhcp-range=fd13::,ra-only,64
                """.formatted(dir.resolve("site-dnsmasq.leases")) + String.join("\n", extra) + "\n",
                l -> l.contains("DHCP, IP range"));
    }

    /**
     * The IPv6-only site's DHCPv6 server: addresses from fd13::100-1ff (IA_NA, which EDK2's PXE needs)
     * and Router Advertisements with M=1 (EDK2 and iPXE start DHCPv6 on it) and, {@code slaac}, A=1 for
     * the prefix, so that the kernel of the booted machine takes an address by itself. No PREFERENCE
     * 255 ({@code dhcp-authoritative}): EDK2 would REQUEST the first ADVERTISE before bootferry's
     * PXEClient one came. {@code extra} are further lines of its config.
     */
    private void startSiteDhcp6(List<String> extra) {
        startDnsmasq("""
                port=0
                interface=eth0
                bind-interfaces
                user=root
                log-dhcp
                dhcp-range=fd13::100,fd13::1ff,slaac,64,1h
                dhcp-leasefile=%s
                enable-ra
                """.formatted(dir.resolve("site-dnsmasq.leases")) + String.join("\n", extra) + "\n",
                l -> l.contains("DHCPv6, IP range"));
    }

    /**
     * The IPv6 provisioning site's router: Router Advertisements only, with M=1 (EDK2 and iPXE start
     * DHCPv6 on it; dnsmasq sets M only for a range it serves itself, hence radvd) and the prefix with
     * L=1 and A=1 (the booted kernel's own address). Router lifetime 0: there is no router here, and
     * Debian's GRUB 2.06 crashes on arm64 when an RA with a lifetime reaches it (README "Which firmware
     * boots over IPv6"). One every 3-4 s (radvd's shortest): EDK2 ends its wait for a route at the
     * next RA, and a loader that runs a few seconds certainly sees one.
     */
    private void startSiteRadvd() {
        Path conf = write("site-radvd.conf", """
                interface eth0 {
                    AdvSendAdvert on;
                    AdvManagedFlag on;
                    AdvOtherConfigFlag on;
                    AdvDefaultLifetime 0;
                    MinRtrAdvInterval 3;
                    MaxRtrAdvInterval 4;
                    prefix fd13::/64 { AdvOnLink on; AdvAutonomous on; };
                };
                """);
        processes.start(site.exec("radvd", "--nodaemon", "--config", conf.toString(), "--logmethod", "stderr",
                "--pidfile", dir.resolve("site-radvd.pid").toString(), "--debug", "1"), siteDhcpLog(),
                l -> l.contains("started"), "site radvd");
    }

    private void startDnsmasq(String config, Predicate<String> ready) {
        Path conf = write("site-dnsmasq.conf", config);
        processes.start(site.exec("dnsmasq", "--conf-file=" + conf, "--keep-in-foreground",
                "--log-facility=-", "--pid-file"), siteDhcpLog(), ready, "site dnsmasq");
    }

    /**
     * Starts bootferry in the server namespace as the test JVM's own classes (no jar needed) and
     * waits until it prints {@code listening ...} for DHCP (67, and 4011 as a ProxyDHCP), TFTP and HTTP (80). A
     * bootferry this lab started before is stopped first: a test that changes a setting bootferry
     * reads at start starts it again.
     */
    void startBootferry(Path config, Path tftpRoot) {
        if (bootferry != null) {
            bootferry.close();
        }
        // A dual-stack lab keeps bind's default, ::, which listens on both families.
        List<String> address = switch (stack) {
            case IPV4 -> List.of("--bind", "0.0.0.0", "--advertise", SERVER_ADDRESS);
            case IPV6 -> List.of("--advertise6", SERVER_ADDRESS6);
            case DUAL -> List.of("--advertise", SERVER_ADDRESS, "--advertise6", SERVER_ADDRESS6);
        };
        List<String> args = new ArrayList<>(List.of("--config", config.toAbsolutePath().toString(),
                "--tftp-root", tftpRoot.toAbsolutePath().toString(), "--http-port", "80"));
        args.addAll(address);
        bootferry = ServerProcess.start(server.exec(List.of()), bootferryLog(), listeners, args.toArray(String[]::new));
    }

    /**
     * The site DHCP server's log: its DHCP answers and, when a test enables its TFTP, the files asked
     * of it; in a provisioning lab, what its relay agent forwarded.
     */
    Path siteDhcpLog() {
        return dir.resolve("site-dnsmasq.log");
    }

    /** bootferry's own log (INFO: every HTTP request with method, path and status). */
    Path bootferryLog() {
        return dir.resolve("bootferry.log");
    }

    /**
     * Boots {@code client} with the bridge's UDP captured into {@code dir}/boot.pcap, and prints its
     * wall time.
     */
    QemuVm.Boot bootCaptured(QemuVm.Client client, MacAddress mac, Path dir, Duration timeout)
            throws IOException {
        return bootCaptured(client, mac, dir, timeout, List.of());
    }

    /** As {@link #bootCaptured(QemuVm.Client, MacAddress, Path, Duration)}, with {@code qemuArgs} appended. */
    QemuVm.Boot bootCaptured(QemuVm.Client client, MacAddress mac, Path dir, Duration timeout, List<String> qemuArgs)
            throws IOException {
        Files.createDirectories(dir);
        QemuVm.Boot boot;
        try (Capture capture = capture(dir.resolve("boot.pcap"))) {
            boot = QemuVm.boot(server, tap(), client, mac, dir, timeout, 512, qemuArgs);
        }
        System.out.printf("e2e wall time %-28s %5.1f s (%s, exit %d, serial log %s)%n", boot.client(),
                boot.wallTime().toMillis() / 1000.0, mac, boot.exitCode(), boot.serialLog());
        return boot;
    }

    /** The HTTP requests bootferry logged that name {@code mac} in their URL, as "METHOD PATH STATUS", in order. */
    List<String> httpRequests(MacAddress mac) throws IOException {
        String colons = mac.toString().replace(":", "%3A");
        return Files.readAllLines(bootferryLog(), StandardCharsets.UTF_8).stream()
                .filter(l -> l.contains("HttpRouter: "))
                .map(l -> l.substring(l.indexOf("HttpRouter: ") + "HttpRouter: ".length()))
                .filter(l -> l.contains(colons) || l.contains(mac.toString()) || l.contains(mac.dashed()))
                .map(l -> String.join(" ", List.of(l.split(" ", 4)).subList(0, 3)))
                .toList();
    }

    /** Starts capturing every UDP packet on the bridge into {@code pcap}; stop it by closing. */
    Capture capture(Path pcap) {
        Path log = pcap.resolveSibling(pcap.getFileName() + ".log");
        // -B: a 64 MiB capture buffer (KiB). A kernel over TFTP in 1 KiB blocks is ~30,000 packets in a
        // few seconds, which overflows tcpdump's default 2 MiB and loses blocks of the capture.
        Process tcpdump = processes.start(server.exec("tcpdump", "-i", bridge(), "-n", "-s0", "-U", "-B", "65536",
                "-w", pcap.toString(), "udp"), log, l -> l.contains("listening on"), "tcpdump");
        return new Capture(tcpdump, pcap);
    }

    /** A running packet capture; closing it stops tcpdump, which flushes the file. */
    record Capture(Process tcpdump, Path pcap) implements AutoCloseable {
        @Override
        public void close() {
            Processes.stop(tcpdump);
        }
    }

    NetNamespace serverNamespace() {
        return server;
    }

    NetNamespace siteNamespace() {
        return site;
    }

    private Path write(String name, String content) {
        try {
            return Files.writeString(dir.resolve(name), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (bootferry != null) {
            bootferry.close();
        }
        processes.close();
        site.close();
        server.close();
    }
}
