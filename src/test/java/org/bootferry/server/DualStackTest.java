package org.bootferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bootferry.testing.Commands;
import org.bootferry.testing.ConfigDir;
import org.bootferry.testing.Ports;
import org.bootferry.testing.Processes;
import org.bootferry.testing.ServerProcess;
import org.bootferry.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One server on {@code ::} (the default bind) answers curl over IPv6 and IPv4 loopback; what it hands
 * out names the address each request came to, bracketed over IPv6; a Range request over IPv6 gets its
 * bytes; {@code explain --family 6} and {@code /api/machines/M?family=6} show the IPv6 answers; an
 * IPv4 bind does not listen on IPv6.
 */
class DualStackTest {

    static final String MAC = "52-54-00-12-34-56";
    static final Pattern URL = Pattern.compile("https?://([^/\\s\"]+)/");

    @TempDir
    Path tmp;

    private static String curl(String... args) {
        List<String> command = new ArrayList<>(List.of("curl", "-g", "-sS", "--max-time", "30"));
        command.addAll(Arrays.asList(args));
        return Processes.check(command);
    }

    private static void everyUrlNames(String document, String host) {
        Matcher m = URL.matcher(document);
        int urls = 0;
        while (m.find()) {
            assertThat(m.group(1)).as(m.group() + " in\n" + document).isEqualTo(host);
            urls++;
        }
        assertThat(urls).as("URLs in\n" + document).isPositive();
    }

    /** @param advertise6 {@code advertise6:}, which an IPv4 bind warns of (nothing would listen on IPv6) */
    private ConfigDir config(int httpPort, boolean advertise6) {
        ConfigDir config = new ConfigDir(tmp.resolve("config"));
        config.blob("boot/vmlinuz", 10_000);
        config.file("server.yaml", "advertise: 127.0.0.1", advertise6 ? "advertise6: '::1'" : "", "httpPort: " + httpPort,
                "state: ../state", "cache: ../cache");
        config.file("templates/ks.cfg", "url --url={{serverUrl}}/repo", "# {{server}} over IPv{{family}}");
        config.file("machines/" + MAC + ".yaml", "hostname: node-01", "access: open", "kickstart: ks.cfg", "kernelBoot:",
                "  files: {kernel: boot/vmlinuz}", "  kernelArgs: console=ttyS0 inst.ks={{kickstartUrl}}");
        return config;
    }

    @Test
    void oneListenerServesBothFamiliesEachWithItsOwnAddress() throws Exception {
        Tools.require("curl", "curl");
        ConfigDir config = config(Ports.freeTcp(), true);
        try (ServerProcess server = ServerProcess.start(List.of(), tmp.resolve("serve.log"), List.of("http", "tftp"),
                "--config", config.dir().toString(), "--no-dhcp", "--tftp-port", "0",
                "--tftp-root", config.dir().resolve("boot").toString())) {
            int port = server.port("http");
            String v6 = "http://[::1]:" + port;
            String v4 = "http://127.0.0.1:" + port;

            String script6 = curl(v6 + "/boot.ipxe?mac=" + MAC + "&firmware=efi-x64");
            everyUrlNames(script6, "[::1]:" + port);
            assertThat(script6).contains(" ip=dhcp6");
            String script4 = curl(v4 + "/boot.ipxe?mac=" + MAC + "&firmware=efi-x64");
            everyUrlNames(script4, "127.0.0.1:" + port);
            assertThat(script4).doesNotContain("ip=dhcp6");

            String ks = curl(v6 + "/ks/" + MAC);
            everyUrlNames(ks, "[::1]:" + port);
            assertThat(ks).contains("# [::1] over IPv6");

            byte[] kernel = Files.readAllBytes(config.dir().resolve("boot/vmlinuz"));
            Path part = tmp.resolve("part");
            String status = curl("-r", "100-1099", "-o", part.toString(), "-w", "%{http_code}", v6 + "/boot/" + MAC + "/kernel");
            assertThat(status).isEqualTo("206");
            assertThat(Files.readAllBytes(part)).isEqualTo(Arrays.copyOfRange(kernel, 100, 1100));

            String api = curl(v4 + "/api/machines/" + MAC + "?family=6");
            assertThat(api).contains("\"efi-x64\" : \"tftp://[::1]/ipxe.efi\"".replace(" : ", ":"))
                    .contains("\"nextServer\":\"::1\"");
            assertThat(curl("-o", "/dev/null", "-w", "%{http_code}", v4 + "/api/machines/" + MAC + "?family=5"))
                    .isEqualTo("400");
        }
    }

    @Test
    void explainFamily6ShowsOption59EachFirmwaresAnswerAndHowMachinesAreIdentified() {
        ConfigDir config = config(8080, true);
        Commands.Run run = Commands.bootferry("explain", MAC, "--config", config.dir().toString(), "--firmware", "efi-x64",
                "--family", "6");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out())
                .contains("dhcp6     option 59 tftp://[::1]/ipxe.efi for efi-x64, server ::1")
                .contains("dhcp6     efi-x64    boot-only: ADVERTISE 2 SERVERID, 1 CLIENTID, 59 tftp://[::1]/ipxe.efi,"
                        + " 16 343/PXEClient")
                .containsPattern("dhcp6     efi-x64    server:    ADVERTISE .*3 IA_NA \\(the leased address\\).*"
                        + "59 tftp://\\[::1\\]/ipxe.efi")
                .contains("dhcp6     ipxe       boot-only: no answer: iPXE takes its boot file only from the server")
                .contains("identify  a DHCPv6 client sends a DUID, not its MAC")
                .contains("the kernel's IPv6 neighbour table, for a client on a boot link. A client none")
                .contains("kernel    http://[::1]:8080/boot/" + MAC + "/kernel")
                .contains("cmdline   console=ttyS0 inst.ks=http://[::1]:8080/ks/" + MAC + " ip=dhcp6")
                .doesNotContain("127.0.0.1");
        Commands.Run bad = Commands.bootferry("explain", MAC, "--config", config.dir().toString(), "--family", "5");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("--family 5: write 4 or 6");
    }

    @Test
    void anIpv4BindDoesNotListenOnIpv6() throws Exception {
        Tools.require("curl", "curl");
        ConfigDir config = config(Ports.freeTcp(), false);
        try (ServerProcess server = ServerProcess.start(List.of(), tmp.resolve("serve4.log"), List.of("http", "tftp"),
                "--config", config.dir().toString(), "--bind", "0.0.0.0", "--no-dhcp",
                "--tftp-port", "0", "--tftp-root", config.dir().resolve("boot").toString())) {
            int port = server.port("http");
            assertThat(curl("-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:" + port + "/healthz")).isEqualTo("200");
            Processes.Result refused = Processes.run(List.of("curl", "-g", "-sS", "--max-time", "10",
                    "http://[::1]:" + port + "/healthz"), 20);
            assertThat(refused.exit()).as(refused.text()).isNotZero();
        }
    }
}
