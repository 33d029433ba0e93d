package org.bootferry.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * server.yaml as written, every key optional: what the YAML binder fills in before
 * {@link ServerFileReader} checks it and fills in the defaults. Its components are the keys an
 * admin may write; {@link RestartKeys} says which of them wait for a restart.
 */
record ServerFile(
        String bind, String advertise, String advertise6, Integer httpPort, Integer tftpPort, Integer dhcpPort,
        Integer pxePort, DhcpFile dhcp, String tftpRoot, String cache, Map<String, String> loaders, String state,
        ApiFile api, AccessFile access, ImagesFile images, ChainloadFile chainload, TftpFile tftp, HttpFile http,
        ProxyDhcpFile proxyDhcp, EventsFile events, Dhcp6File dhcp6, HttpsFile https) {

    static final ServerFile EMPTY = new ServerFile(null, null, null, null, null, null, null, null, null, null, null, null,
            null, null, null, null, null, null, null, null, null, null);

    /**
     * The {@code dhcp:} section: {@code true}/{@code false} (proxy/off, the form before modes existed)
     * or a mapping with {@code mode} and, in server mode, the pools.
     */
    record DhcpFile(String mode, List<PoolFile> pools, DnsFile dns) {

        @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
        DhcpFile {
        }

        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        static DhcpFile of(boolean enabled) {
            return new DhcpFile(enabled ? "proxy" : "off", null, null);
        }
    }

    /**
     * One entry of {@code dhcp.pools}: on an interface of this host, or ({@code subnet}) behind a relay.
     * {@code interface} is a Java keyword, hence the component's name.
     */
    record PoolFile(@JsonProperty("interface") String iface, String subnet, String range, String netmask,
            String router, List<String> dns, String domain, List<String> search, String leaseTime, Integer mtu,
            Boolean unknownMachines, Boolean allowOtherServers) {
    }

    /**
     * The {@code dhcp6:} section: the DHCPv6 mode, the interfaces whose link it listens on
     * (ff02::1:2), the IPv6 address machines are told, and the ports (547 and 4011).
     */
    record Dhcp6File(String mode, List<String> interfaces, Integer port, Integer pxePort, List<Pool6File> pools) {
    }

    /** One entry of {@code dhcp6.pools}: the addresses server mode leases on an interface's link, or a relayed one's. */
    record Pool6File(@JsonProperty("interface") String iface, String prefix, String range, String preferredLifetime,
            String validLifetime, List<String> dns, List<String> search, Boolean unknownMachines) {
    }

    /** {@code dhcp.dns}: the DNS listener of server mode. */
    record DnsFile(Integer port, String zone) {
    }

    /** The {@code tftp:} section. */
    record TftpFile(Integer maxBlockSize, Integer maxWindowSize, Integer timeoutMillis, Integer maxRetries,
            Integer maxSessions, Integer maxSessionsPerClient, Integer rolloverTo) {
    }

    /** The {@code http:} section: the listener's limits. */
    record HttpFile(Integer maxConnectionsPerClient, Integer maxConnections, Integer maxPullWaitsPerClient,
            Integer maxPullWaits, Integer idleTimeout, Integer requestTimeout) {
    }

    /** The {@code https:} section: a TLS listener beside the plain one, with the admin's certificate or bootferry's. */
    record HttpsFile(Integer port, String certificate, String key, List<String> names) {
    }

    /** The {@code proxyDhcp:} section: what the ProxyDHCP responder answers at all. */
    record ProxyDhcpFile(Integer maxAnswersPerSecond, List<String> relaySubnets) {
    }

    /** The {@code events:} section: how big the event journal grows. */
    record EventsFile(String maxFileSize, Integer keepFiles) {
    }

    /** The {@code chainload:} section. */
    record ChainloadFile(String ipxe) {
    }

    /** The {@code api:} section. */
    record ApiFile(String token, List<String> allowFrom) {
    }

    /** The {@code access:} section. */
    record AccessFile(String lifetime) {
    }

    /** The {@code images:} section. */
    record ImagesFile(String cacheLimit, List<String> insecureRegistries, Boolean staleOk, Integer pullTimeout,
            Integer prefetchPulls) {
    }
}
