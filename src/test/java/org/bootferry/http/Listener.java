package org.bootferry.http;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.Channel;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.function.UnaryOperator;
import org.bootferry.boot.BootPlanner;
import org.bootferry.config.ConfigLoader;
import org.bootferry.config.ConfigSnapshot;
import org.bootferry.journal.BootEvents;
import org.bootferry.journal.BootState;
import org.bootferry.journal.LoaderFetches;
import org.bootferry.loader.LoaderFiles;
import org.bootferry.machine.Addressing;
import org.bootferry.machine.Discoveries;
import org.bootferry.machine.UnidentifiedClients;
import org.bootferry.server.Transport;
import org.bootferry.testing.ConfigDir;

/**
 * An HTTP listener on a loopback port, over {@code config} (a directory with machines), for tests that
 * speak to it with sockets: one event loop, the given blocking pool.
 */
record Listener(Transport transport, Channel channel, PrometheusMeterRegistry registry) implements AutoCloseable {

    static Listener start(ConfigDir config, Path tmp, ExecutorService blocking, HttpLimits limits)
            throws IOException, InterruptedException {
        return start(config, tmp, blocking, limits, UnaryOperator.identity());
    }

    /** @param planning what the planner gets beside the config and the boot state (an image resolver) */
    static Listener start(ConfigDir config, Path tmp, ExecutorService blocking, HttpLimits limits,
            UnaryOperator<BootPlanner.Dependencies> planning) throws IOException, InterruptedException {
        ConfigSnapshot snapshot = ConfigLoader.load(config.dir()).requireValid();
        Transport transport = Transport.create(1);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        BootState state = new BootState(tmp.resolve("state"));
        BootEvents events = new BootEvents(registry, Optional.empty(), 100);
        HttpServices services = new HttpServices(
                new BootPlanner(planning.apply(BootPlanner.Dependencies.of(() -> snapshot).withInstalls(state))), events, events,
                state, Discoveries.NONE, UnidentifiedClients.NONE, LoaderFetches.onThisHost(), LoaderFiles.withDebianIpxe(Files.createDirectories(
                        tmp.resolve("tftproot"))), () -> snapshot, registry, registry::scrape, blocking,
                Optional::empty, () -> Addressing.NONE);
        Channel channel = new HttpServer(services, () -> limits).bind(transport.group(), transport.group(),
                transport.serverChannel(), new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return new Listener(transport, channel, registry);
    }

    int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** The value of counter {@code name} with {@code tag}, 0 when never counted. */
    double counted(String name, String tagKey, String tagValue) {
        var counter = registry.find(name).tag(tagKey, tagValue).counter();
        return counter == null ? 0 : counter.count();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        transport.close();
    }
}
