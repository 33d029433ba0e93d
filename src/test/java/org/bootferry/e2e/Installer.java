package org.bootferry.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.bootferry.e2e.QemuVm.Client;
import org.bootferry.machine.MacAddress;
import org.bootferry.testing.ConfigDir;
import org.bootferry.testing.Processes;

/**
 * What every e2e class starts from: its tools, an emptied work directory, the Debian kernel and the
 * installer initramfs for its clients' architecture, a config directory with the kickstart template,
 * an empty tftproot (the iPXE loaders come from /usr/lib/ipxe), and a clock for the class's wall time.
 */
record Installer(Path work, BootArtifacts.Kernel kernel, Path initrd, ConfigDir config, Path tftpRoot, long started) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** @param clients the firmware the class boots; they share one architecture, whose kernel it gets */
    static Installer prepare(Path work, Client... clients) throws IOException {
        long started = System.nanoTime();
        BootLab.requireTools();
        for (Client client : clients) {
            QemuVm.requireTools(client);
        }
        List<GuestArch> arches = Stream.of(clients).map(Client::arch).distinct().toList();
        if (arches.size() != 1) {
            throw new IllegalArgumentException("one architecture per e2e class, not " + arches);
        }
        Processes.check("rm", "-rf", work.toString());
        Files.createDirectories(work);
        BootArtifacts.Kernel kernel = BootArtifacts.debianKernel(arches.get(0));
        Path initrd = BootArtifacts.installerInitramfs(kernel, work.resolve("installer-initrd.gz"));
        ConfigDir config = BootAssertions.withKickstart(new ConfigDir(work.resolve("config")));
        return new Installer(work, kernel, initrd, config, Files.createDirectories(work.resolve("tftproot")), started);
    }

    /**
     * A machine file booting the kernel and initramfs with the kickstart URL and {@code marker} on its
     * cmdline, and {@code more} lines of YAML.
     */
    void machine(MacAddress mac, String hostname, String marker, String... more) {
        BootAssertions.installerMachine(config, mac, hostname, marker, kernel.arch().console(), kernel.vmlinuz(), initrd,
                more);
    }

    /** One line of state/events.jsonl: its stage and detail. */
    record Journaled(String stage, String detail) {
    }

    /**
     * The stages bootferry journaled for {@code mac} in state/events.jsonl, in order. The journal is
     * written every 200 ms, so this waits a moment for the boot's last stage, the kickstart.
     */
    List<String> journaledStages(MacAddress mac) throws IOException {
        return journal(mac, steps -> steps.stream().anyMatch(s -> s.stage().equals("kickstart")), Duration.ofMillis(2500))
                .stream().map(Journaled::stage).toList();
    }

    /** What bootferry journaled for {@code mac}, in order, waiting up to {@code within} until it is {@code complete}. */
    List<Journaled> journal(MacAddress mac, Predicate<List<Journaled>> complete, Duration within) throws IOException {
        Path journal = work.resolve("state/events.jsonl");
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            List<Journaled> steps = new ArrayList<>();
            // Whole lines only: the server may be appending the next one as this reads.
            String written = Files.exists(journal) ? Files.readString(journal) : "";
            for (String line : written.substring(0, written.lastIndexOf('\n') + 1).lines().toList()) {
                JsonNode event = JSON.readTree(line);
                if (event.path("mac").asText().equals(mac.toString())) {
                    steps.add(new Journaled(event.path("stage").asText(), event.path("detail").asText()));
                }
            }
            if (complete.test(steps) || System.nanoTime() > deadline) {
                return steps;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return steps;
            }
        }
    }

    /**
     * What bootferry journaled for {@code mac} once each of {@code files} has a TFTP step and the
     * kickstart has come, waiting up to 30 s: a file whose last ACK never came is journaled, as sent and
     * unconfirmed, only when the retries end (about 19 s). Seen in CI with GRUB 2.06 and the initrd
     * ({@code TftpTransfer.Unconfirmed}): the capture had every block and no ACK of the last, and the
     * kernel booted with the whole initrd.
     */
    List<Journaled> journalOfTftpBoot(MacAddress mac, Set<String> files) throws IOException {
        return journal(mac, steps -> tftpFiles(steps).containsAll(files)
                && steps.stream().anyMatch(s -> s.stage().equals("kickstart")), Duration.ofSeconds(30));
    }

    /** The files of the journal's TFTP steps, without the note of an unconfirmed one. */
    static Set<String> tftpFiles(List<Journaled> journal) {
        return journal.stream().filter(s -> s.stage().equals("tftp"))
                .map(s -> s.detail().replaceFirst(" \\(sent; its last ACK never came\\)$", ""))
                .collect(Collectors.toSet());
    }

    /**
     * Starts the lab's namespaces and bootferry on this config and tftproot.
     *
     * @param siteDhcp lines added to the site DHCP server's config ({@link BootLab#start(Path, String, List)})
     */
    BootLab startLab(String prefix, String... siteDhcp) {
        BootLab lab = BootLab.start(work, prefix, List.of(siteDhcp));
        lab.startBootferry(config.dir(), tftpRoot);
        return lab;
    }

    /**
     * Starts an IPv6-only lab ({@link BootLab#startIpv6Only}) and bootferry on this config, with
     * {@code dhcp6} in boot-only mode on the lab's bridge.
     *
     * @param siteDhcp lines added to the site DHCPv6 server's config
     */
    BootLab startIpv6OnlyLab(String prefix, String... siteDhcp) {
        BootLab lab = BootLab.startIpv6Only(work, prefix, List.of(siteDhcp));
        return startBootferry(lab, "dhcp6:", "  mode: boot-only", "  interfaces: [" + lab.bridge() + "]");
    }

    /**
     * Starts an IPv6-only provisioning lab ({@link BootLab#startIpv6Provisioning}) and bootferry on this
     * config as the link's DHCPv6 server, addresses fd13::100-fd13::1ff.
     */
    BootLab startIpv6ServerLab(String prefix) {
        BootLab lab = BootLab.startIpv6Provisioning(work, prefix);
        return startBootferry(lab, dhcp6Server(lab));
    }

    /**
     * Starts a dual-stack provisioning lab ({@link BootLab#startDualStackProvisioning}) and bootferry on
     * this config as the link's DHCPv4 server, addresses 10.213.0.100-10.213.0.199, and its DHCPv6
     * server, as {@link #startIpv6ServerLab}.
     */
    BootLab startDualStackServerLab(String prefix) {
        BootLab lab = BootLab.startDualStackProvisioning(work, prefix);
        List<String> serverYaml = new ArrayList<>(List.of("dhcp:", "  mode: server", "  pools:",
                "    - {interface: " + lab.bridge() + ", range: 10.213.0.100-10.213.0.199}"));
        serverYaml.addAll(List.of(dhcp6Server(lab)));
        return startBootferry(lab, serverYaml.toArray(String[]::new));
    }

    private static String[] dhcp6Server(BootLab lab) {
        return new String[] {"dhcp6:", "  mode: server", "  interfaces: [" + lab.bridge() + "]", "  pools:",
                "    - {interface: " + lab.bridge() + ", prefix: fd13::/64, range: fd13::100-fd13::1ff}"};
    }

    /**
     * Writes {@code serverYaml} and starts bootferry in {@code lab}; a bootferry that does not start
     * closes the lab, whose namespaces and site daemons would otherwise outlive the test.
     */
    private BootLab startBootferry(BootLab lab, String... serverYaml) {
        try {
            config.file("server.yaml", serverYaml);
            lab.startBootferry(config.dir(), tftpRoot);
            return lab;
        } catch (RuntimeException | Error e) {
            lab.close();
            throw e;
        }
    }

    /**
     * An e2e class's {@code @AfterAll}: closes what the class started, in this order ({@code null}: not
     * started), then prints its wall time; {@code installer} is null when the class failed before it.
     */
    static void finish(Installer installer, Class<?> testClass, AutoCloseable... started) throws Exception {
        for (AutoCloseable c : started) {
            if (c != null) {
                c.close();
            }
        }
        if (installer != null) {
            System.out.printf("e2e wall time %-28s %5.1f s%n", testClass.getSimpleName() + " (class)",
                    (System.nanoTime() - installer.started) / 1e9);
        }
    }
}
