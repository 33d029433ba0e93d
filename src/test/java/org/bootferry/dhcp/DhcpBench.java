package org.bootferry.dhcp;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.bootferry.boot.BootEvents;
import org.bootferry.boot.BootPlanner;
import org.bootferry.config.ConfigLoader;
import org.bootferry.config.ConfigSnapshot;

/**
 * ProxyDHCP benchmark, not a test: DISCOVER → OFFER answers per second and latency on loopback,
 * bootferry against dnsmasq in {@code dhcp-range=…,proxy} mode, the same generator in the same run.
 * Run by {@code bench/dhcp-bench.sh} inside a network namespace of its own (it takes ports 67 and 68).
 *
 * <p>The generator keeps {@code window} DISCOVERs in flight (EDK2's captured DISCOVER, a new xid and
 * MAC each time, so the per-MAC rate limit never applies), sends the next one as soon as an OFFER
 * for an outstanding one arrives, and counts one as lost after 200 ms.
 * Usage: {@code DhcpBench SECONDS WINDOW}.
 */
public final class DhcpBench {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final long LOST_AFTER_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final int WARMUP_SECONDS = 3;

    record Result(String name, long answers, double seconds, long lost, double p50Micros, double p99Micros) {
        double perSecond() {
            return answers / seconds;
        }
    }

