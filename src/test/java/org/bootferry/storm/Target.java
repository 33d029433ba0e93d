package org.bootferry.storm;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A server under load, started as its admin would start it, in processes of its own: bootferry
 * ({@code java -jar bootferry.jar serve}) or the incumbents (dnsmasq for ProxyDHCP and TFTP, nginx
 * for HTTP). Its processes are what {@link ProcStats} measures. On a routed storm they run in the
 * server's network namespace ({@code ip netns exec}, which execs the command: the PIDs stay theirs).
 */
final class Target implements AutoCloseable {

    /** Where the servers run: their address and, on a routed storm, their network namespace. */
    record Host(InetAddress address, Optional<String> netns) {
        List<String> command(List<String> cmd) {
            List<String> full = new ArrayList<>();
            netns.ifPresent(ns -> full.addAll(List.of("ip", "netns", "exec", ns)));
            full.addAll(cmd);
            return full;
        }
    }

    final String name;
    final InetAddress address;
    final int httpPort;
    private final List<Process> processes;

    private Target(String name, InetAddress address, int httpPort, List<Process> processes) {
        this.name = name;
        this.address = address;
        this.httpPort = httpPort;
        this.processes = processes;
    }

    /** Every process of the server, with their children (nginx's workers). */
    List<Long> pids() {
        List<Long> pids = new ArrayList<>();
        for (Process p : processes) {
            pids.add(p.pid());
            p.descendants().forEach(d -> pids.add(d.pid()));
        }
        return pids;
    }

    static Target bootferry(Workload w, Host host, List<String> java, Path jar, int httpPort)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(java);
        cmd.addAll(List.of("-jar", jar.toString(), "serve", "--config", w.config().toString()));
        Path log = w.dir.resolve("bootferry.log");
        Process p = start(host.command(cmd), log);
        Target t = new Target("bootferry", host.address(), httpPort, List.of(p));
        // "advertising …" follows the last listener's "listening …" line: every port is bound.
        awaitLine(t, log, "advertising ", 60);
        return t;
    }

    /**
     * dnsmasq in proxy mode with its TFTP server, and nginx serving the pre-rendered tree. The
     * dnsmasq TFTP session limit (default 50) is raised to the storm's size, as an admin expecting
     * that many machines would; windowsize is what dnsmasq negotiates on its own. The clients'
     * network ({@code clientNetwork}/{@code clientMask}, dnsmasq's proxy range) is the relay's on a
     * routed storm: dnsmasq picks the range by giaddr.
     */
    static Target baseline(Workload w, Host host, InetAddress clientNetwork, String clientMask, int httpPort) throws IOException, InterruptedException {
        Path dir = w.dir.resolve("baseline");
        Files.createDirectories(dir.resolve("tmp"));
        Path dnsmasqConf = dir.resolve("dnsmasq.conf");
        String address = host.address().getHostAddress();
        Files.writeString(dnsmasqConf, String.join("\n",
                "port=0",
                "listen-address=" + address,
                "bind-interfaces",
                "user=root",
                "log-facility=" + dir.resolve("dnsmasq.log"),
                "pid-file=" + dir.resolve("dnsmasq.pid"),
                "dhcp-range=" + clientNetwork.getHostAddress() + ",proxy," + clientMask,
                "pxe-service=X86-64_EFI,\"bootferry storm\"," + Workload.LOADER + "," + address,
                "enable-tftp",
                "tftp-root=" + w.tftpRoot(),
                "tftp-max=" + Math.max(50, w.machines + 100),
                "tftp-no-fail",
                ""));
        Process dnsmasq = start(host.command(List.of("dnsmasq", "--keep-in-foreground", "--conf-file=" + dnsmasqConf)),
                dir.resolve("dnsmasq.out"));
        Path nginxConf = dir.resolve("nginx.conf");
        Files.writeString(nginxConf, String.join("\n",
                "daemon off;",
                "worker_processes auto;",
                "worker_rlimit_nofile 20000;",
                "pid " + dir.resolve("nginx.pid") + ";",
                "error_log " + dir.resolve("nginx-error.log") + ";",
                "events { worker_connections 16384; }",
                "http {",
                "  access_log " + dir.resolve("nginx-access.log") + ";",
                "  client_body_temp_path " + dir.resolve("tmp") + ";",
                "  default_type application/octet-stream;",
                "  sendfile on;",
                "  tcp_nopush on;",
                "  server {",
                "    listen " + address + ":" + httpPort + ";",
                "    root " + w.www() + ";",
                "    location = /boot.ipxe { default_type text/plain; try_files /scripts/$arg_mac.ipxe =404; }",
                "    location ~ ^/boot/[^/]+/kernel$ { root " + w.dir + "; try_files /files/vmlinuz =404; }",
                "    location ~ ^/boot/[^/]+/initrd$ { root " + w.dir + "; try_files /files/initrd.img =404; }",
                "    location /ks/ { default_type text/plain; }",
                "    location /done/ { return 200 \"recorded\\n\"; }",
                "  }",
                "}",
                ""));
        Process nginx = start(host.command(List.of("nginx", "-p", dir.toString(), "-c", nginxConf.toString())),
                dir.resolve("nginx.out"));
        Target t = new Target("baseline", host.address(), httpPort, List.of(dnsmasq, nginx));
        awaitLine(t, dir.resolve("dnsmasq.log"), "TFTP root is", 20);
        awaitPort(t, 20);
        return t;
    }

    private static Process start(List<String> cmd, Path log) throws IOException {
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    }

    private static void awaitLine(Target t, Path log, String text, int seconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!(Files.exists(log) && Files.readString(log).contains(text))) {
            if (System.nanoTime() > deadline || t.processes.stream().anyMatch(p -> !p.isAlive())) {
                t.close();
                throw new IOException(t.name + " did not start (no '" + text + "' in " + log + "):\n"
                        + (Files.exists(log) ? Files.readString(log) : ""));
            }
            Thread.sleep(50);
        }
    }

    private static void awaitPort(Target t, int seconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(t.address, t.httpPort), 500);
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    t.close();
                    throw new IOException(t.name + ": nothing listens on " + t.address.getHostAddress() + ":" + t.httpPort, e);
                }
                Thread.sleep(50);
            }
        }
    }

    @Override
    public void close() {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
