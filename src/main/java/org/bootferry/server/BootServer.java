package org.bootferry.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.core.metrics.Info;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.bootferry.boot.BootPlanner;
import org.bootferry.boot.BootUrls;
import org.bootferry.boot.Capabilities;
import org.bootferry.config.ConfigHolder;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.config.ServerSettings;
import org.bootferry.dhcp.ProxyDhcpServer;
import org.bootferry.http.HttpLimits;
import org.bootferry.http.HttpServer;
import org.bootferry.http.HttpServices;
import org.bootferry.image.ImageResolver;
import org.bootferry.journal.BootEvents;
import org.bootferry.journal.BootState;
import org.bootferry.journal.CapabilityKey;
import org.bootferry.journal.DiscoveredMachines;
import org.bootferry.journal.JournalRotation;
import org.bootferry.journal.LoaderFetches;
import org.bootferry.journal.NeighbourTable;
import org.bootferry.journal.RecentBootFamilies;
import org.bootferry.journal.UnidentifiedLog;
import org.bootferry.journal.StateDirectory;
import org.bootferry.loader.LoaderFiles;
import org.bootferry.loader.LoaderImages;
import org.bootferry.loader.LoaderPresence;
import org.bootferry.machine.Addressing;
import org.bootferry.tftp.BootPlanFiles;
import org.bootferry.tftp.RootDirectory;
import org.bootferry.tftp.TftpFile;
import org.bootferry.tftp.TftpFiles;
import org.bootferry.tftp.TftpServer;

/**
 * Starts and stops every listener, with the state they share: the config in force, boot-once state,
 * the event log and the metrics registry. HTTP, TFTP and ProxyDHCP each run on event loops of their
 * own: a loop busy with sendfile for a storm of initrd downloads, or with a thousand TFTP windows,
 * must not hold up the DISCOVERs and 4011 REQUESTs of the machines that are still powering on (PXE
 * ROMs give up after four tries).
 */
public final class BootServer implements AutoCloseable {

    private static final int EVENTS_KEPT = 10_000;
    /** Unconfigured machines discovery keeps: a few racks' worth, about 300 bytes each in discovered.json. */
    private static final int DISCOVERED_KEPT = 4096;
    private static final long DRAIN_POLL_MILLIS = 50;

    private final ConfigHolder config;
    private final List<Channel> channels = new ArrayList<>();
    /** Listeners that own their sockets; closed before the event loop group. */
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private Transport httpAccept;
    private Transport http;
    private Transport tftp;
    /** The TFTP request socket's loop: requests are read however busy the transfers' loops are. */
    private Transport tftpIntake;
    private Transport dhcp;
    private ExecutorService blocking;
    private BootEvents events;
    private DiscoveredMachines discovered;
    /** The DHCPv6 boot clients no MAC was found for: DHCPv6 records them, the API and status page show them. */
    private final UnidentifiedLog unidentified = new UnidentifiedLog(UnidentifiedLog.CAPACITY);
    /** The HTTP port as bound, once it is. */
    private volatile int statusPort;
    private ImageResolver images;
    private HttpServer httpServer;
    private TftpServer tftpServer;
    private ProxyDhcpServer proxyDhcp;
    private volatile DhcpServerMode dhcpServer;
    private volatile Dhcp6Mode dhcp6;
    /** Why machines can't be answered now; null while every listener is bound. See {@link #notReady()}. */
    private volatile String notReady = "starting: no listener bound yet";

    /** @param config the config in force, asked again on every request (live reload swaps it) */
    public BootServer(ConfigHolder config) {
        this.config = config;
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        Counter reloads = Counter.builder("bootferry_config_reloads").description("Config reloads").register(registry);
        Gauge.builder("bootferry_config_errors", () -> config.get().errors().size())
                .description("Config files with errors (their last good version is in force)").register(registry);
        Gauge.builder("bootferry_config_machines", () -> config.get().machines().size())
                .description("Machine files in force").register(registry);
        // Prometheus' convention for "which version runs where": a constant 1 carrying the version as a label.
        // An Info of the Prometheus client, since Micrometer would strip the "_info" off a gauge's name.
        String version = BootServer.class.getPackage().getImplementationVersion();
        Info.builder().name("bootferry_build_info").help("The running version, in its version label").labelNames("version")
                .register(registry.getPrometheusRegistry()).addLabelValues(version != null ? version : "development");
        config.onReload(r -> reloads.increment());
    }

    public MeterRegistry registry() {
        return registry;
    }

