package org.bootferry.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real nginx (Debian's nginx-light) serving a directory, as a distribution mirror does: on a
 * loopback port, or on an address of a test's network namespace; with its own config (never
 * /etc/nginx's), one process (no master, so it runs as the test's user and reads the test's files),
 * and an access log a test reads to count requests.
 */
public final class Nginx implements AutoCloseable {

    private final Path work;
    private final String address;
    private final int port;
    private Process process;

    private Nginx(Path work, String address, int port) {
        this.work = work;
        this.address = address;
        this.port = port;
    }

    /** Serves {@code root} at {@link #url()} on loopback; its config, logs and temporaries go under {@code work}. */
    public static Nginx serve(Path root, Path work) {
        return start(List.of(), "127.0.0.1", Ports.freeTcp(), root, work);
    }

    /** The same inside {@code ns}, on {@code address:port} (an address of the namespace). */
    public static Nginx serveIn(NetNamespace ns, String address, int port, Path root, Path work) {
        return start(ns.exec(), address, port, root, work);
    }

    private static Nginx start(List<String> prefix, String address, int port, Path root, Path work) {
        Path nginx = Tools.require("nginx", "nginx-light");
        Nginx n = new Nginx(work, address, port);
        try {
            Files.createDirectories(work.resolve("tmp"));
            Files.writeString(work.resolve("nginx.conf"), """
                    master_process off;
                    daemon off;
                    worker_processes 1;
                    error_log %1$s/error.log;
                    pid %1$s/nginx.pid;
                    events { worker_connections 256; }
                    http {
                        access_log %1$s/access.log;
                        client_body_temp_path %1$s/tmp/body;
                        proxy_temp_path %1$s/tmp/proxy;
                        fastcgi_temp_path %1$s/tmp/fastcgi;
                        uwsgi_temp_path %1$s/tmp/uwsgi;
                        scgi_temp_path %1$s/tmp/scgi;
                        default_type application/octet-stream;
                        server {
                            listen %4$s:%2$d;
                            root %3$s;
                        }
                    }
                    """.formatted(work.toAbsolutePath(), n.port, root.toAbsolutePath(), address));
            List<String> command = new java.util.ArrayList<>(prefix);
            command.addAll(List.of(nginx.toString(), "-p", work.toAbsolutePath().toString(), "-c",
                    work.resolve("nginx.conf").toAbsolutePath().toString()));
            n.process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(work.resolve("nginx.out").toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        n.awaitListening();
        return n;
    }

    /** nginx writes its pid file once its listening sockets are open (nginx.c: ngx_init_cycle, then ngx_create_pidfile). */
    private void awaitListening() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("nginx exited: " + log("nginx.out") + log("error.log"));
            }
            if (!log("nginx.pid").isBlank()) {
                return;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("nginx did not listen on " + address + ":" + port + " within 10 s");
    }

    private String log(String name) {
        try {
            return Files.exists(work.resolve(name)) ? Files.readString(work.resolve(name)) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }

    public URI url() {
        return URI.create("http://" + address + ":" + port + "/");
    }

    /** The request lines nginx logged so far, e.g. {@code GET /os/.treeinfo HTTP/1.1}. */
    public List<String> requests() {
        return log("access.log").lines().map(l -> l.substring(l.indexOf('"') + 1, l.indexOf('"', l.indexOf('"') + 1)))
                .toList();
    }

    /** How many GETs of {@code path} nginx answered so far. */
    public long gets(String path) {
        return requests().stream().filter(r -> r.equals("GET " + path + " HTTP/1.1")).count();
    }

    /** Stops nginx (the mirror goes down); the port then refuses connections. */
    public void stop() {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        stop();
    }
}
