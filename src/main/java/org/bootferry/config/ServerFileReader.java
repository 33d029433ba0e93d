package org.bootferry.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.bootferry.lang.Ipv4;

/**
 * Reads {@code server.yaml} into {@link ServerSettings}: binds it, lays the command line's
 * overrides over it, checks each value and fills in the defaults. A value that fails its check is
 * reported and replaced by its default, so the other keys are still read and all errors are listed
 * at once.
 */
final class ServerFileReader {

    private final Path dir;
    private final Path file;
    /** The file's lines, for the line numbers of errors found after binding. */
    private final List<String> lines;
    private final LoadContext context;

    private ServerFileReader(Path dir, List<String> lines, LoadContext context) {
        this.dir = dir;
        this.file = dir.resolve("server.yaml");
        this.lines = lines;
        this.context = context;
    }

    /**
     * @param overrides server.yaml keys set on the command line; they win over the file
     */
    static ServerSettings read(Path dir, Map<String, Object> overrides, LoadContext context) {
        Path file = dir.resolve("server.yaml");
        ServerFile fromFile = ServerFile.EMPTY;
        List<String> lines = List.of();
        if (Files.exists(file)) {
            YamlFiles.Read<ServerFile> read = YamlFiles.read(dir, file, ServerFile.class);
            read.error().ifPresent(context::error);
            fromFile = read.value().orElse(fromFile);
            lines = read.lines();
        }
        return new ServerFileReader(dir, lines, context).settings(withOverrides(fromFile, overrides, context));
    }

    /** The settings of a directory without a server.yaml. */
    static ServerSettings defaults(Path dir, LoadContext context) {
        return new ServerFileReader(dir, List.of(), context).settings(ServerFile.EMPTY);
    }

    private static ServerFile withOverrides(ServerFile fromFile, Map<String, Object> overrides, LoadContext context) {
        if (overrides.isEmpty()) {
            return fromFile;
        }
        Map<String, Object> merged = YamlFiles.MAPPER.convertValue(fromFile,
                new TypeReference<LinkedHashMap<String, Object>>() { });
        merged.putAll(overrides);
        try {
            return YamlFiles.MAPPER.readValue(YamlFiles.MAPPER.writeValueAsString(merged), ServerFile.class);
        } catch (JsonProcessingException e) {
            context.error(Path.of("command line"), 0, YamlFiles.describe(e));
            return fromFile;
        }
    }

    private ServerSettings settings(ServerFile f) {
        String bind = f.bind() != null ? f.bind() : "::";
        checkAddress("bind", bind);
        Optional<String> advertise = Optional.ofNullable(f.advertise());
        advertise.ifPresent(a -> checkAddress("advertise", a));
        Optional<String> advertise6 = Optional.ofNullable(f.advertise6());
        advertise6.ifPresent(this::checkAdvertise6);
        if (advertise6.isPresent() && bind.matches("[0-9.]+")) {
            // A warning: the machines that are told it would find nothing there, the others boot as before.
            context.warning(new ConfigError(file, 0, "'advertise6': " + advertise6.get() + " while 'bind' is the IPv4"
                    + " address " + bind + ", which listens on IPv4 only: bind :: (the default) or an IPv6 address of this host"));
        }
        // Every directory absolute: the same place written out, relative or left to its default, is
        // one value, so removing `state: ../state` is no edit of a restart key.
        Path base = dir.toAbsolutePath().normalize();
        Path parent = base.getParent();
        return new ServerSettings(
                bind,
                advertise,
                advertise6,
                port("httpPort", f.httpPort(), 8080),
                port("tftpPort", f.tftpPort(), 69),
                port("dhcpPort", f.dhcpPort(), 67),
                port("pxePort", f.pxePort(), 4011),
                DhcpSection.read(f.dhcp(), this::errorAt),
                f.tftpRoot() != null ? base.resolve(f.tftpRoot()).normalize() : parent.resolve("tftproot"),
                f.cache() != null ? base.resolve(f.cache()).normalize() : parent.resolve("cache"),
                loaders(f.loaders()),
                f.state() != null ? base.resolve(f.state()).normalize() : parent.resolve("state"),
                api(f.api()),
                access(f.access()),
                images(f.images()),
                chainload(f.chainload()),
                tftp(f.tftp()),
                http(f.http()),
                proxyDhcp(f.proxyDhcp()),
                events(f.events()),
                Dhcp6Section.read(f.dhcp6(), this::errorAt),
                https(f.https(), base));
    }