    /**
     * Why this server is not ready to boot machines, or empty when it is: the one notion of ready,
     * which systemd hears as READY=1 and {@code /readyz} answers. Ready means every listener is bound
     * and no stop has begun, and the config on disk can be put in force ({@link ConfigHolder#failure()});
     * the config is loaded before a server exists (a {@link ConfigHolder} starts from a loaded
     * snapshot, and {@code serve} refuses a config with errors).
     */
    public Optional<String> notReady() {
        String why = notReady;
        return why != null ? Optional.of(why) : config.failure();
    }

    /** DHCP and DHCPv6 server mode's addresses, once their listeners run; none in the other modes. */
    private Addressing addressing() {
        DhcpServerMode mode = dhcpServer;
        Dhcp6Mode six = dhcp6;
        Addressing v4 = mode == null ? Addressing.NONE : mode.addressing();
        return six == null ? v4 : six.addressing(v4);
    }

    /** Where the status page is, for the admin: the advertised address and the HTTP port as bound. */
    public String statusPage() {
        return "http://" + BootUrls.host(literal(config.get().settings().advertise().orElse(config.get().settings().bind())))
                + ":" + statusPort + "/";
    }

    /** The one image resolver, once started: what reaches it on a reload is what its pulls use. */
    ImageResolver images() {
        return images;
    }

