package org.bootferry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bootferry.config.ConfigLoader;
import org.bootferry.dhcp6.Duid;
import org.bootferry.dhcp6.Lease6;
import org.bootferry.dhcp6.Opaque;
import org.bootferry.lang.RecordJournal;
import org.bootferry.machine.MacAddress;
import org.bootferry.server.Advertised;
import org.bootferry.testing.Commands;
import org.bootferry.testing.ConfigDir;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The commands as an admin runs them: exit codes and what they print. */
class CliTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    ConfigDir config;

    @BeforeEach
    void goodConfig() {
        config = new ConfigDir(tmp.resolve("config"));
        config.blob("boot/vmlinuz", 100);
        config.file("server.yaml", "advertise: 127.0.0.1");
        config.file("machines/52-54-00-12-34-56.yaml", "hostname: node-01", "kernelBoot:",
                "  files: {kernel: boot/vmlinuz}", "  kernelArgs: console=ttyS0");
    }

    private static Commands.Run run(String... args) {
        return Commands.bootferry(args);
    }

    @Test
    void validateAcceptsAGoodConfig() {
        Commands.Run r = run("validate", "--config", config.dir().toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEqualTo(config.dir() + ": OK (1 machines, 0 profiles, 0 templates)\n");
    }

    @Test
    void validateListsTheMachineFilesWithOpenAccess() {
        config.file("profiles/static.yaml", "access: open");
        config.file("machines/52-54-00-12-34-57.yaml", "hostname: node-02", "profile: static", "kernelBoot:",
                "  files: {kernel: boot/vmlinuz}");
        config.file("machines/52-54-00-12-34-58.yaml", "hostname: node-03", "access: open", "kernelBoot:",
                "  files: {kernel: boot/vmlinuz}");
        Commands.Run r = run("validate", "--config", config.dir().toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEqualTo("access: open (static install URLs, anyone who names the MAC may fetch them):"
                + " 2 machine file(s)\n  " + config.dir().resolve("machines/52-54-00-12-34-57.yaml") + "\n  "
                + config.dir().resolve("machines/52-54-00-12-34-58.yaml") + "\n"
                + config.dir() + ": OK (3 machines, 1 profiles, 0 templates)\n");
    }

    @Test
    void validatePrintsFileLineMessageAndExitsOne() {
        config.file("machines/52-54-00-12-34-57.yaml", "hostname: node-02", "kernelBoot:", "  kernelArg: x");
        Commands.Run r = run("validate", "--config", config.dir().toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).isEqualTo(config.dir().resolve("machines/52-54-00-12-34-57.yaml")
                + ":3: unknown key 'kernelArg' in 'kernelBoot' (did you mean 'kernelArgs'?)\n1 error(s) in " + config.dir() + "\n");
    }

    @Test
    void serveRefusesToStartOnABadFileWithTheSameMessage() {
        config.file("machines/52-54-00-12-34-57.yaml", "hostname: \"unterminated", "kernelBoot: {}");
        Commands.Run r = run("serve", "--config", config.dir().toString(), "--http-port", "0", "--no-dhcp");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).startsWith(config.dir().resolve("machines/52-54-00-12-34-57.yaml") + ":")
                .contains("YAML syntax error")
                .contains("bootferry: not starting: 1 error(s) in " + config.dir());
    }

    @Test
    void serveSaysWhatToDoWhenThePortIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Commands.Run r = run("serve", "--config", config.dir().toString(), "--bind", "127.0.0.1",
                    "--http-port", String.valueOf(taken.getLocalPort()), "--no-dhcp", "--tftp-port", "0",
                    "--tftp-root", tmp.toString());
            assertThat(r.exit()).isEqualTo(3);
            assertThat(r.err()).isEqualTo("bootferry: cannot listen for http on tcp 127.0.0.1:" + taken.getLocalPort()
                    + ": the port is already in use by another process (see: ss -lunpt | grep :" + taken.getLocalPort()
                    + "); stop it or choose another port with --http-port\n");
        }
    }

    @Test
    void explainShowsEveryStage() {
        Commands.Run r = run("explain", "52:54:00:12:34:56", "--config", config.dir().toString(), "--firmware", "efi-x64");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("dhcp      boot file ipxe.efi for efi-x64, next-server 127.0.0.1")
                .contains("ipxe      boot file http://127.0.0.1:8080/boot/52-54-00-12-34-56/CAPABILITY/boot.ipxe")
                .contains("cmdline   console=ttyS0");
    }

    @Test
    void explainOfAnUnknownMacSaysItIsNotAnswered() {
        Commands.Run r = run("explain", "52-54-00-00-00-09", "--config", config.dir().toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).isEqualTo("52:54:00:00:00:09: not answered (no machines/52-54-00-00-00-09.yaml and no machines/default.yaml)\n");
    }

    @Test
    void leasesOutsideServerModeSayWhoGivesTheAddresses() {
        Commands.Run r = run("leases", "--config", config.dir().toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("bootferry: no leases here: server.yaml has dhcp mode proxy, so the site's DHCP"
                + " server gives the addresses (dhcp: {mode: server} makes bootferry the network's DHCP server), and"
                + " dhcp6 is not in server mode either\n");
    }

    /** As DHCPv4's: DHCPv6 server mode's bindings from its journal, and an ip6: before any client holds it. */
    @Test
    void leasesListDhcp6BindingsAndAnIp6NoClientHoldsYet() throws Exception {
        config.file("server.yaml", "advertise: 127.0.0.1", "advertise6: fd43::1", "dhcp6:", "  mode: server",
                "  pools:", "    - prefix: fd43::/64", "      range: fd43::100-fd43::1ff");
        config.file("machines/52-54-00-12-34-56.yaml", "hostname: node-01", "ip6: fd43::21", "kernelBoot:",
                "  files: {kernel: boot/vmlinuz}");
        config.file("machines/52-54-00-12-34-57.yaml", "hostname: node-02", "kernelBoot:",
                "  files: {kernel: boot/vmlinuz}");
        Path state = tmp.resolve("state");
        Files.createDirectories(state.resolve("dhcp6"));
        long until = Instant.parse("2100-01-01T00:00:00Z").toEpochMilli();
        Files.writeString(state.resolve("dhcp6/leases.journal"), RecordJournal.line(new Lease6(
                (Inet6Address) InetAddress.getByName("fd43::100"), Optional.of(new Lease6.Holder(
                        new Duid.LinkLayer(1, Opaque.hex("525400123457")), 7, Optional.of(MacAddress.parse(
                                "52:54:00:12:34:57")))), until), Lease6.FORMAT));

        Commands.Run table = run("leases", "--config", config.dir().toString(), "--state", state.toString());
        assertThat(table.exit()).as(table.err()).isZero();
        assertThat(table.out().lines().toList()).hasSize(3).satisfiesExactly(
                header -> assertThat(header).startsWith("ADDRESS6").contains("DUID/IAID"),
                reserved -> assertThat(reserved.split(" +")).containsExactly("fd43::21", "52:54:00:12:34:56",
                        "node-01", "reserved", "-", "prefix", "fd43::/64", "-"),
                bound -> assertThat(bound.split(" +")).containsExactly("fd43::100", "52:54:00:12:34:57", "node-02",
                        "bound", "2100-01-01T00:00:00Z", "prefix", "fd43::/64", "00030001525400123457/7"));

        Commands.Run json = run("leases", "--config", config.dir().toString(), "--state", state.toString(), "--json");
        assertThat(json.exit()).isZero();
        assertThat(JSON.readTree(json.out())).isEqualTo(JSON.readTree("[{\"address\":\"fd43::21\",\"mac\":\"52:54:00:12:34:56\","
                + "\"hostname\":\"node-01\",\"state\":\"reserved\",\"reserved\":true,\"pool\":\"prefix fd43::/64\"},"
                + "{\"address\":\"fd43::100\",\"mac\":\"52:54:00:12:34:57\",\"hostname\":\"node-02\",\"state\":"
                + "\"bound\",\"expires\":\"2100-01-01T00:00:00Z\",\"reserved\":false,\"pool\":\"prefix fd43::/64\","
                + "\"duid\":\"00030001525400123457\",\"iaid\":7}]"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"serve", "validate", "explain", "pull", "reset", "leases", "discovered", "adopt", "version",
            "completion"})
    void everyCommandHasHelp(String command) {
        for (String flag : List.of("--help", "-h")) {
            Commands.Run r = run(command, flag);
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).startsWith("Usage: bootferry " + command);
        }
        assertThat(run("help", command).out()).isEqualTo(run(command, "--help").out());
    }

    @Test
    void helpServeNamesThePathFlagsAndTheirVariables() {
        Commands.Run r = run("help", "serve");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("--state=DIR", "$BOOTFERRY_STATE", "--cache=DIR", "$BOOTFERRY_CACHE",
                "--tftp-root=DIR", "$BOOTFERRY_TFTP_ROOT", "$BOOTFERRY_CONFIG");
        assertThat(run("--help").out()).contains("Exit codes:", "completion", "help");
    }

    @Test
    void aUsageErrorPrintsTheMessageAndUsageAndExitsTwo() {
        Commands.Run unknown = run("serve", "--bogus");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).startsWith("Unknown option: '--bogus'\nUsage: bootferry serve");
        Commands.Run missing = run("explain");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).startsWith("Missing required parameter: 'MAC'\nUsage: bootferry explain");
        Commands.Run none = run();
        assertThat(none.exit()).isEqualTo(2);
        for (Commands.Run r : List.of(unknown, missing, none)) {
            assertThat(r.out() + r.err()).doesNotContain("Exception").doesNotContain("at org.");
        }
    }

    @Test
    void explainOfAMalformedMacOrFirmwareIsAUsageError() {
        Commands.Run mac = run("explain", "zz", "--config", config.dir().toString());
        assertThat(mac.exit()).isEqualTo(2);
        assertThat(mac.err()).startsWith("Invalid value for positional parameter at index 0 (MAC): not a MAC address: 'zz'")
                .doesNotContain("Exception").doesNotContain("at org.");
        Commands.Run fw = run("explain", "52:54:00:12:34:56", "--firmware", "bogus", "--config", config.dir().toString());
        assertThat(fw.exit()).isEqualTo(2);
        assertThat(fw.err()).startsWith("Invalid value for option '--firmware': unknown firmware 'bogus' (known: ")
                .doesNotContain("Exception").doesNotContain("at org.");
        assertThat(run("reset", "zz").exit()).isEqualTo(2);
    }

    /**
     * The variables come through picocli's default provider, which the tests hand an environment of
     * their own (a JVM can't change its real one).
     */
    @Test
    void pathFlagsDefaultToBootferryVariablesAndFlagsWin() {
        Commands.Run env = Commands.bootferryWith(Map.of("BOOTFERRY_CONFIG", config.dir().toString()), "validate");
        assertThat(env.exit()).as(env.err()).isZero();
        assertThat(env.out()).startsWith(config.dir() + ": OK");
        Commands.Run flag = Commands.bootferryWith(Map.of("BOOTFERRY_CONFIG", tmp.resolve("nowhere").toString()),
                "validate", "--config", config.dir().toString());
        assertThat(flag.out()).startsWith(config.dir() + ": OK");
        Path state = tmp.resolve("var-lib-bootferry");
        Commands.Run reset = Commands.bootferryWith(Map.of("BOOTFERRY_STATE", state.toString()),
                "reset", "52:54:00:12:34:56", "--config", config.dir().toString());
        assertThat(reset.exit()).as(reset.err()).isZero();
        assertThat(state.resolve("bootferry-state")).exists();
        assertThat(tmp.resolve("state")).doesNotExist();
    }

    @Test
    void stateComesFromTheFlagThenTheVariableThenServerYaml() {
        config.file("server.yaml", "advertise: 127.0.0.1", "state: ../yaml-state");
        String mac = "52:54:00:12:34:56";
        String dir = config.dir().toString();
        run("reset", mac, "--config", dir);
        assertThat(tmp.resolve("yaml-state/bootferry-state")).exists();
        Map<String, String> env = Map.of("BOOTFERRY_STATE", tmp.resolve("env-state").toString());
        Commands.bootferryWith(env, "reset", mac, "--config", dir);
        assertThat(tmp.resolve("env-state/bootferry-state")).exists();
        Commands.bootferryWith(env, "reset", mac, "--config", dir, "--state", tmp.resolve("flag-state").toString());
        assertThat(tmp.resolve("flag-state/bootferry-state")).exists();
    }

    @Test
    void explainAdvertisesWhatServeWould() {
        config.file("server.yaml", "httpPort: 8080");
        String address = Advertised.filledIn(ConfigLoader.load(config.dir(), Map.of())).settings().advertise()
                .orElseThrow();
        Commands.Run r = run("explain", "52:54:00:12:34:56", "--config", config.dir().toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(address).isNotEqualTo("0.0.0.0");
        assertThat(r.out()).contains("for bios, next-server " + address + "\n")
                .contains("http://" + address + ":8080/boot/52-54-00-12-34-56/CAPABILITY/boot.ipxe").doesNotContain("0.0.0.0");
    }

    @Test
    void serveRefusesAStateDirectoryItCannotUseBeforeListening() throws Exception {
        Path notADirectory = Files.writeString(tmp.resolve("state-file"), "");
        Commands.Run r = serveWithState(notADirectory);
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.out()).doesNotContain("listening");
        assertThat(r.err()).isEqualTo("bootferry: cannot use the state directory " + notADirectory + ": "
                + notADirectory + " exists and is not a directory. Choose a writable directory for boot-once state"
                + " with --state DIR, the BOOTFERRY_STATE environment variable or 'state:' in server.yaml\n");
        Path someoneElses = Files.createDirectories(tmp.resolve("var-lib/postgresql"));
        assertThat(serveWithState(someoneElses.getParent()).err()).contains("holds files that are not bootferry's (postgresql)");
    }

    @Test
    void resetRefusesAnotherProgramsDirectoryAndExplainGoesOnWithoutIt() throws Exception {
        Path varLib = Files.createDirectories(tmp.resolve("var-lib/dpkg")).getParent();
        Commands.Run reset = run("reset", "52:54:00:12:34:56", "--config", config.dir().toString(), "--state", varLib.toString());
        assertThat(reset.exit()).isEqualTo(1);
        assertThat(reset.err()).startsWith("bootferry: cannot use the state directory " + varLib
                + ": it holds files that are not bootferry's (dpkg)");
        Commands.Run explain = run("explain", "52:54:00:12:34:56", "--config", config.dir().toString(), "--state", varLib.toString());
        assertThat(explain.exit()).isZero();
        assertThat(explain.err()).startsWith("warning: boot-once state not shown: cannot use the state directory");
        assertThat(varLib.resolve("installed")).doesNotExist();
    }

    private Commands.Run serveWithState(Path state) {
        return run("serve", "--config", config.dir().toString(), "--state", state.toString(), "--bind", "127.0.0.1",
                "--http-port", "0", "--tftp-port", "0", "--no-dhcp", "--tftp-root", tmp.toString());
    }

    @Test
    void anUnexpectedExceptionIsNotMistakenForAConfigError() {
        var mapper = Main.commandLine(Map.of()).getExitCodeExceptionMapper();
        assertThat(mapper.getExitCode(new IllegalStateException("a bug"))).isEqualTo(70);
    }

    @Test
    void completionPrintsABashScript() {
        Commands.Run r = run("completion");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("complete -F _complete_bootferry", "serve", "--state");
    }
}