    /**
     * The {@code https:} section: a port turns TLS on; the admin's certificate and key come as a
     * pair, and host names are only for the certificate bootferry makes itself.
     */
    private Optional<ServerSettings.Https> https(ServerFile.HttpsFile h, Path base) {
        if (h == null) {
            return Optional.empty();
        }
        if (h.port() == null) {
            errorAt("https", "https: no port (write e.g. port: 8443): the section turns on a TLS listener beside"
                    + " httpPort");
            return Optional.empty();
        }
        if ((h.certificate() == null) != (h.key() == null)) {
            errorAt(h.certificate() == null ? "key" : "certificate", "https: write certificate and key together"
                    + " (PEM files), or neither for a certificate signed by bootferry's own CA");
        }
        List<String> names = h.names() == null ? List.of() : h.names();
        if (h.certificate() != null && !names.isEmpty()) {
            errorAt("names", "https.names: only for the certificate bootferry makes; the admin's certificate"
                    + " names its hosts itself");
        }
        for (String name : names) {
            if (name == null || !name.matches("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?")) {
                errorAt("names", "https.names: '" + name + "' is not a host name (write e.g. boot.lab)");
            }
        }
        boolean pair = h.certificate() != null && h.key() != null;
        if (h.port() < 0 || h.port() > 65535) {
            errorAt("port", "https.port: " + h.port() + " is not a port (1-65535, or 0 for any free port)");
            return Optional.empty();
        }
        return Optional.of(new ServerSettings.Https(h.port(),
                pair ? Optional.of(base.resolve(h.certificate()).normalize()) : Optional.empty(),
                pair ? Optional.of(base.resolve(h.key()).normalize()) : Optional.empty(),
                names.stream().filter(Objects::nonNull).toList()));
    }

    /** The defaults with the file's entries over them: naming one firmware's loader keeps the others'. */
    private Map<String, String> loaders(Map<String, String> written) {
        Map<String, String> loaders = new LinkedHashMap<>(ServerSettings.DEFAULT_LOADERS);
        if (written != null) {
            written.forEach((firmware, loader) -> {
                if (loader == null || loader.isBlank()) {
                    errorAt(firmware, "loaders." + firmware + ": no loader named (write e.g. " + firmware + ": "
                            + ServerSettings.DEFAULT_LOADERS.getOrDefault(firmware, "ipxe.efi") + ", a file in tftpRoot)");
                } else {
                    loaders.put(firmware, loader);
                }
            });
        }
        return loaders;
    }

    private ServerSettings.Tftp tftp(ServerFile.TftpFile t) {
        ServerSettings.Tftp d = ServerSettings.Tftp.DEFAULT;
        if (t == null) {
            return d;
        }
        if (t.rolloverTo() != null && t.rolloverTo() != 0 && t.rolloverTo() != 1) {
            errorAt("rolloverTo", "tftp.rolloverTo: " + t.rolloverTo() + " is neither 0 (after block 65535"
                    + " comes 0, as tftp-hpa and most clients expect) nor 1");
        }
        return new ServerSettings.Tftp(
                range("tftp", "maxBlockSize", t.maxBlockSize(), d.maxBlockSize(), 8, 65464),
                range("tftp", "maxWindowSize", t.maxWindowSize(), d.maxWindowSize(), 1, 64),
                Duration.ofMillis(range("tftp", "timeoutMillis", t.timeoutMillis(), (int) d.timeout().toMillis(), 10,
                        255_000)),
                range("tftp", "maxRetries", t.maxRetries(), d.maxRetries(), 0, 100),
                range("tftp", "maxSessions", t.maxSessions(), d.maxSessions(), 1, 1_000_000),
                range("tftp", "maxSessionsPerClient", t.maxSessionsPerClient(), d.maxSessionsPerClient(), 1, 1_000_000),
                t.rolloverTo() != null && t.rolloverTo() == 1);
    }

    /** The {@code http:} section; timeouts in seconds. */
    private ServerSettings.Http http(ServerFile.HttpFile h) {
        ServerSettings.Http d = ServerSettings.Http.DEFAULT;
        if (h == null) {
            return d;
        }
        return new ServerSettings.Http(
                range("http", "maxConnectionsPerClient", h.maxConnectionsPerClient(), d.maxConnectionsPerClient(), 1,
                        1_000_000),
                range("http", "maxConnections", h.maxConnections(), d.maxConnections(), 1, 1_000_000),
                range("http", "maxPullWaitsPerClient", h.maxPullWaitsPerClient(), d.maxPullWaitsPerClient(), 1,
                        1_000_000),
                range("http", "maxPullWaits", h.maxPullWaits(), d.maxPullWaits(), 1, 1_000_000),
                Duration.ofSeconds(range("http", "idleTimeout", h.idleTimeout(), (int) d.idleTimeout().toSeconds(), 1,
                        86_400)),
                Duration.ofSeconds(range("http", "requestTimeout", h.requestTimeout(),
                        (int) d.requestTimeout().toSeconds(), 1, 3600)));
    }

