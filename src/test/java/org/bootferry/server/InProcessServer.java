package org.bootferry.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bootferry.boot.ConfigCheck;
import org.bootferry.config.ConfigHolder;
import org.bootferry.config.ConfigLoader;

/**
 * A {@link BootServer} started in the test's JVM on a config directory, as {@code bootferry serve}
 * starts it, with the addresses its listeners report; closing it stops the server, then its config.
 */
final class InProcessServer implements AutoCloseable {

    final ConfigHolder holder;
    final BootServer server;
    /** The start's lines: {@code listening http tcp 127.0.0.1:PORT}, …. */
    private final List<String> ready = new CopyOnWriteArrayList<>();

    private InProcessServer(Path configDir) throws IOException {
        ConfigLoader loader = new ConfigLoader(configDir, Map.of());
        holder = new ConfigHolder(loader, loader.load().requireValid(), ConfigCheck::check);
        server = new BootServer(holder);
    }

    /** @throws IOException the config can't be read; the server's own start failure as it throws it */
    static InProcessServer start(Path configDir) throws IOException {
        InProcessServer started = new InProcessServer(configDir);
        try {
            started.server.start(started.ready::add);
        } catch (RuntimeException e) {
            started.close();
            throw e;
        }
        return started;
    }

    /** E.g. {@code http://127.0.0.1:17130}. */
    String http() {
        return "http://" + hostPort("http");
    }

    /** E.g. {@code https://127.0.0.1:40443}, when server.yaml has an {@code https:} listener. */
    String https() {
        return "https://" + hostPort("https");
    }

    /** Where the listener for {@code protocol} ({@code http}, {@code tftp}) is bound. */
    InetSocketAddress address(String protocol) {
        String hostPort = hostPort(protocol);
        int colon = hostPort.lastIndexOf(':');
        return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    private String hostPort(String protocol) {
        String line = ready.stream().filter(l -> l.startsWith("listening " + protocol + " ")).findFirst()
                .orElseThrow(() -> new IllegalStateException("no " + protocol + " listener in " + ready));
        return line.substring(line.lastIndexOf(' ') + 1);
    }

    @Override
    public void close() {
        server.close();
        holder.close();
    }
}
