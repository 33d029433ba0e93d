package org.bootferry.storm;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.zip.CRC32C;
import org.bootferry.machine.MacAddress;

/**
 * What the storm boots, written once for both servers: N machine files (each its own MAC) for
 * bootferry, the same scripts and kickstarts pre-rendered as static files for nginx, one loader,
 * kernel and initrd. The loader is Debian's {@code ipxe.efi} when installed (the real first stage),
 * otherwise 1 MiB of random bytes. Kernel and initrd are random bytes of the sizes asked for, or
 * given files; with an {@code image}, every machine file names that one OCI image instead
 * ({@link #IMAGE_KERNEL_PATH}, {@link #IMAGE_INITRD_PATH} in it, which must be the given files).
 */
final class Workload {

    static final String LOADER = "ipxe.efi";
    static final String IMAGE_KERNEL_PATH = "/boot/vmlinuz";
    static final String IMAGE_INITRD_PATH = "/boot/initrd.img";
    private static final Path DEBIAN_LOADER = Path.of("/usr/lib/ipxe/ipxe.efi");
    private static final String KICKSTART = """
            # kickstart for {{hostname}} ({{mac}})
            text
            url --url {{serverUrl}}/repo/fedora
            network --bootproto=dhcp --hostname={{hostname}}
            timezone {{vars.timezone}} --utc
            rootpw --lock
            %post
            curl -fsS -X POST {{serverUrl}}/done/{{mac}}
            %end
            """;

    /** Where kernel and initrd come from: random bytes of a size, or a file. */
    sealed interface Content {
        record RandomBytes(long bytes, long seed) implements Content {
        }

        record FileCopy(Path file) implements Content {
        }
    }

    final Path dir;
    /** Machine files written: the storm's machines, then those of the warm-up storm. */
    final int machines;
    final Optional<String> image;
    final int loaderCrc;
    final int kernelCrc;
    final int initrdCrc;

    private Workload(Path dir, int machines, Optional<String> image, int loaderCrc, int kernelCrc, int initrdCrc) {
        this.dir = dir;
        this.machines = machines;
        this.image = image;
        this.loaderCrc = loaderCrc;
        this.kernelCrc = kernelCrc;
        this.initrdCrc = initrdCrc;
    }

    /** A MAC per client: 52:54:02 (locally administered, QEMU's range) and the client's number. */
    static MacAddress mac(int client) {
        return MacAddress.parse(String.format(Locale.ROOT, "52:54:02:%02x:%02x:%02x",
                (client >>> 16) & 0xFF, (client >>> 8) & 0xFF, client & 0xFF));
    }

    static String hostname(int client) {
        return String.format(Locale.ROOT, "storm-%05d", client);
    }

    Path config() {
        return dir.resolve("config");
    }

    Path tftpRoot() {
        return dir.resolve("tftproot");
    }

    Path www() {
        return dir.resolve("www");
    }

    Path files() {
        return dir.resolve("files");
    }

