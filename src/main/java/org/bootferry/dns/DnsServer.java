package org.bootferry.dns;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.function.Supplier;
import org.bootferry.lang.QuietLog;
import org.bootferry.machine.Addressing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Message;

/**
 * The DNS listener on UDP: decodes a datagram with dnsjava's {@link Message}, asks {@link DnsAnswers}
 * and sends the answer back, cut to the size the client accepts (512 bytes, or its EDNS payload up to
 * ours) with TC set when it does not fit (RFC 1035 §4.2.1, RFC 6891 §7). A datagram that is no DNS
 * message is dropped: there is no header to answer.
 */
public final class DnsServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DnsServer.class);
    private static final int PLAIN_UDP = 512;
    /** A failure a client's query ran into, with its trace: once per client a minute. */
    private final QuietLog clientLines = new QuietLog(log);

    private final DnsAnswers answers;
    private final Supplier<Addressing> addressing;
    private Channel channel;

    /** @param addressing the machines' names and addresses, asked at each query */
    public DnsServer(String zone, Supplier<Addressing> addressing) {
        this.answers = new DnsAnswers(zone);
        this.addressing = addressing;
    }

    /** Binds {@code at} (port 0 picks a free one); returns the bound address. */
    public InetSocketAddress bind(EventLoopGroup group, Class<? extends DatagramChannel> type, InetSocketAddress at)
            throws InterruptedException {
        channel = new Bootstrap().group(group).channel(type).handler(new Handler()).bind(at).sync().channel();
        return (InetSocketAddress) channel.localAddress();
    }

    private final class Handler extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            Message query;
            try {
                query = new Message(ByteBufUtil.getBytes(packet.content()));
            } catch (IOException e) {
                log.debug("dropped a datagram from {} that is no DNS message: {}", packet.sender(), e.getMessage());
                return;
            }
            try {
                Message response = answers.answer(query, addressing.get().addresses());
                int limit = query.getOPT() == null ? PLAIN_UDP
                        : Math.max(PLAIN_UDP, Math.min(query.getOPT().getPayloadSize(), DnsAnswers.EDNS_PAYLOAD));
                ctx.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(response.toWire(limit)), packet.sender()));
            } catch (RuntimeException e) {
                clientLines.error(packet.sender().getAddress(), "failed", "DNS listener failed on a query from "
                        + packet.sender(), e);
            }
        }
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.close().syncUninterruptibly();
        }
    }
}
