package org.bootferry.storm;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import java.util.zip.CRC32C;
import org.bootferry.config.MacAddress;

/**
 * What the storm boots, written once for both servers: N machine files (each its own MAC) for
 * bootferry, the same scripts and kickstarts pre-rendered as static files for nginx, one loader,
 * kernel and initrd. The loader is Debian's {@code ipxe.efi} when installed (the real first stage),
 * otherwise 1 MiB of random bytes.
 */
final class Workload {

    static final String LOADER = "ipxe.efi";
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

    final Path dir;
    final int clients;
    final int loaderCrc;
    final int kernelCrc;
    final int initrdCrc;

    private Workload(Path dir, int clients, int loaderCrc, int kernelCrc, int initrdCrc) {
        this.dir = dir;
        this.clients = clients;
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
     * tree (the scripts name it), {@code bootferryHttpPort} where bootferry listens.
     */
    static Workload prepare(Path dir, int clients, long kernelBytes, long initrdBytes, int bootferryHttpPort,
            String baselineUrl) throws IOException {
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
        int kernelCrc = random(dir.resolve("files").resolve("vmlinuz"), kernelBytes, 2);
        int initrdCrc = random(dir.resolve("files").resolve("initrd.img"), initrdBytes, 3);
        Workload w = new Workload(dir, clients, loaderCrc, kernelCrc, initrdCrc);
        w.writeBootferryConfig(bootferryHttpPort);
        w.writeStaticTree(baselineUrl);
        return w;
    }

    private void writeBootferryConfig(int httpPort) throws IOException {
        Path config = config();
        Files.createDirectories(config.resolve("machines"));
        Files.createDirectories(config.resolve("templates"));
        Files.writeString(config.resolve("server.yaml"), "bind: 127.0.0.1\nadvertise: 127.0.0.1\nhttpPort: " + httpPort
                + "\ntftpPort: 69\ndhcpPort: 67\npxePort: 4011\ntftpRoot: ../tftproot\ncache: ../cache\nstate: ../state\n"
                + "loaders: {efi-x64: " + LOADER + "}\n");
        Files.writeString(config.resolve("templates").resolve("storm.ks"), KICKSTART);
        for (int i = 0; i < clients; i++) {
            writeMachine(i, 0);
        }
    }

    /** The machine file of client {@code i}; {@code generation} changes its content without changing its plan. */
    void writeMachine(int i, int generation) throws IOException {
        Path file = config().resolve("machines").resolve(mac(i).dashed() + ".yaml");
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(tmp, "hostname: " + hostname(i) + "\n"
                + "kernelBoot:\n"
                + "  files: {kernel: ../files/vmlinuz, initrd: [../files/initrd.img]}\n"
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
        for (int i = 0; i < clients; i++) {
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