    /**
     * Writes everything under {@code dir}. {@code baselineUrl} is where nginx serves the static
     * tree (the scripts name it), {@code server} and {@code bootferryHttpPort} where bootferry
     * listens and what it advertises.
     */
    /** @param relay the relay agent the machines' DHCP comes through on a routed storm (its giaddr) */
    static Workload prepare(Path dir, int machines, Content kernel, Content initrd, Optional<String> image,
            InetAddress server, Optional<? extends InetAddress> relay, int bootferryHttpPort, String baselineUrl)
            throws IOException {
        Files.createDirectories(dir.resolve("files"));
        Files.createDirectories(dir.resolve("tftproot"));
        int loaderCrc;
        if (Files.isReadable(DEBIAN_LOADER)) {
            Files.copy(DEBIAN_LOADER.toRealPath(), dir.resolve("tftproot").resolve(LOADER),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            loaderCrc = crc(Files.readAllBytes(dir.resolve("tftproot").resolve(LOADER)));
        } else {
            loaderCrc = random(dir.resolve("tftproot").resolve(LOADER), 1 << 20, 1);
        }
        int kernelCrc = write(dir.resolve("files").resolve("vmlinuz"), kernel);
        int initrdCrc = write(dir.resolve("files").resolve("initrd.img"), initrd);
        Workload w = new Workload(dir, machines, image, loaderCrc, kernelCrc, initrdCrc);
        w.writeBootferryConfig(server, relay, bootferryHttpPort);
        w.writeStaticTree(baselineUrl);
        return w;
    }

    private void writeBootferryConfig(InetAddress server, Optional<? extends InetAddress> relay, int httpPort)
            throws IOException {
        Path config = config();
        Files.createDirectories(config.resolve("machines"));
        Files.createDirectories(config.resolve("templates"));
        String address = server.getHostAddress();
        Files.writeString(config.resolve("server.yaml"), "bind: " + address + "\nadvertise: " + address + "\nhttpPort: " + httpPort
                + "\ntftpPort: 69\ndhcpPort: 67\npxePort: 4011\ntftpRoot: ../tftproot\ncache: ../cache\nstate: ../state\n"
                + "loaders: {efi-x64: " + LOADER + "}\n"
                // Every simulated machine comes from the one client address: no limit per client.
                + "tftp: {maxSessionsPerClient: 1000000}\n"
                + "http: {maxConnectionsPerClient: 1000000, maxPullWaitsPerClient: 1000000, maxPullWaits: 1000000}\n"
                // The storm measures the responder flat out; a routed one's relay is on no network of the server's.
                + "proxyDhcp: {maxAnswersPerSecond: 1000000, relaySubnets: ["
                + relay.map(r -> r.getHostAddress() + "/32").orElse("") + "]}\n");
        Files.writeString(config.resolve("templates").resolve("storm.ks"), KICKSTART);
        for (int i = 0; i < machines; i++) {
            writeMachine(i, 0);
        }
    }

    /** The machine file of client {@code i}; {@code generation} changes its content without changing its plan. */
    void writeMachine(int i, int generation) throws IOException {
        Path file = config().resolve("machines").resolve(mac(i).dashed() + ".yaml");
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        // IfNotPresent: one pull, then the cache (a tag other than latest defaults to it too).
        String boot = image.map(ref -> "  container: {image: \"" + ref + "\", kernelPath: " + IMAGE_KERNEL_PATH
                + ", initrdPath: " + IMAGE_INITRD_PATH + ", imagePullPolicy: IfNotPresent}\n")
                .orElse("  files: {kernel: ../files/vmlinuz, initrd: [../files/initrd.img]}\n");
        // access: open: the same static URLs as the nginx tree the storm compares with.
        Files.writeString(tmp, "hostname: " + hostname(i) + "\n"
                + "access: open\n"
                + "kernelBoot:\n"
                + boot
                + "  kernelArgs: \"console=ttyS0 inst.ks={{kickstartUrl}}\"\n"
                + "kickstart: storm.ks\n"
                + "vars: {timezone: UTC, generation: \"" + generation + "\"}\n");
        // Renamed into place, as an admin's editor or config management writes a file.
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** The same answers as static files: {@code /boot.ipxe?mac=M}, {@code /ks/M}, kernel and initrd. */
    private void writeStaticTree(String serverUrl) throws IOException {
        Path scripts = www().resolve("scripts");
        Path ks = www().resolve("ks");
        Files.createDirectories(scripts);
        Files.createDirectories(ks);
        for (int i = 0; i < machines; i++) {
            MacAddress mac = mac(i);
            String base = serverUrl + "/boot/" + mac.dashed();
            String kickstartUrl = serverUrl + "/ks/" + mac.dashed();
            Files.writeString(scripts.resolve(mac + ".ipxe"), "#!ipxe\n# static: " + hostname(i) + " (" + mac + ")\n"
                    + "kernel " + base + "/kernel initrd=initrd console=ttyS0 inst.ks=" + kickstartUrl + "\n"
                    + "initrd --name initrd " + base + "/initrd\nboot\n");
            Files.writeString(ks.resolve(mac.dashed()), KICKSTART.replace("{{hostname}}", hostname(i))
                    .replace("{{mac}}", mac.toString()).replace("{{serverUrl}}", serverUrl)
                    .replace("{{vars.timezone}}", "UTC"));
        }
    }

    private static int write(Path file, Content content) throws IOException {
        if (content instanceof Content.FileCopy copy) {
            Files.copy(copy.file(), file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            CRC32C crc = new CRC32C();
            byte[] chunk = new byte[1 << 20];
            try (InputStream in = Files.newInputStream(file)) {
                for (int n; (n = in.read(chunk)) > 0; ) {
                    crc.update(chunk, 0, n);
                }
            }
            return (int) crc.getValue();
        }
        Content.RandomBytes random = (Content.RandomBytes) content;
        return random(file, random.bytes(), random.seed());
    }

    private static int random(Path file, long size, long seed) throws IOException {
        Random random = new Random(seed);
        byte[] chunk = new byte[1 << 20];
        CRC32C crc = new CRC32C();
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long left = size; left > 0; left -= chunk.length) {
                random.nextBytes(chunk);
                int n = (int) Math.min(chunk.length, left);
                crc.update(chunk, 0, n);
                out.write(chunk, 0, n);
            }
        }
        return (int) crc.getValue();
    }

    private static int crc(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        return (int) crc.getValue();
    }
}