    private DhcpBench() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = Integer.parseInt(args[0]);
        int window = Integer.parseInt(args[1]);
        Path dir = Files.createTempDirectory("bfd-bench");
        Result bootferry;
        Result dnsmasq;
        try {
            bootferry = bootferry(dir, seconds, window);
            dnsmasq = dnsmasq(dir, seconds, window);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "%-10s %12s %10s %10s %8s%n", "server", "answers/s", "p50 ms", "p99 ms", "lost");
        for (Result r : new Result[] {bootferry, dnsmasq}) {
            System.out.printf(Locale.ROOT, "%-10s %12.0f %10.3f %10.3f %8d%n", r.name(), r.perSecond(),
                    r.p50Micros() / 1000, r.p99Micros() / 1000, r.lost());
        }
        System.out.printf(Locale.ROOT, "ratio bootferry/dnsmasq: throughput %.2fx, p50 %.2fx, p99 %.2fx (window %d, %d s)%n",
                bootferry.perSecond() / dnsmasq.perSecond(), bootferry.p50Micros() / dnsmasq.p50Micros(),
                bootferry.p99Micros() / dnsmasq.p99Micros(), window, seconds);
    }

    private static Result bootferry(Path dir, int seconds, int window) throws Exception {
        Path config = dir.resolve("config");
        Files.createDirectories(config.resolve("machines"));
        Files.writeString(config.resolve("vmlinuz"), "kernel");
        Files.writeString(config.resolve("server.yaml"), "bind: 127.0.0.1\nadvertise: 127.0.0.1\nhttpPort: 8080\n");
        Files.writeString(config.resolve("machines").resolve("default.yaml"),
                "kernelBoot:\n  files: {kernel: " + config.resolve("vmlinuz") + "}\n");
        ConfigSnapshot snapshot = ConfigLoader.load(config).requireValid();
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(0, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        Class<? extends DatagramChannel> channel = epoll ? EpollDatagramChannel.class : NioDatagramChannel.class;
        // The server's own event path: every answer is a boot event, counted and journaled.
        io.micrometer.core.instrument.MeterRegistry registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        try (BootEvents events = new BootEvents(registry, java.util.Optional.of(dir.resolve("events.jsonl")), 10_000);
             ProxyDhcpServer server = new ProxyDhcpServer(DhcpSettings.defaults(), new BootPlanner(() -> snapshot),
                     events::record, registry)) {
            server.bind(group, channel, LOOPBACK, java.util.Optional.empty(), DhcpSettings.SERVER_PORT, 4011);
            return generate("bootferry", seconds, window);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static Result dnsmasq(Path dir, int seconds, int window) throws Exception {
        Process dnsmasq = new ProcessBuilder("dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--port=0",
                "--interface=lo", "--bind-interfaces", "--user=root", "--log-facility=" + dir.resolve("dnsmasq.log"),
                "--pid-file=" + dir.resolve("dnsmasq.pid"), "--dhcp-range=127.0.0.0,proxy,255.0.0.0",
                "--pxe-service=X86-64_EFI,\"iPXE\",ipxe.efi,127.0.0.1")
                .redirectErrorStream(true).redirectOutput(dir.resolve("dnsmasq.out").toFile()).start();
        try {
            Thread.sleep(500);
            if (!dnsmasq.isAlive()) {
                throw new IllegalStateException("dnsmasq exited: " + Files.readString(dir.resolve("dnsmasq.out")));
            }
            return generate("dnsmasq", seconds, window);
        } finally {
            dnsmasq.destroy();
            dnsmasq.waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** Closed loop with {@code window} DISCOVERs in flight, measured after a warm-up. */
    static Result generate(String name, int seconds, int window) throws IOException {
        byte[] template = Captures.bytes(Captures.EDK2_X64_DISCOVER);
        try (DatagramSocket socket = new DatagramSocket(null)) {
            socket.setReuseAddress(true);
            socket.setBroadcast(true);
            socket.setReceiveBufferSize(4 << 20);
            socket.bind(new InetSocketAddress(DhcpSettings.CLIENT_PORT));
            socket.setSoTimeout(20);
            int[] slotXid = new int[window];
            long[] slotSent = new long[window];
            long[] latencies = new long[1 << 16];
            int count = 0;
            long lost = 0;
            int nextXid = 0;
            byte[] in = new byte[1500];
            DatagramPacket reply = new DatagramPacket(in, in.length);
            for (int slot = 0; slot < window; slot++) {
                slotXid[slot] = nextXid++;
                slotSent[slot] = send(socket, template, slotXid[slot]);
            }
            long start = System.nanoTime();
            long measureFrom = start + TimeUnit.SECONDS.toNanos(WARMUP_SECONDS);
            long end = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
            long answered = 0;
            while (true) {
                long now = System.nanoTime();
                if (now >= end) {
                    break;
                }
                try {
                    socket.receive(reply);
                } catch (SocketTimeoutException e) {
                    for (int slot = 0; slot < window; slot++) {
                        if (now - slotSent[slot] > LOST_AFTER_NANOS) {
                            if (slotSent[slot] >= measureFrom) {
                                lost++;
                            }
                            slotXid[slot] = nextXid++;
                            slotSent[slot] = send(socket, template, slotXid[slot]);
                        }
                    }
                    continue;
                }
                if (reply.getLength() < 240 || in[0] != DhcpMessage.BOOTREPLY) {
                    continue;
                }
                int xid = ((in[4] & 0xFF) << 24) | ((in[5] & 0xFF) << 16) | ((in[6] & 0xFF) << 8) | (in[7] & 0xFF);
                int slot = Integer.remainderUnsigned(xid, window);
                if (slotXid[slot] != xid) {
                    continue;  // a duplicate (lo delivers a broadcast twice) or a late answer
                }
                long received = System.nanoTime();
                if (slotSent[slot] >= measureFrom) {
                    answered++;
                    if (count == latencies.length) {
                        latencies = Arrays.copyOf(latencies, count * 2);
                    }
                    latencies[count++] = received - slotSent[slot];
                }
                slotXid[slot] = xid + window;
                nextXid = Math.max(nextXid, xid + window + 1);
                slotSent[slot] = send(socket, template, slotXid[slot]);
            }
            long[] sorted = Arrays.copyOf(latencies, count);
            Arrays.sort(sorted);
            double p50 = count == 0 ? Double.NaN : sorted[count / 2] / 1000.0;
            double p99 = count == 0 ? Double.NaN : sorted[(int) Math.min(count - 1, (long) (count * 0.99))] / 1000.0;
            return new Result(name, answered, seconds, lost, p50, p99);
        }
    }

    private static long send(DatagramSocket socket, byte[] template, int xid) throws IOException {
        byte[] m = template.clone();
        m[4] = (byte) (xid >>> 24);
        m[5] = (byte) (xid >>> 16);
        m[6] = (byte) (xid >>> 8);
        m[7] = (byte) xid;
        // a MAC per request: 52:54:01:xx:xx:xx
        m[28 + 2] = 1;
        m[28 + 3] = (byte) (xid >>> 16);
        m[28 + 4] = (byte) (xid >>> 8);
        m[28 + 5] = (byte) xid;
        long sent = System.nanoTime();
        socket.send(new DatagramPacket(m, m.length, LOOPBACK, DhcpSettings.SERVER_PORT));
        return sent;
    }
}
