package org.bootferry.config;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.bootferry.lang.Ipv4;
import org.bootferry.lang.Ipv6;
import org.bootferry.lang.ProcessLimits;

/**
 * {@code config/server.yaml}, with command-line flags already applied. Relative paths are resolved
 * against the config directory by the loader.
 *
 * @param bind      address every listener binds to
 * @param advertise address machines reach us at (next-server, URLs); empty: derived from the host
 * @param advertise6 the IPv6 address machines that came over IPv6 are told (URLs, DHCPv6 option 59);
 *                  empty: derived from the host, none when it has no global or unique local one
 * @param dhcp      ProxyDHCP beside the site's DHCP server, the network's DHCP server, or none (the
 *                  {@code dhcp:} section)
 * @param loaders   first-stage loader per firmware id ({@code bios}, {@code efi-x64}, …), a path in tftproot
 * @param state     where boot-once state and the event journal live
 * @param api       who may call the endpoints that change state ({@code POST /done}, reset)
 * @param access    the machines' capability URLs (the {@code access:} section)
 * @param images    pulling kernels and initrds out of container images (the {@code images:} section)
 * @param chainload which iPXE boots machines whose firmware is iPXE (the {@code chainload:} section)
 * @param tftp      the TFTP server's limits (the {@code tftp:} section)
 * @param http      the HTTP listener's limits (the {@code http:} section)
 * @param proxyDhcp what the ProxyDHCP responder answers at all (the {@code proxyDhcp:} section)
 * @param events    how big the event journal {@code state/events.jsonl} grows (the {@code events:} section)
 * @param dhcp6     what bootferry is on the network's DHCPv6 (the {@code dhcp6:} section)
 * @param https     the TLS listener beside the plain HTTP one, when the {@code https:} section is written
 */
