package org.bootferry.tftp;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The TFTP server alone, for bench/tftp-bench.sh: {@code TftpBenchServer ROOT ADDRESS PORT}. Runs
 * until killed.
 */
public final class TftpBenchServer {

    private TftpBenchServer() {
    }

    public static void main(String[] args) throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        // No boot log and no neighbours: the bench measures transfers, as a server whose clients are behind a router.
        // Every bench client is 127.0.0.1: no limit per client short of the server's.
        TftpSettings settings = TftpFixture.DEFAULTS.withMaxSessionsPerClient(TftpFixture.DEFAULTS.maxSessions());
        TftpServer server = new TftpServer(() -> settings, new RootDirectory(Path.of(args[0])), event -> { },
                new SimpleMeterRegistry(), address -> Optional.empty());
        InetSocketAddress address = new InetSocketAddress(args[1], Integer.parseInt(args[2]));
        server.bind(group, group, address).sync();
        System.out.println("listening tftp udp " + args[1] + ":" + args[2] + (Epoll.isAvailable() ? " (epoll)" : " (nio)"));
        group.terminationFuture().sync();
    }
}
