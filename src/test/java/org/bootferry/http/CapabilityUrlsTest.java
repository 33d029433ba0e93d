package org.bootferry.http;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bootferry.boot.BootPlanner;
import org.bootferry.boot.Capabilities;
import org.bootferry.config.ConfigLoader;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.journal.BootEvents;
import org.bootferry.journal.BootState;
import org.bootferry.journal.CapabilityKey;
import org.bootferry.journal.DiscoveredMachines;
import org.bootferry.journal.LoaderFetches;
import org.bootferry.loader.LoaderFiles;
import org.bootferry.machine.Addressing;
import org.bootferry.machine.BootEvent;
import org.bootferry.machine.Firmware;
import org.bootferry.machine.MacAddress;
import org.bootferry.machine.Machine;
import org.bootferry.machine.UnidentifiedClients;
import org.bootferry.server.Transport;
import org.bootferry.testing.ConfigDir;
import org.bootferry.testing.Ports;
import org.bootferry.testing.Processes;
import org.bootferry.testing.TestClock;
import org.bootferry.testing.Tools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Install files reach their machine only: a running listener answers a machine's private URLs with
 * its capability, the one its boot was handed (the planner's answer, which DHCP sends), and answers
 * 404 with a boot event naming the asker to a request without it or with another machine's.
 */
class CapabilityUrlsTest {

    static final MacAddress NODE1 = MacAddress.parse("52:54:00:12:34:56");
    static final MacAddress NODE2 = MacAddress.parse("52:54:00:12:34:57");
    static final MacAddress OPEN = MacAddress.parse("52:54:00:12:34:58");
    static final Path SHIPPED_TEMPLATES = Path.of("config/templates");

    @TempDir
    Path tmp;
    ConfigSnapshot snapshot;
    Transport transport;
    ExecutorService blocking;
    DiscoveredMachines discovered;
    BootState state;
    BootEvents events;
    BootPlanner planner;
    Channel channel;
    String base;
    int port;
    /** The listener's access log, one line per request. */
    final Logger access = (Logger) LoggerFactory.getLogger(HttpRouter.class);
    final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    Level accessLevel;
    /** The server's clock, which a test moves on. */
    final TestClock clock = new TestClock(Instant.parse("2026-12-04T08:00:00Z"));

    @BeforeEach
    void start() throws Exception {
        Tools.require("curl", "curl");
        logged.start();
        accessLevel = access.getLevel();
        access.setLevel(Level.INFO);
        access.addAppender(logged);
        ConfigDir config = new ConfigDir(tmp.resolve("config"));
        config.blob("boot/vmlinuz", 10_000);
        config.blob("boot/initrd.img", 4096);
        port = Ports.freeTcp();
        // A token set: the shipped kickstarts reported done without it, and still must.
        config.file("server.yaml", "advertise: 127.0.0.1", "httpPort: " + port, "api: {token: 0123456789abcdef0123}",
                "access: {lifetime: 6h}");
        config.file("templates/fedora.ks", Files.readString(SHIPPED_TEMPLATES.resolve("fedora.ks")));
        config.file("templates/user-data", "#cloud-config", "hostname: {{hostname}}");
        for (MacAddress mac : List.of(NODE1, NODE2)) {
            config.file("machines/" + mac.dashed() + ".yaml", "hostname: node-" + mac.dashed().substring(15),
                    "bootOnce: true", "kernelBoot:", "  files: {kernel: boot/vmlinuz, initrd: boot/initrd.img}",
                    "  kernelArgs: inst.ks={{kickstartUrl}} ds=nocloud-net;s={{filesUrl}}",
                    "kickstart: fedora.ks", "files: {user-data: user-data}", "vars: {timezone: UTC}");
        }
        config.file("machines/" + OPEN.dashed() + ".yaml", "hostname: open-01", "access: open", "kernelBoot:",
                "  files: {kernel: boot/vmlinuz}", "kickstart: fedora.ks", "vars: {timezone: UTC}");
        snapshot = ConfigLoader.load(config.dir()).requireValid();
        transport = Transport.create(1);
        blocking = Executors.newCachedThreadPool();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        state = new BootState(tmp.resolve("state"));
        events = new BootEvents(registry, Optional.empty(), 100);
        discovered = new DiscoveredMachines(tmp.resolve("state"), 16, registry);
        listen(registry);
    }

    /** The listener as a server starts it: the key from the state directory, made at the first start. */
    private void listen(PrometheusMeterRegistry registry) throws Exception {
        planner = new BootPlanner(BootPlanner.Dependencies.of(() -> snapshot).withInstalls(state)
                .withCapabilities(Capabilities.of(CapabilityKey.load(tmp.resolve("state")), clock)));
        HttpServices services = new HttpServices(planner, events, events, state, discovered, UnidentifiedClients.NONE, LoaderFetches.onThisHost(),
                LoaderFiles.withDebianIpxe(Files.createDirectories(tmp.resolve("tftproot"))), () -> snapshot, registry,
                registry::scrape, blocking, Optional::empty, () -> Addressing.NONE);
        channel = new HttpServer(services).bind(transport.group(), transport.group(), transport.serverChannel(),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        base = "http://127.0.0.1:" + port;
    }

    @AfterEach
    void stop() {
        access.detachAppender(logged);
        access.setLevel(accessLevel);
        channel.close().syncUninterruptibly();
        blocking.shutdownNow();
        transport.close();
        discovered.close();
    }

    /** What DHCP hands an iPXE of the machine: its script's URL, with a capability issued now. */
    private String scriptUrl(MacAddress mac) {
        return planner.plan(new Machine(mac, Firmware.BIOS, true, Optional.empty())).orElseThrow().bootFile();
    }

    @Test
    void theBootChainWalksOnTheUrlsItIsHandedAndTheShippedKickstartReportsDone() {
        String script = curl("-f", scriptUrl(NODE1)).text();
        String kernel = url(script, "kernel (\\S+)");
        String initrd = url(script, "initrd --name initrd (\\S+)");
        String kickstart = url(script, "inst\\.ks=(\\S+)");
        String files = url(script, "nocloud-net;s=(\\S+/)");
        assertThat(List.of(kernel, initrd, kickstart, files)).allSatisfy(u -> assertThat(u)
                .matches(".*/52-54-00-12-34-56/[0-9a-f]+-[0-9a-f]{32}(/.*)?"));
        assertThat(curl("-f", "-o", "/dev/null", "-w", "%{http_code}", kernel).text()).isEqualTo("200");
        assertThat(curl("-f", "-o", "/dev/null", "-w", "%{http_code}", initrd).text()).isEqualTo("200");
        // cloud-init's NoCloud fetches user-data relative to its seed: it lands under the capability.
        assertThat(curl("-f", files + "user-data").text()).contains("hostname: node-56");
        String ks = curl("-f", kickstart).text();
        // The shipped kickstart's last step, run as anaconda's %post would.
        Matcher post = Pattern.compile("(?m)^curl (.+) \\|\\| true$").matcher(ks);
        assertThat(post.find()).as(ks).isTrue();
        List<String> command = new ArrayList<>(List.of("curl", "-sS"));
        command.addAll(Arrays.asList(post.group(1).split(" ")));
        assertThat(Processes.run(command, 30).text()).isEqualTo("recorded: 52:54:00:12:34:56 installed\n");
        assertThat(state.installed(NODE1)).isPresent();
        // Events and the access log show what was fetched, never the capability that opens it.
        String capability = capability(kernel);
        assertThat(events.recent(Optional.of(NODE1), 20)).extracting(BootEvent::detail)
                .contains("/ks/52-54-00-12-34-56/CAPABILITY").allSatisfy(d -> assertThat(d).doesNotContain(capability));
        assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage)
                .anySatisfy(l -> assertThat(l).startsWith("GET /ks/52-54-00-12-34-56/CAPABILITY 200"))
                .allSatisfy(l -> assertThat(l).doesNotContain(capability));
    }

    @Test
    void withoutItOrWithAnotherMachinesItIs404AndAnEventNamesWhoAsked() {
        String node2 = capability(scriptUrl(NODE2));
        for (String path : List.of("/boot.ipxe?mac=52:54:00:12:34:56", "/boot/52-54-00-12-34-56/kernel",
                "/boot/52-54-00-12-34-56/initrd", "/ks/52-54-00-12-34-56", "/files/52-54-00-12-34-56/user-data",
                "/boot/52-54-00-12-34-56/" + node2 + "/boot.ipxe", "/ks/52-54-00-12-34-56/" + node2,
                "/files/52-54-00-12-34-56/" + node2 + "/user-data", "/boot/52-54-00-12-34-56/" + node2 + "/kernel",
                "/ks/52-54-00-12-34-56/0-00000000000000000000000000000000", "/ks/52-54-00-12-34-56/garbage")) {
            assertThat(curl("-w", " %{http_code}", base + path).text()).as(path).isEqualTo("not found\n 404");
        }
        assertThat(curl("-w", " %{http_code}", "-X", "POST", base + "/done/52-54-00-12-34-56/" + node2).text())
                .isEqualTo("not found\n 404");
        assertThat(state.installed(NODE1)).isEmpty();
        List<String> refused = events.recent(Optional.of(NODE1), 50).stream()
                .filter(e -> e.stage() == BootEvent.Stage.REFUSED).map(BootEvent::detail).toList();
        assertThat(refused).hasSize(12).allSatisfy(d -> assertThat(d).contains(" from 127.0.0.1: ").doesNotContain(node2));
        assertThat(refused.get(0)).isEqualTo("GET /boot.ipxe?mac=52:54:00:12:34:56 from 127.0.0.1: no capability in the URL");
        assertThat(refused.get(5)).isEqualTo("GET /boot/52-54-00-12-34-56/CAPABILITY/boot.ipxe from 127.0.0.1: a capability"
                + " that is not this machine's (another machine's, or altered)");
    }

    @Test
    void itExpiresAfterTheLifetimeAndOutlivesARestart() throws Exception {
        String script = scriptUrl(NODE1);
        String kickstart = url(curl("-f", script).text(), "inst\\.ks=(\\S+)");
        clock.advance(Duration.ofHours(5));
        // A restart: a new listener and planner; the key is read back from the state directory.
        channel.close().syncUninterruptibly();
        listen(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        assertThat(curl("-f", kickstart).text()).startsWith("# Kickstart for node-56");
        clock.advance(Duration.ofHours(1));
        assertThat(curl("-w", " %{http_code}", kickstart).text()).isEqualTo("not found\n 404");
        assertThat(events.recent(Optional.of(NODE1), 1).get(0).detail()).endsWith(": an expired capability");
    }

    @Test
    void anOpenMachineKeepsItsStaticUrlsAndItsDoneIsUnderApiRules() {
        assertThat(scriptUrl(OPEN)).isEqualTo(base + "/boot.ipxe?mac=52:54:00:12:34:58");
        assertThat(curl("-f", base + "/boot.ipxe?mac=52:54:00:12:34:58").text())
                .contains("kernel " + base + "/boot/52-54-00-12-34-58/kernel");
        String ks = curl("-f", base + "/ks/52-54-00-12-34-58").text();
        assertThat(ks).contains("curl -fsS -X POST " + base + "/done/52-54-00-12-34-58 || true");
        assertThat(curl("-w", " %{http_code}", "-X", "POST", base + "/done/52-54-00-12-34-58").text())
                .isEqualTo("a valid api token is required (Authorization: Bearer <token>)\n 401");
        assertThat(curl("-f", "-X", "POST", "-H", "Authorization: Bearer 0123456789abcdef0123",
                base + "/done/52-54-00-12-34-58").text()).isEqualTo("recorded: 52:54:00:12:34:58 installed\n");
    }

    private static String url(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as(regex + " in " + text).isTrue();
        return m.group(1);
    }

    /** The capability segment of a capability URL. */
    private static String capability(String url) {
        return url(url, "/([0-9a-f]+-[0-9a-f]{32})/");
    }

    private static Processes.Result curl(String... args) {
        List<String> command = new ArrayList<>(List.of("curl", "-sS"));
        command.addAll(Arrays.asList(args));
        return Processes.run(command, 30);
    }
}