    /** The {@code proxyDhcp:} section; a relay subnet that is no network is reported and left out. */
    private ServerSettings.ProxyDhcp proxyDhcp(ServerFile.ProxyDhcpFile p) {
        ServerSettings.ProxyDhcp d = ServerSettings.ProxyDhcp.DEFAULT;
        if (p == null) {
            return d;
        }
        List<Ipv4.Network> subnets = new ArrayList<>();
        for (String written : p.relaySubnets() == null ? List.<String>of() : p.relaySubnets()) {
            Optional<Ipv4.Network> subnet = Ipv4.Network.parse(written);
            if (subnet.isPresent()) {
                subnets.add(subnet.get());
            } else {
                errorAt("relaySubnets", "proxyDhcp.relaySubnets: " + (written == null ? "an empty entry" : "'"
                        + written + "' is not an IPv4 network") + " (write e.g. 10.21.0.0/24, host bits zero)");
            }
        }
        return new ServerSettings.ProxyDhcp(range("proxyDhcp", "maxAnswersPerSecond", p.maxAnswersPerSecond(),
                d.maxAnswersPerSecond(), 1, 1_000_000), subnets);
    }

    /** The {@code events:} section: a size from 4 KiB (a few dozen events) and 1-100 files kept. */
    private ServerSettings.Events events(ServerFile.EventsFile e) {
        ServerSettings.Events d = ServerSettings.Events.DEFAULT;
        if (e == null) {
            return d;
        }
        long size = d.maxFileBytes();
        if (e.maxFileSize() != null) {
            Optional<Long> parsed = ByteSize.parse(e.maxFileSize());
            if (parsed.isEmpty() || parsed.get() < 4096) {
                errorAt("maxFileSize", "events.maxFileSize: '" + e.maxFileSize() + "' is not a size of at least 4KiB"
                        + " (write e.g. 64MiB, 1GB)");
            } else {
                size = parsed.get();
            }
        }
        return new ServerSettings.Events(size, range("events", "keepFiles", e.keepFiles(), d.keepFiles(), 1, 100));
    }

    /** A whole number of a section within its range, or its default with an error. */
    private int range(String section, String key, Integer value, int fallback, int min, int max) {
        if (value == null) {
            return fallback;
        }
        if (value < min || value > max) {
            errorAt(key, section + "." + key + ": " + value + " is out of range (" + min + "-" + max + ")");
            return fallback;
        }
        return value;
    }

    /**
     * The {@code images:} section. Registry names are kept as written: whether one is a registry
     * host is the image package's to say.
     */
    /** An install takes minutes to hours: a capability that lives less than a minute or more than a week is a slip. */
    private ServerSettings.Access access(ServerFile.AccessFile access) {
        if (access == null || access.lifetime() == null) {
            return ServerSettings.Access.DEFAULT;
        }
        Optional<Duration> lifetime = TimeSpan.parse(access.lifetime());
        if (lifetime.isEmpty() || lifetime.get().compareTo(Duration.ofMinutes(1)) < 0
                || lifetime.get().compareTo(Duration.ofDays(7)) > 0) {
            errorAt("lifetime", "access.lifetime: write a time from 1m to 7d (e.g. 6h, 90m, 1d): how long a"
                    + " machine's capability URLs work after it booted");
            return ServerSettings.Access.DEFAULT;
        }
        return new ServerSettings.Access(lifetime.get());
    }

