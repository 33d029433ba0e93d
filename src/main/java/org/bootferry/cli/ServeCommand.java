package org.bootferry.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.bootferry.boot.ConfigCheck;
import org.bootferry.config.ConfigHolder;
import org.bootferry.config.ConfigLoader;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.server.Advertised;
import org.bootferry.server.BootServer;
import org.bootferry.server.ListenerException;
import org.bootferry.server.SystemdNotify;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bootferry serve}: runs every listener until stopped. Flags override server.yaml. */
@Command(name = "serve", description = "Run the ProxyDHCP, TFTP and HTTP listeners.")
final class ServeCommand implements Callable<Integer> {

    /** The safety net behind the file watcher: a full look at the config directory this often. */
    private static final Duration RESCAN = Duration.ofSeconds(5);

    @Mixin
    ConfigOption config;

    @Mixin
    StateOption state;

    @Option(names = "--tftp-root", paramLabel = "DIR",
            description = "TFTP root (default: $BOOTFERRY_TFTP_ROOT, server.yaml's tftpRoot:, or tftproot/ beside the config dir).")
    Path tftpRoot;

    @Option(names = "--bind", paramLabel = "ADDR", description = "Address every listener binds to (default ::, IPv6 and IPv4; an IPv4 address, 0.0.0.0 too, is IPv4 only).")
    String bind;

    @Option(names = "--advertise", paramLabel = "ADDR",
            description = "Address machines reach us at: next-server and URLs (default: bind address, or this host's first IPv4).")
    String advertise;

    @Option(names = "--advertise6", paramLabel = "ADDR",
            description = "IPv6 address machines that come over IPv6 reach us at: their URLs and DHCPv6 option 59"
                    + " (default: advertise or bind when IPv6, else this host's first global or unique local address).")
    String advertise6;

    @Option(names = "--http-port", paramLabel = "N", description = "HTTP port (default 8080).")
    Integer httpPort;

    @Option(names = "--tftp-port", paramLabel = "N", description = "TFTP port (default 69).")
    Integer tftpPort;

    @Option(names = "--dhcp-port", paramLabel = "N", description = "ProxyDHCP port (default 67).")
    Integer dhcpPort;

    @Option(names = "--pxe-port", paramLabel = "N", description = "PXE boot server port (default 4011).")
    Integer pxePort;

    @Option(names = "--no-dhcp", description = "Run without ProxyDHCP (the site's DHCP server names our boot file).")
    boolean noDhcp;

    @Option(names = "--cache", paramLabel = "DIR",
            description = "Image cache directory (default: $BOOTFERRY_CACHE, server.yaml's cache:, or cache/ beside the config dir).")
    Path cache;

    @Option(names = "--log-format", paramLabel = "FORMAT", converter = Logging.FormatConverter.class,
            defaultValue = "${env:" + Logging.FORMAT_ENV + ":-text}",
            description = "text (dated lines; syslog priorities under journald) or json (one object per line)."
                    + " Default: $BOOTFERRY_LOG_FORMAT, else text.")
    Logging.Format logFormat;

    @Override
    public Integer call() throws InterruptedException, IOException {
        Logging.use(logFormat);
        ConfigLoader loader = new ConfigLoader(config.dir, overrides());
        ConfigOption.Loaded loaded = ConfigOption.load(loader);
        if (!loaded.errors().isEmpty()) {
            loaded.errors().forEach(System.err::println);
            System.err.println("bootferry: not starting: " + loaded.errors().size() + " error(s) in " + config.dir
                    + " (check with: bootferry validate --config " + config.dir + ")");
            return 1;
        }
        ConfigSnapshot snapshot = loaded.snapshot();
        snapshot.warnings().forEach(w -> System.err.println("warning: " + w));
        BootServer server;
        ConfigHolder holder;
        try {
            snapshot = Advertised.filledIn(snapshot);
            holder = new ConfigHolder(loader, snapshot, ConfigCheck::check);
            server = new BootServer(holder);
            server.start(System.out::println);
        } catch (ListenerException e) {
            System.err.println("bootferry: " + e.getMessage());
            return ExitCodes.CANNOT_START;
        }
        holder.watch(RESCAN);
        System.out.println("advertising " + snapshot.settings().advertise().orElseThrow()
                + snapshot.settings().advertise6().map(a -> " and " + a + " (IPv6)").orElse("") + " to machines; watching "
                + config.dir + " for changes");
        // What a newcomer on scripts/run.sh does next: the page lists the machines that network-boot
        // with no machine file, and how to adopt them.
        System.out.println("status page: " + server.statusPage() + " (machines seen but not configured are listed there)");
        new Lifecycle(holder, server, SystemdNotify.fromEnvironment()).run();
        return 0;
    }

    private Map<String, Object> overrides() {
        Map<String, Object> o = new LinkedHashMap<>();
        putIfSet(o, "tftpRoot", tftpRoot == null ? null : tftpRoot.toAbsolutePath().toString());
        putIfSet(o, "cache", cache == null ? null : cache.toAbsolutePath().toString());
        o.putAll(state.overrides());
        putIfSet(o, "bind", bind);
        putIfSet(o, "advertise", advertise);
        putIfSet(o, "advertise6", advertise6);
        putIfSet(o, "httpPort", httpPort);
        putIfSet(o, "tftpPort", tftpPort);
        putIfSet(o, "dhcpPort", dhcpPort);
        putIfSet(o, "pxePort", pxePort);
        if (noDhcp) {
            o.put("dhcp", false);
        }
        return o;
    }

    private static void putIfSet(Map<String, Object> map, String key, Object value) {
        if (value != null) {
            map.put(key, value);
        }
    }
}