    /**
     * Binds every listener, reporting each with a {@code listening <proto> <tcp|udp> ADDR:PORT} line.
     *
     * @throws ListenerException naming what to do when a port can't be had; nothing stays bound then
     */
    public void start(Consumer<String> ready) {
        ServerSettings settings = config.get().settings();
        BootState state;
        Capabilities capabilities;
        try {
            StateDirectory.claim(settings.state());
            capabilities = Capabilities.of(CapabilityKey.load(settings.state()), Clock.systemUTC());
            state = new BootState(settings.state());
            events = new BootEvents(registry, Optional.of(settings.state().resolve("events.jsonl")), EVENTS_KEPT,
                    () -> journalRotation(config.get().settings().events()));
            discovered = new DiscoveredMachines(settings.state(), DISCOVERED_KEPT, registry);
        } catch (IOException e) {
            throw new ListenerException(stateUnusable(settings.state(), e), e);
        }
        // As many loops as cores for each, as nginx's worker_processes auto: more HTTP loops than
        // cores would only take CPU time from the datagram loops when all are busy.
        int cores = Runtime.getRuntime().availableProcessors();
        httpAccept = Transport.create(1);
        http = Transport.create(cores);
        tftpIntake = Transport.create(1);
        tftp = Transport.create(cores);
        dhcp = Transport.create(cores);
        blocking = Executors.newCachedThreadPool(daemonThreads("bootferry-blocking"));
        try {
            images = ImageSupport.following(config);
        } catch (IOException e) {
            close();
            throw new ListenerException("cannot open the image cache " + settings.cache() + ": " + e.getMessage()
                    + " (set 'cache:' in server.yaml or --cache to a writable directory)", e);
        }
        LoaderFetches fetches = LoaderFetches.onThisHost();
        RecentBootFamilies families = new RecentBootFamilies(System::nanoTime);
        InetAddress bind = literal(settings.bind());
        List<String> unbound = new ArrayList<>(settings.dhcp().mode() == ServerSettings.Dhcp.Mode.OFF
                ? List.of("http", "tftp") : List.of("http", "tftp", "dhcp"));
        if (settings.dhcp6().mode() != ServerSettings.Dhcp6.Mode.OFF) {
            unbound.add("dhcp6");
        }
        try {
            LoaderFiles loaders = loaders();
            BootPlanner planner = new BootPlanner(BootPlanner.Dependencies.of(config).withInstalls(state)
                    .withImages(images, registry)
                    .withLoaders(fetches::fetchedRecently, new LoaderPresence(loaders)::missing)
                    .withLoaderImages(new LoaderImages(loaders))
                    .withCapabilities(capabilities));
            planner.prefetch(config.get(), events, events);
            config.onReload(r -> planner.prefetch(r.snapshot(), events, events));
            httpServer = new HttpServer(new HttpServices(planner, events, events, state, discovered, unidentified, fetches, loaders,
                    config, registry, registry::scrape, blocking, this::notReady, this::addressing),
                    () -> httpLimits(config.get().settings().http()));
            InetSocketAddress httpAddress = new InetSocketAddress(bind, settings.httpPort());
            Channel channel = bindOrExplain("http", "tcp", httpAddress, "--http-port",
                    () -> httpServer.bind(httpAccept.group(), http.group(), http.serverChannel(), httpAddress));
            statusPort = ((InetSocketAddress) channel.localAddress()).getPort();
            bound(unbound, "http", ready, listening("http", "tcp", httpAddress, channel));
            if (settings.https().isPresent()) { // the same routes behind TLS, beside the plain port
                InetSocketAddress httpsAddress = new InetSocketAddress(bind, settings.https().get().port());
                Optional<SslContext> tls = Optional.of(HttpsCredentials.context(settings));
                ready.accept(listening("https", "tcp", httpsAddress, bindOrExplain("https", "tcp", httpsAddress,
                        "https.port in server.yaml", () -> httpServer.bind(httpAccept.group(), http.group(),
                                http.serverChannel(), httpsAddress, tls))));
            }
            tftpServer = new TftpServer(() -> TftpSection.settings(config.get().settings().tftp()),
                    TftpFiles.chain(new BootPlanFiles(planner), recordingFetches(new RootDirectory(loaders), fetches)),
                    events, registry, NeighbourTable::lookup);
            closeables.add(tftpServer);
            InetSocketAddress tftpAddress = new InetSocketAddress(bind, settings.tftpPort());
            Channel tftpChannel = bindOrExplain("tftp", "udp", tftpAddress, "--tftp-port",
                    () -> tftpServer.bind(tftpIntake.group(), tftp.group(), tftpAddress).sync().channel());
            bound(unbound, "tftp", ready, listening("tftp", "udp", tftpAddress, tftpChannel));
            if (settings.dhcp().mode() == ServerSettings.Dhcp.Mode.PROXY) {
                proxyDhcp = ProxyDhcpMode.start(settings, config, planner, events, registry, discovered, dhcp,
                        line -> bound(unbound, "dhcp", ready, line));
                closeables.add(proxyDhcp);
            } else if (settings.dhcp().mode() == ServerSettings.Dhcp.Mode.SERVER) {
                try {
                    dhcpServer = DhcpServerMode.start(settings, config, planner, events, discovered, families, registry,
                            dhcp.group(), dhcp.datagramChannel());
                } catch (ListenerException e) {
                    throw e; // says what to do already: another DHCP server on every link, the DNS port
                } catch (Exception e) {
                    throw new ListenerException(explainBindFailure("dhcp", "udp",
                            new InetSocketAddress(bind, settings.dhcpPort()), "--dhcp-port (or --no-dhcp)", e), e);
                }
                closeables.add(dhcpServer);
                bound(unbound, "dhcp", ready, listening("dhcp", "udp", new InetSocketAddress(bind, dhcpServer.port())));
                dhcpServer.dnsAddress().ifPresent(dns -> ready.accept(listening("dns", "udp", dns)));
            }
            if (settings.dhcp6().mode() != ServerSettings.Dhcp6.Mode.OFF) {
                dhcp6 = Dhcp6Mode.start(settings, config, planner, events, families, discovered, unidentified, registry,
                        dhcp.group(), dhcp.datagramChannel(), line -> bound(unbound, "dhcp6", ready, line));
                closeables.add(dhcp6);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * A listener is bound: ready once none is left; then its {@code listening} line goes out, so that
     * whoever acts on the line (a test, a log reader) finds {@code /readyz} saying what is left.
     */
    private void bound(List<String> unbound, String listener, Consumer<String> ready, String line) {
        unbound.remove(listener);
        notReady = unbound.isEmpty() ? null : "starting: " + String.join(" and ", unbound) + " not bound yet";
        ready.accept(line);
    }

    /** Why the state directory can't be used, and the three places that choose another. */
    public static String stateUnusable(java.nio.file.Path dir, IOException e) {
        String why = e.getMessage();
        if (e instanceof java.nio.file.AccessDeniedException a) { // its message is the bare path
            why = "permission denied on " + a.getFile();
        } else if (e instanceof java.nio.file.FileAlreadyExistsException a) {
            why = a.getFile() + " exists and is not a directory";
        }
        return "cannot use the state directory " + dir + ": " + why + ". Choose a writable directory for"
                + " boot-once state with --state DIR, the BOOTFERRY_STATE environment variable or 'state:' in server.yaml";
    }

    private static JournalRotation journalRotation(ServerSettings.Events e) {
        return new JournalRotation(e.maxFileBytes(), e.keepFiles());
    }

    private static HttpLimits httpLimits(ServerSettings.Http h) {
        return new HttpLimits(h.maxConnectionsPerClient(), h.maxConnections(), h.maxPullWaitsPerClient(),
                h.maxPullWaits(), h.idleTimeout(), h.requestTimeout());
    }

    /** The loaders of the tftpRoot in force: an edit of it applies to the next request. */
    private LoaderFiles loaders() {
        try {
            return LoaderFiles.withDebianIpxe(() -> config.get().settings().tftpRoot());
        } catch (IOException e) {
            throw new ListenerException("cannot serve loaders from " + config.get().settings().tftpRoot() + ": "
                    + e.getMessage() + " (check --tftp-root or tftpRoot in server.yaml)", e);
        }
    }

    /** TFTP's files, telling {@code fetches} of each one served: the loaders EDK2 PXE clients fetch. */
    private static TftpFiles recordingFetches(TftpFiles files, LoaderFetches fetches) {
        return (name, client) -> {
            Optional<TftpFile> file = files.open(name, client);
            if (file.isPresent()) {
                fetches.fetched(client.getAddress(), name);
            }
            return file;
        };
    }

    /** Binding a listener; Netty reports a refused bind as the cause of its own exception. */
    @FunctionalInterface
    interface Binder {
        Channel bind() throws Exception;
    }

    private Channel bindOrExplain(String name, String proto, InetSocketAddress address, String flag, Binder binder) {
        try {
            Channel channel = binder.bind();
            channels.add(channel);
            return channel;
        } catch (Exception e) {
            throw new ListenerException(explainBindFailure(name, proto, address, flag, e), e);
        }
    }

    static String explainBindFailure(String name, String proto, InetSocketAddress address, String flag, Throwable e) {
        String what = "cannot listen for " + name + " on " + proto + " " + hostPort(address) + ": ";
        String message = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
        if (message.contains("permission denied") || message.contains("access denied")) {
            return what + "permission denied. Ports below 1024 need root or CAP_NET_BIND_SERVICE "
                    + "(e.g. setcap cap_net_bind_service=+ep \"$(readlink -f \"$(command -v java)\")\", or the "
                    + "systemd unit's AmbientCapabilities), or choose another port with " + flag;
        }
        if (message.contains("address already in use")) {
            return what + "the port is already in use by another process (see: ss -lunpt | grep :"
                    + address.getPort() + "); stop it or choose another port with " + flag;
        }
        if (message.contains("cannot assign requested address")) {
            return what + "no interface of this host has that address; check --bind";
        }
        return what + e;
    }

    /** The address as configured (a dual-stack socket reports 0.0.0.0 as ::), the port as bound (0 = any). */
    private static String listening(String name, String proto, InetSocketAddress configured, Channel channel) {
        int port = ((InetSocketAddress) channel.localAddress()).getPort();
        return listening(name, proto, new InetSocketAddress(configured.getAddress(), port));
    }

    static String listening(String name, String proto, InetSocketAddress bound) {
        return "listening " + name + " " + proto + " " + hostPort(bound);
    }

    private static String hostPort(InetSocketAddress address) {
        return BootUrls.host(address.getAddress()) + ":" + address.getPort();
    }

    static InetAddress literal(String address) {
        try {
            return InetAddress.getByName(address);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("not an address: " + address, e);
        }
    }

    private static java.util.concurrent.ThreadFactory daemonThreads(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Stops as a service manager's stop should: no new requests, transfers and downloads already
     * under way get up to {@code drain} to finish (a machine cut off mid-initrd retries from the
     * start, or gives up), then everything closes. Bounded, so a stuck client never holds a stop.
     */
    public void stop(Duration drain) {
        notReady = "stopping";
        if (proxyDhcp != null) {
            proxyDhcp.close(); // stateless answers: nothing to finish
        }
        for (Channel channel : channels) {
            channel.close().syncUninterruptibly(); // the HTTP accept socket and the TFTP request socket
        }
        long deadline = System.nanoTime() + drain.toNanos();
        while (busy() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(DRAIN_POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        close();
    }

    /** HTTP requests and TFTP transfers still under way. */
    private int busy() {
        return (httpServer == null ? 0 : httpServer.requestsInFlight())
                + (tftpServer == null ? 0 : tftpServer.activeTransfers());
    }

    @Override
    public void close() {
        notReady = "stopped";
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Exception e) {
                // Closing sockets at shutdown: nothing left to save.
            }
        }
        closeables.clear();
        for (Channel channel : channels) {
            channel.close().syncUninterruptibly();
        }
        channels.clear();
        if (blocking != null) {
            blocking.shutdownNow();
        }
        for (Transport transport : new Transport[] {httpAccept, http, tftpIntake, tftp, dhcp}) {
            if (transport != null) {
                transport.close();
            }
        }
        if (events != null) {
            try {
                events.close();
            } catch (IOException e) {
                // The journal is flushed after every event; a failing close loses nothing.
            }
        }
        if (discovered != null) {
            discovered.close();
        }
        if (images != null) {
            images.close();
        }
    }
}