    private ServerSettings.Images images(ServerFile.ImagesFile images) {
        if (images == null) {
            return new ServerSettings.Images(0, List.of(), false, ServerSettings.Images.DEFAULT_PULL_TIMEOUT,
                    ServerSettings.Images.DEFAULT_PREFETCH_PULLS);
        }
        long limit = 0;
        if (images.cacheLimit() != null) {
            Optional<Long> parsed = ByteSize.parse(images.cacheLimit());
            if (parsed.isEmpty()) {
                errorAt("cacheLimit", "images.cacheLimit: '" + images.cacheLimit() + "' is not a size"
                        + " (write e.g. 20GiB, 500MB, or 0 for no limit)");
            } else {
                limit = parsed.get();
            }
        }
        List<String> insecure = images.insecureRegistries() == null ? List.of() : images.insecureRegistries();
        if (insecure.stream().anyMatch(Objects::isNull)) {
            errorAt("insecureRegistries", "images.insecureRegistries: an empty entry (write host[:port], e.g."
                    + " registry.lab:5000)");
        }
        Duration timeout = ServerSettings.Images.DEFAULT_PULL_TIMEOUT;
        if (images.pullTimeout() != null) {
            if (images.pullTimeout() < 1) {
                errorAt("pullTimeout", "images.pullTimeout: " + images.pullTimeout() + " is not a number of"
                        + " seconds of at least 1");
            } else {
                timeout = Duration.ofSeconds(images.pullTimeout());
            }
        }
        int prefetch = ServerSettings.Images.DEFAULT_PREFETCH_PULLS;
        if (images.prefetchPulls() != null) {
            if (images.prefetchPulls() < 1) {
                errorAt("prefetchPulls", "images.prefetchPulls: " + images.prefetchPulls() + " is not a number of"
                        + " pulls of at least 1");
            } else {
                prefetch = images.prefetchPulls();
            }
        }
        return new ServerSettings.Images(limit, insecure.stream().filter(Objects::nonNull).toList(),
                Boolean.TRUE.equals(images.staleOk()), timeout, prefetch);
    }

    private ServerSettings.Chainload chainload(ServerFile.ChainloadFile chainload) {
        if (chainload == null || chainload.ipxe() == null) {
            return ServerSettings.Chainload.DEFAULT;
        }
        for (ServerSettings.Chainload.Ipxe ipxe : ServerSettings.Chainload.Ipxe.values()) {
            if (ipxe.name().equalsIgnoreCase(chainload.ipxe())) {
                return new ServerSettings.Chainload(ipxe);
            }
        }
        context.error(file, 0, "chainload.ipxe: '" + chainload.ipxe() + "' is neither 'firmware' (the"
                + " NIC's iPXE runs the boot script) nor 'server' (it first chainloads the loader from tftpRoot)");
        return ServerSettings.Chainload.DEFAULT;
    }

    private ServerSettings.Api api(ServerFile.ApiFile api) {
        if (api == null) {
            return new ServerSettings.Api(Optional.empty(), List.of());
        }
        List<String> allow = api.allowFrom() == null ? List.of() : api.allowFrom();
        for (String cidr : allow) {
            if (cidr == null) {
                errorAt("allowFrom", "api.allowFrom: an empty entry (write an address block, e.g. 10.0.0.0/8)");
            } else if (!Cidr.isValid(cidr)) {
                context.error(file, 0, "api.allowFrom: '" + cidr + "' is not an address block"
                        + " (write e.g. 10.0.0.0/8 or 192.0.2.7/32)");
            }
        }
        if (api.token() != null && api.token().length() < 16) {
            context.error(file, 0, "api.token: use at least 16 characters (e.g. openssl rand -hex 16)");
        }
        return new ServerSettings.Api(Optional.ofNullable(api.token()), allow.stream().filter(Objects::nonNull).toList());
    }

    private int port(String key, Integer value, int fallback) {
        int port = value != null ? value : fallback;
        if (port < 0 || port > 65535) {
            context.error(file, 0, "'" + key + "': " + port + " is not a port (1-65535, or 0 for any free port)");
            return fallback;
        }
        return port;
    }

    private void checkAddress(String key, String address) {
        // Only literal addresses: a name would make every start depend on DNS.
        boolean literal = address.matches("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*");
        if (literal) {
            try {
                InetAddress.getByName(address);
            } catch (UnknownHostException e) {
                literal = false;
            }
        }
        if (!literal) {
            context.error(file, 0, "'" + key + "': '" + address + "' is not an IP address");
        }
    }

    /**
     * An IPv6 address with a scope beyond the link: a link-local one would need the client's zone in
     * every URL, which EDK2 does not parse (PxeBcExtractBootFileUrl takes a bare literal) and no
     * server can know (iPXE names its interface {@code net0}).
     */
    private void checkAdvertise6(String address) {
        InetAddress parsed;
        try {
            parsed = address.matches("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*") ? InetAddress.getByName(address) : null;
        } catch (UnknownHostException e) {
            parsed = null;
        }
        if (!(parsed instanceof java.net.Inet6Address)) {
            context.error(file, 0, "'advertise6': '" + address + "' is not an IPv6 address");
        } else if (parsed.isLinkLocalAddress() || parsed.isAnyLocalAddress()) {
            context.error(file, 0, "'advertise6': '" + address + "' is " + (parsed.isAnyLocalAddress() ? "the wildcard"
                    : "link-local") + ": name a global or unique local (fd00::/8) address of this host, which"
                    + " machines reach without a zone");
        }
    }

    private void errorAt(String key, String message) {
        context.error(file, YamlFiles.lineOf(lines, key), message);
    }
}
