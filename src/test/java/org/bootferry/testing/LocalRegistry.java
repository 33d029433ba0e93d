package org.bootferry.testing;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's docker-registry (distribution 2.8) on a loopback port, or on an address in a test's own
 * network namespace, with a config file of our own — never /etc's, which listens on every interface.
 * Its access log (stdout, combined format) tells what bootferry really asked for.
 */
public final class LocalRegistry implements AutoCloseable {

    private final Process process;
    private final String address;
    private final Path accessLog;

    private LocalRegistry(Process process, String address, Path accessLog) {
        this.process = process;
        this.address = address;
        this.accessLog = accessLog;
    }

    /** @param authSection YAML for the registry's {@code auth:} key (indented by two), or empty for none */
    public static LocalRegistry start(Path dir, int port, String authSection) throws Exception {
        return start(List.of(), "127.0.0.1", dir, port, authSection);
    }

    /**
     * A registry that listens on {@code host:port} and runs under {@code prefix}, e.g. {@code ip netns
     * exec NS} so that it serves a test's network namespace: bootferry there reaches it as a site's
     * registry, and nothing outside the namespace can.
     *
     * @param authSection YAML for the registry's {@code auth:} key (indented by two), or empty for none
     */
    public static LocalRegistry start(List<String> prefix, String host, Path dir, int port, String authSection)
            throws Exception {
        Path binary = Tools.require("docker-registry", "docker-registry");
        Tools.require("curl", "curl");
        Files.createDirectories(dir.resolve("storage"));
        Path config = dir.resolve("config.yml");
        Files.writeString(config, """
                version: 0.1
                log:
                  level: warn
                  formatter: text
                storage:
                  filesystem:
                    rootdirectory: %s
                  delete:
                    enabled: true
                http:
                  addr: %s:%d
                  secret: bfi-test-not-a-secret
                %s
                """.formatted(dir.resolve("storage"), host, port, authSection.isEmpty() ? "" : "auth:\n" + authSection));
        Path accessLog = dir.resolve("access.log");
        if (prefix.isEmpty()) {
            requireFree(host, port);
        }
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(binary.toString(), "serve", config.toString()));
        Process p = new ProcessBuilder(command)
                .redirectOutput(accessLog.toFile()).redirectError(dir.resolve("registry.log").toFile()).start();
        LocalRegistry registry = new LocalRegistry(p, host + ":" + port, accessLog);
        // curl under the same prefix: the test JVM itself may not be able to reach the registry's address.
        List<String> probe = new ArrayList<>(prefix);
        probe.addAll(List.of("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "1",
                "http://" + registry.address() + "/v2/"));
        for (int i = 0; i < 250 && p.isAlive(); i++) {
            String status = Processes.run(probe, 10).text();
            if (status.equals("200") || status.equals("401")) {
                return registry;
            }
            Thread.sleep(20);
        }
        registry.close();
        throw new IllegalStateException("docker-registry did not start on " + registry.address() + ": "
                + Files.readString(dir.resolve("registry.log")));
    }

    /**
     * Fails unless {@code host:port} is free: a registry an interrupted run left there would answer
     * this one's probe and take its requests, while this one's access log stayed empty.
     */
    private static void requireFree(String host, int port) throws IOException {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(host, port));
        } catch (BindException e) {
            throw new IllegalStateException(host + ":" + port + " is taken (a registry an interrupted run left"
                    + " behind? ss -ltnp 'sport = :" + port + "' names it); stop it and run again", e);
        }
    }

    /** {@code host:port}, as image references name it. */
    public String address() {
        return address;
    }

    /** Access-log lines of requests bootferry made (its User-Agent), e.g. {@code "GET /v2/test/kernel/blobs/}. */
    public long requests(String methodAndPathPrefix) throws IOException {
        List<String> lines = Files.readAllLines(accessLog);
        return lines.stream().filter(l -> l.contains("\"" + methodAndPathPrefix) && l.endsWith("\"bootferry\"")).count();
    }

    /**
     * Bytes the registry sent bootferry (its User-Agent) for requests whose line starts with {@code
     * methodAndPathPrefix}: the body sizes of the access log's combined format, Range answers included.
     */
    public long bytesSent(String methodAndPathPrefix) throws IOException {
        long total = 0;
        for (String l : Files.readAllLines(accessLog)) {
            if (l.contains("\"" + methodAndPathPrefix) && l.endsWith("\"bootferry\"")) {
                String[] afterRequest = l.substring(l.indexOf("HTTP/1.1\" ") + 10).split(" ");
                total += Long.parseLong(afterRequest[1]);
            }
        }
        return total;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
