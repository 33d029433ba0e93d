package org.bootferry.storm;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server under load, started as its admin would start it, in processes of its own: bootferry
 * ({@code java -jar bootferry.jar serve}) or the incumbents (dnsmasq for ProxyDHCP and TFTP, nginx
 * for HTTP). Its processes are what {@link ProcStats} measures.
 */
final class Target implements AutoCloseable {

    final String name;
    final int httpPort;
    private final List<Process> processes;

    private Target(String name, int httpPort, List<Process> processes) {
        this.name = name;
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

    static Target bootferry(Workload w, List<String> java, Path jar, int httpPort) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(java);
        cmd.addAll(List.of("-jar", jar.toString(), "serve", "--config", w.config().toString()));
        Path log = w.dir.resolve("bootferry.log");
        Process p = start(cmd, log);
        Target t = new Target("bootferry", httpPort, List.of(p));
        // "advertising …" follows the last listener's "listening …" line: every port is bound.
        awaitLine(t, log, "advertising ", 60);
        return t;
    }

    /**
     * dnsmasq in proxy mode with its TFTP server, and nginx serving the pre-rendered tree. The
     * dnsmasq TFTP session limit (default 50) is raised to the storm's size, as an admin expecting
     * that many machines would; windowsize is what dnsmasq negotiates on its own.
     */
    static Target baseline(Workload w, int httpPort) throws IOException, InterruptedException {
        Path dir = w.dir.resolve("baseline");
        Files.createDirectories(dir.resolve("tmp"));
        Path dnsmasqConf = dir.resolve("dnsmasq.conf");
        Files.writeString(dnsmasqConf, String.join("\n",
                "port=0",
                "interface=lo",
                "bind-interfaces",
                "user=root",
                "log-facility=" + dir.resolve("dnsmasq.log"),
                "pid-file=" + dir.resolve("dnsmasq.pid"),
                "dhcp-range=127.0.0.0,proxy,255.0.0.0",
                "pxe-service=X86-64_EFI,\"bootferry storm\"," + Workload.LOADER + ",127.0.0.1",
                "enable-tftp",
                "tftp-root=" + w.tftpRoot(),
                "tftp-max=" + Math.max(50, w.clients + 100),
                "tftp-no-fail",
                ""));
        Process dnsmasq = start(List.of("dnsmasq", "--keep-in-foreground", "--conf-file=" + dnsmasqConf),
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
                "    listen 127.0.0.1:" + httpPort + ";",
                "    root " + w.www() + ";",
                "    location = /boot.ipxe { default_type text/plain; try_files /scripts/$arg_mac.ipxe =404; }",
                "    location ~ ^/boot/[^/]+/kernel$ { root " + w.dir + "; try_files /files/vmlinuz =404; }",
                "    location ~ ^/boot/[^/]+/initrd$ { root " + w.dir + "; try_files /files/initrd.img =404; }",
                "    location /ks/ { default_type text/plain; }",
                "    location /done/ { return 200 \"recorded\\n\"; }",
                "  }",
                "}",
                ""));
        Process nginx = start(List.of("nginx", "-p", dir.toString(), "-c", nginxConf.toString()), dir.resolve("nginx.out"));
        Target t = new Target("baseline", httpPort, List.of(dnsmasq, nginx));
        awaitLine(t, dir.resolve("dnsmasq.log"), "TFTP root is", 20);
        awaitPort(t, httpPort, 20);
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

    private static void awaitPort(Target t, int port, int seconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    t.close();
                    throw new IOException(t.name + ": nothing listens on " + port, e);
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
