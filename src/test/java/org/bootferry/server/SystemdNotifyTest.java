package org.bootferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The notify protocol as systemd receives it: a real AF_UNIX datagram socket, bound by the test. */
class SystemdNotifyTest {

    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    private EventLoopGroup group;

    @BeforeEach
    void group() {
        group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    }

    @AfterEach
    void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** What systemd does with the socket it names in NOTIFY_SOCKET: binds it and reads datagrams. */
    private Channel listen(String path) throws InterruptedException {
        return new Bootstrap().group(group).channel(EpollDomainDatagramChannel.class)
                .handler(new SimpleChannelInboundHandler<DomainDatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DomainDatagramPacket packet) {
                        received.add(packet.content().toString(StandardCharsets.UTF_8));
                    }
                })
                .bind(new DomainSocketAddress(path)).sync().channel();
    }

    private String next() throws InterruptedException {
        String message = received.poll(5, TimeUnit.SECONDS);
        assertThat(message).as("a datagram within 5 s").isNotNull();
        return message;
    }

    @Test
    void sendsEachStateAsOneDatagramToAPathSocket(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("notify");
        Channel systemd = listen(socket.toString());
        try (SystemdNotify notify = SystemdNotify.to(socket.toString())) {
            assertThat(notify.enabled()).isTrue();
            notify.ready("2 machines, 1 config error");
            notify.reloading();
            notify.status("3 machines,\nno config errors");
            notify.stopping("stopping");
        }
        assertThat(next()).isEqualTo("READY=1\nSTATUS=2 machines, 1 config error");
        assertThat(next()).matches("RELOADING=1\nMONOTONIC_USEC=\\d+");
        assertThat(next()).as("a newline in a status would start a line of its own")
                .isEqualTo("STATUS=3 machines, no config errors");
        assertThat(next()).isEqualTo("STOPPING=1\nSTATUS=stopping");
        systemd.close().sync();
    }

    @Test
    void reachesTheAbstractNamespaceThroughAnAtSign() throws Exception {
        String name = "bootferry-notify-test-" + UUID.randomUUID();
        Channel systemd = listen("\0" + name);
        try (SystemdNotify notify = SystemdNotify.to("@" + name)) {
            notify.ready("ready");
        }
        assertThat(next()).isEqualTo("READY=1\nSTATUS=ready");
        systemd.close().sync();
    }

    @Test
    void doesNothingWithoutASocket() {
        try (SystemdNotify notify = SystemdNotify.to(null)) {
            assertThat(notify.enabled()).isFalse();
            notify.ready("nobody listens");
        }
        try (SystemdNotify notify = SystemdNotify.to("")) {
            assertThat(notify.enabled()).isFalse();
        }
    }

    @Test
    void aSocketNobodyListensOnIsNotAnError(@TempDir Path dir) {
        try (SystemdNotify notify = SystemdNotify.to(dir.resolve("gone").toString())) {
            notify.ready("systemd went away");
        }
    }
}
