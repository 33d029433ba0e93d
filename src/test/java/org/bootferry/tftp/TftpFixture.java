package org.bootferry.tftp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.bootferry.config.ServerSettings;
import org.bootferry.loader.LoaderFiles;
import org.bootferry.machine.BootEvent;
import org.bootferry.machine.MacAddress;
import org.bootferry.machine.Neighbours;
import org.bootferry.server.TftpSection;

/** A real bootferry TFTP server on a real socket, serving a temporary root, for client tests. */
final class TftpFixture implements AutoCloseable {

    final Path root;
    final EventLoopGroup group;
    final TftpServer server;
    final InetSocketAddress address;
    /** What the server recorded in its boot log. */
    final List<BootEvent> events = new CopyOnWriteArrayList<>();
    final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    /** What the server runs with when server.yaml has no {@code tftp:} section. */
    static final TftpSettings DEFAULTS = TftpSection.settings(ServerSettings.Tftp.DEFAULT);
    /** Every client is the machine {@link #MAC}, as if on the link. */
    static final MacAddress MAC = MacAddress.parse("52:54:00:12:34:56");
    /** The threads the server looked a client's MAC up on. */
    final List<String> lookupThreads = new CopyOnWriteArrayList<>();
    private final Neighbours neighbours = address -> {
        lookupThreads.add(Thread.currentThread().getName());
        return Optional.of(MAC);
    };

    TftpFixture(Path root, TftpSettings settings, InetAddress bind) {
        this(root, settings, bind, rootFiles(root));
    }

    TftpFixture(Path root, TftpSettings settings, InetAddress bind, TftpFiles files) {
        this.root = root;
        this.group = new MultiThreadIoEventLoopGroup(2, Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        this.server = new TftpServer(() -> settings, files, events::add, metrics, neighbours);
        this.address = (InetSocketAddress) server.bind(group, group, new InetSocketAddress(bind, 0))
                .syncUninterruptibly().channel().localAddress();
    }

    /** Every client of these tests is 127.0.0.1: no limit per client short of the server's. */
    static TftpFixture onLoopback(Path root) {
        TftpSettings defaults = DEFAULTS;
        return new TftpFixture(root, defaults.withMaxSessionsPerClient(defaults.maxSessions()),
                InetAddress.getLoopbackAddress());
    }

    private static TftpFiles rootFiles(Path root) {
        try {
            return new RootDirectory(LoaderFiles.withDebianIpxe(root));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return address.getPort();
    }

    String host() {
        return address.getAddress().getHostAddress();
    }

    /** A file of pseudo-random bytes (compressible content would hide corruption less well). */
    Path file(String name, long size) throws IOException {
        Path path = root.resolve(name);
        Files.createDirectories(path.getParent());
        Random random = new Random(name.hashCode() ^ size);
        byte[] chunk = new byte[1 << 20];
        try (var out = Files.newOutputStream(path)) {
            for (long left = size; left > 0; left -= chunk.length) {
                random.nextBytes(chunk);
                out.write(chunk, 0, (int) Math.min(chunk.length, left));
            }
        }
        return path;
    }

    /** Waits until the server holds no transfer, so that a test sees sessions freed. */
    void awaitIdle(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (server.activeTransfers() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(server.activeTransfers()).as("transfers still held by the server").isZero();
    }

    @Override
    public void close() {
        server.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    static String sha256(Path file) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            try (var in = Files.newInputStream(file)) {
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0; ) {
                    digest.update(buf, 0, n);
                }
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Output and exit status of a client process. */
    record Run(int exit, String output) {
    }

    /** Runs a client to completion (killing it after {@code limit}); the output is for assertion messages. */
    static Run run(Duration limit, List<String> command) throws IOException, InterruptedException {
        Path output = Files.createTempFile("bft-client", ".out");
        try {
            Process p = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
            p.getOutputStream().close();
            boolean finished = p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                p.destroyForcibly().waitFor();
            }
            String text = Files.readString(output, StandardCharsets.ISO_8859_1);
            return finished ? new Run(p.exitValue(), text) : new Run(-1, "timed out after " + limit + ": " + text);
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