public record ServerSettings(
        String bind,
        Optional<String> advertise,
        Optional<String> advertise6,
        int httpPort,
        int tftpPort,
        int dhcpPort,
        int pxePort,
        Dhcp dhcp,
        Path tftpRoot,
        Path cache,
        Map<String, String> loaders,
        Path state,
        Api api,
        Access access,
        Images images,
        Chainload chainload,
        Tftp tftp,
        Http http,
        ProxyDhcp proxyDhcp,
        Events events,
        Dhcp6 dhcp6,
        Optional<Https> https) {

    /**
     * The DNS listener of DHCP server mode: A and PTR for the machines' names in {@code zone}.
     *
     * @param port UDP port on the bind address (0: any free port)
     * @param zone the zone it is authoritative for, e.g. {@code lab}
     */
    public record Dns(int port, String zone) {
    }

    /**
     * Access to the admin surface and the endpoints that change state.
     *
     * @param token     when set, the status page, the API and every change need
     *                  {@code Authorization: Bearer <token>}; an admin's change (reset) needs it or
     *                  {@code allowFrom}
     * @param allowFrom CIDR blocks callers that change state must come from; empty means any address
     */
    public record Api(Optional<String> token, List<String> allowFrom) {
        public Api {
            allowFrom = List.copyOf(allowFrom);
        }

        /** The token is a secret: it is never printed. */
        @Override
        public String toString() {
            return "Api[token=" + (token.isPresent() ? "(set)" : "(none)") + ", allowFrom=" + allowFrom + "]";
        }
    }

    /**
     * The {@code access:} section: the per-boot capabilities in the URLs machines are handed.
     *
     * @param lifetime how long after it was handed out a capability opens its URLs: long enough for an
     *                 install, from DHCP to {@code POST /done}
     */
    public record Access(Duration lifetime) {
        public static final Access DEFAULT = new Access(Duration.ofHours(6));
    }

    /**
     * The {@code dhcp:} section.
     *
     * @param mode              {@code PROXY} answers boot clients beside the site's DHCP server; {@code SERVER}
     *                          is the network's DHCP server (RFC 2131) for {@code pools}; {@code OFF} leaves
     *                          DHCP to others
     * @param pools             server mode's address pools, in file order
     */
    /** @param dns server mode's DNS listener, when {@code dhcp.dns} names one */
    public record Dhcp(Mode mode, List<Pool> pools, Optional<Dns> dns) {
        /** What bootferry is on the network's DHCP. */
        public enum Mode { PROXY, SERVER, OFF }

        public static final Dhcp PROXY = new Dhcp(Mode.PROXY, List.of(), Optional.empty());
        public static final Dhcp OFF = new Dhcp(Mode.OFF, List.of(), Optional.empty());

        public Dhcp {
            pools = List.copyOf(pools);
        }

        /** As a reload's notice names it: {@code proxy}, {@code off}, {@code server (interface br0 10.0.0.10-10.0.0.99)}. */
        @Override
        public String toString() {
            String name = mode.name().toLowerCase(java.util.Locale.ROOT);
            return pools.isEmpty() ? name : name + " (" + String.join(", ", pools.stream()
                    .map(p -> p.name() + " " + p.first().getHostAddress() + "-" + p.last().getHostAddress()).toList()) + ")";
        }
    }

    /**
     * The {@code dhcp6:} section, checked.
     *
     * @param mode       {@code OFF} leaves DHCPv6 to others; {@code BOOT_ONLY} answers boot clients with
     *                   boot options only, beside the site's DHCPv6 server that leases the addresses
     * @param interfaces the links listened on: ff02::1:2 joined on each (RFC 8415 §7.1); empty means
     *                   only relayed and unicast requests, to {@code advertise6}
     * @param port       UDP port for client and relay messages (547, RFC 8415 §7.2; 0: any free port)
     * @param pxePort    UDP port of EDK2's boot-service REQUEST in boot-only mode (4011; 0: any free port)
     * @param pools      server mode's pools, one an interface, in file order; empty in the other modes
     */
    public record Dhcp6(Mode mode, List<String> interfaces, int port, int pxePort, List<Pool6> pools) {
        /**
         * What bootferry is on the network's DHCPv6: {@code SERVER} leases addresses of {@code pools}
         * (RFC 8415 §18.3) with the boot options in the same answers.
         */
        public enum Mode { OFF, BOOT_ONLY, SERVER }

        public static final Dhcp6 OFF = new Dhcp6(Mode.OFF, List.of(), 547, 4011, List.of());

        public Dhcp6 {
            interfaces = List.copyOf(interfaces);
            pools = List.copyOf(pools);
        }
    }

    /**
     * One address pool of DHCPv6 server mode, checked.
     *
     * @param iface             the interface (one of {@code dhcp6.interfaces}) whose link it serves; empty
     *                          for a link behind relay agents, whose RELAY-FORW link-address is in {@code prefix}
     * @param prefix            the link's prefix; reservations ({@code ip6:}) must be in it
     * @param first             first address of the dynamic range
     * @param last              last address of the dynamic range
     * @param preferredLifetime IAADDR preferred-lifetime (RFC 8415 §21.6); T1 and T2 are 0.5 and 0.8 of it
     * @param validLifetime     IAADDR valid-lifetime: how long a lease lasts
     * @param dns               option 23 (RFC 3646)
     * @param search            option 24 (RFC 3646), in order
     * @param unknownMachines   MACs without a machine file (and no default.yaml) get an address, never a boot answer
     */
    public record Pool6(Optional<String> iface, Ipv6.Network prefix, Inet6Address first, Inet6Address last,
            Duration preferredLifetime, Duration validLifetime, List<Inet6Address> dns, List<String> search,
            boolean unknownMachines) {

        public static final Duration DEFAULT_PREFERRED_LIFETIME = Duration.ofHours(1);
        public static final Duration DEFAULT_VALID_LIFETIME = Duration.ofHours(2);

        public Pool6 {
            dns = List.copyOf(dns);
            search = List.copyOf(search);
        }
    }

    /**
     * One address pool of server mode, checked.
     *
     * @param iface           the interface of this host whose link the pool serves; empty for a relayed subnet
     * @param subnet          the relayed subnet (clients behind a relay agent whose giaddr is in it), or for an
     *                        interface pool its network when written
     * @param first           first address of the dynamic range
     * @param last            last address of the dynamic range
     * @param netmask         option 1; empty: the subnet's, or the interface's at start
     * @param router          option 3
     * @param dns             option 6
     * @param domain          option 15
     * @param search          option 119 (RFC 3397), in order
     * @param leaseTime       option 51
     * @param mtu             option 26
     * @param unknownMachines MACs without a machine file (and no default.yaml) get an address, never a boot answer
     * @param allowOtherServers serve the interface even when another DHCP server answers on its link
     */
    public record Pool(Optional<String> iface, Optional<Ipv4.Network> subnet, Inet4Address first, Inet4Address last,
            Optional<Inet4Address> netmask, Optional<Inet4Address> router, List<Inet4Address> dns,
            Optional<String> domain, List<String> search, Duration leaseTime, OptionalInt mtu,
            boolean unknownMachines, boolean allowOtherServers) {

        public static final Duration DEFAULT_LEASE_TIME = Duration.ofHours(1);

        public Pool {
            dns = List.copyOf(dns);
            search = List.copyOf(search);
        }

        /** The network the pool's addresses are in, when the config says it (subnet, or range and netmask). */
        public Optional<Ipv4.Network> network() {
            if (subnet.isPresent()) {
                return subnet;
            }
            return netmask.flatMap(Ipv4::prefixOf).map(prefix -> Ipv4.Network.of(first, prefix));
        }

        /** How the pool is named in messages: its interface or its subnet. */
        public String name() {
            return iface.map(i -> "interface " + i).orElseGet(() -> "subnet " + subnet.map(Object::toString).orElse("?"));
        }
    }

    /**
     * The {@code images:} section.
     *
     * @param cacheLimitBytes    evict least recently used files of images not in use above this; 0 = no limit
     * @param insecureRegistries {@code host[:port]} of registries spoken to over plain http (loopback always is)
     * @param staleOk            with imagePullPolicy Always, boot the cached image when the registry is down
     * @param pullTimeout        how long a request for a boot file waits for its image's pull before it is
     *                           answered 503; the pull goes on, so a later request finds the files
     * @param prefetchPulls      how many images a new or changed machine file names are pulled at once in
     *                           the background, ahead of the first boot
     */
    public record Images(long cacheLimitBytes, List<String> insecureRegistries, boolean staleOk, Duration pullTimeout,
            int prefetchPulls) {
        public static final Duration DEFAULT_PULL_TIMEOUT = Duration.ofSeconds(120);
        public static final int DEFAULT_PREFETCH_PULLS = 2;

        public Images {
            insecureRegistries = List.copyOf(insecureRegistries);
        }
    }

    /**
     * The {@code chainload:} section.
     *
     * @param ipxe {@code FIRMWARE}: an iPXE in the NIC's ROM (QEMU's, many NICs') gets the boot script
     *             at once; {@code SERVER}: it first chainloads the loader from the tftproot (newer
     *             drivers and features), and that build, recognised by its MAC having fetched the
     *             loader moments before, gets the script
     */
    public record Chainload(Ipxe ipxe) {
        /** Whose iPXE runs the boot script. */
        public enum Ipxe { FIRMWARE, SERVER }

        public static final Chainload DEFAULT = new Chainload(Ipxe.FIRMWARE);
    }

    /**
     * The {@code tftp:} section (RFC 2348 blksize, RFC 7440 windowsize, RFC 2349 timeout).
     *
     * @param maxBlockSize   largest blksize agreed to (8–65464); further clamped to the interface's MTU
     * @param maxWindowSize  largest windowsize agreed to (1–64)
     * @param timeout        retransmission timeout when the client asks for none
     * @param maxRetries     retransmissions of one window before a transfer is given up
     * @param maxSessions    transfers at once; past it, requests get an ERROR saying the server is busy.
     *                       Default: what the process's open files and heap hold ({@link ProcessLimits#sessions})
     * @param maxSessionsPerClient transfers one client address has at once; past it, an ERROR saying so
     * @param rolloverToOne  block numbers go 65535 → 1 instead of → 0, for the few clients that want it
     */
    public record Tftp(int maxBlockSize, int maxWindowSize, Duration timeout, int maxRetries, int maxSessions,
            int maxSessionsPerClient, boolean rolloverToOne) {
        public static final Tftp DEFAULT = new Tftp(65464, 64, Duration.ofSeconds(1), 5, ProcessLimits.sessions(), 16, false);
    }

    /**
     * The {@code http:} section: what one client address, and all, may hold of the HTTP listener.
     *
     * @param maxConnectionsPerClient connections one address has open at once; past it, 503 saying so
     * @param maxConnections          connections open at once from everyone
     * @param maxPullWaitsPerClient   requests of one address waiting for an image pull at once
     * @param maxPullWaits            requests waiting for an image pull at once from everyone
     * @param idleTimeout             how long a connection may wait for its next request, and an answer on
     *                                a full socket without a byte of it leaving
     * @param requestTimeout          how long a request may take from its first byte to its last (then 408)
     */
    public record Http(int maxConnectionsPerClient, int maxConnections, int maxPullWaitsPerClient, int maxPullWaits,
            Duration idleTimeout, Duration requestTimeout) {
        public static final Http DEFAULT = new Http(32, 8192, 8, 2048, Duration.ofSeconds(60),
                Duration.ofSeconds(15));
    }

    /**
     * The {@code proxyDhcp:} section, live.
     *
     * @param maxAnswersPerSecond answers to all clients together per second; past it requests go unanswered
     * @param relaySubnets        networks whose relay agents (giaddr) are answered besides this host's own
     */
    public record ProxyDhcp(int maxAnswersPerSecond, List<Ipv4.Network> relaySubnets) {
        public static final ProxyDhcp DEFAULT = new ProxyDhcp(5000, List.of());

        public ProxyDhcp {
            relaySubnets = List.copyOf(relaySubnets);
        }
    }

    /**
     * The {@code events:} section, live.
     *
     * @param maxFileBytes past this size {@code events.jsonl} becomes {@code events.jsonl.1} and a new one begins
     * @param keepFiles    how many rotated files ({@code events.jsonl.1} … {@code .N}) are kept
     */
    public record Events(long maxFileBytes, int keepFiles) {
        public static final Events DEFAULT = new Events(64L << 20, 5);
    }

    /**
     * The {@code https:} section: every HTTP route served over TLS too, on its own port; the plain
     * port stays, for the PXE ROMs and loaders that have no TLS.
     *
     * @param port        the TLS listener's port on the bind address (0: any free port)
     * @param certificate the admin's certificate chain (PEM, server certificate first) with its
     *                    {@code key}; empty: bootferry's own, signed by the CA it keeps under
     *                    {@code state/tls/}
     * @param key         the private key of {@code certificate} (PEM, PKCS#8 or PKCS#1)
     * @param names       host names bootferry's own certificate names besides its addresses
     */
    public record Https(int port, Optional<Path> certificate, Optional<Path> key, List<String> names) {
        public Https {
            names = List.copyOf(names);
        }
    }

    public static final Map<String, String> DEFAULT_LOADERS = Map.of(
            "bios", "undionly.kpxe",
            "efi-ia32", "ipxe.efi",
            "efi-x64", "ipxe.efi",
            "efi-arm64", "snp.efi");

    public ServerSettings {
        loaders = Map.copyOf(loaders);
    }

    public ServerSettings withApi(Api api) {
        return new ServerSettings(bind, advertise, advertise6, httpPort, tftpPort, dhcpPort, pxePort, dhcp, tftpRoot,
                cache, loaders, state, api, access, images, chainload, tftp, http, proxyDhcp, events, dhcp6, https);
    }

    public ServerSettings withAdvertise6(Optional<String> address) {
        return new ServerSettings(bind, advertise, address, httpPort, tftpPort, dhcpPort, pxePort, dhcp, tftpRoot,
                cache, loaders, state, api, access, images, chainload, tftp, http, proxyDhcp, events, dhcp6, https);
    }

    public ServerSettings withAdvertise(String address) {
        return new ServerSettings(bind, Optional.of(address), advertise6, httpPort, tftpPort, dhcpPort, pxePort, dhcp, tftpRoot,
                cache, loaders, state, api, access, images, chainload, tftp, http, proxyDhcp, events, dhcp6, https);
    }
}
