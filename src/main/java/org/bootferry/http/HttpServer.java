package org.bootferry.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.stream.ChunkedWriteHandler;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.channels.spi.SelectorProvider;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/** The HTTP listener: iPXE scripts, boot files, install files, the API, metrics and the status page. */
public final class HttpServer {

    /** Requests are small (a script GET, a done POST); anything larger is refused by the aggregator. */
    private static final int MAX_REQUEST_BYTES = 64 * 1024;
    /**
     * What of an answer may wait unsent in a connection's socket: the value CDNs use for bulk
     * delivery, 128 KiB. With 1,000 connections fetching an initrd it kept what the server's sockets
     * queue at 124–137 MB instead of 1.0–2.0 GB, and TCP out of memory pressure, and served
     * 1.28–1.41× nginx's bytes where the socket's own bound gave 0.96× (docs/benchmarks.md, HTTP).
     * One machine on a 10 Gb/s link drains the half left at wake-up in 50 µs, longer than an idle
     * loop takes to answer the wake-up, and machines sharing a link each drain it slower; the bytes
     * in flight are not counted in it.
     */
    private static final long UNSENT_BYTES = 128 * 1024;

    private final HttpRouter router;
    private final Guard guard;
    private final AtomicInteger inFlight = new AtomicInteger();

    public HttpServer(HttpServices services) {
        this(services, () -> HttpLimits.DEFAULTS);
    }

    /** @param limits the limits in force, asked for at each connection, request and deadline */
    public HttpServer(HttpServices services, Supplier<HttpLimits> limits) {
        this.guard = new Guard(limits, services.registry());
        this.router = new HttpRouter(services, guard);
    }

    /** Requests being answered, on every connection: a stopping server gives them a moment to finish. */
    public int requestsInFlight() {
        return inFlight.get();
    }

    /** Binds the plain HTTP listener; see the next. */
    public Channel bind(EventLoopGroup acceptor, EventLoopGroup workers, Class<? extends ServerChannel> channelType,
            InetSocketAddress address) throws InterruptedException {
        return bind(acceptor, workers, channelType, address, Optional.empty());
    }

    /**
     * Binds and returns the listening channel; throws when the port can't be had.
     *
     * @param acceptor the loop that accepts connections: one of its own in a server, so that a
     *                 thousand machines connecting at once are not accepted 16 per turn of a loop
     *                 that is also busy sending initrds
     * @param workers  the loops that serve the connections
     * @param address  {@code ::} listens on IPv6 and IPv4; an IPv4 address, {@code 0.0.0.0} too, on IPv4 only
     * @param tls      for the HTTPS listener: every connection speaks TLS first, then the same routes
     */
    public Channel bind(EventLoopGroup acceptor, EventLoopGroup workers, Class<? extends ServerChannel> channelType,
            InetSocketAddress address, Optional<SslContext> tls) throws InterruptedException {
        ServerBootstrap bootstrap = new ServerBootstrap();
        if (channelType == EpollServerSocketChannel.class) {
            // At most UNSENT_BYTES of an answer wait in a connection's socket beyond what is on the
            // wire (tcp(7), TCP_NOTSENT_LOWAT); the socket reports writable again when half of it has
            // left. Without it the kernel queues up to the socket's send buffer, autotuned to 4 MiB
            // (tcp_wmem): a machine reading slower than the server sends, as in a boot storm, holds
            // that much kernel memory unsent, and 1,000 of them push TCP into memory pressure
            // (tcp_mem), where every connection's buffers are cut and its queues collapsed.
            bootstrap.childOption(EpollChannelOption.TCP_NOTSENT_LOWAT, UNSENT_BYTES);
        }
        return bootstrap
                .group(acceptor, workers)
                .channelFactory(channels(channelType, address))
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // A client that shuts its sending side still reads its answers (see InOrder).
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                // Two writes per connection per loop turn (Netty's default is up to 16): during a
                // storm of initrd downloads a loop takes turns among its connections, so that a
                // machine asking for its small script or kickstart is not queued behind another's
                // 50 MiB (nginx bounds each connection's turn the same way, sendfile_max_chunk).
                // Not one: a sendfile that fills the socket's buffer used up a turn of one, and Netty
                // then disarmed EPOLLOUT, queued a flush whose sendfile met EAGAIN and armed EPOLLOUT
                // again, two epoll_ctl and a task per chunk; with two, the second call ends the turn
                // (SendfileRegion, without a syscall after a short sendfile) and EPOLLOUT stays armed
                // until the file is sent (docs/benchmarks.md, HTTP).
                .childOption(ChannelOption.WRITE_SPIN_COUNT, 2)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        Deadlines deadlines = new Deadlines(guard);
                        // First, so that everything behind it, the guard's refusals included, is
                        // encrypted; a stalled handshake is bounded by SslHandler's own timeout
                        // (10 s) and then by the idle deadline, which runs until a request's first byte.
                        tls.ifPresent(context -> ch.pipeline().addLast(context.newHandler(ch.alloc()))
                                .addLast(new TlsHandshakes(guard)));
                        ch.pipeline()
                                .addLast(new ConnectionGuard(guard))
                                .addLast(deadlines.bytes())
                                .addLast(new HttpServerCodec())
                                .addLast(new HttpObjectAggregator(MAX_REQUEST_BYTES))
                                .addLast(new InFlight(inFlight))
                                .addLast(new InOrder())
                                .addLast(deadlines.requests());
                        // Over TLS a file's body goes through the cipher in chunks read as the
                        // connection drains (FileResponder); plain HTTP sends it with sendfile, and
                        // every answer skips a handler that would only pass it on.
                        tls.ifPresent(context -> ch.pipeline().addLast(new ChunkedWriteHandler()));
                        ch.pipeline().addLast(router);
                    }
                })
                .bind(address).sync().channel();
    }

    /**
     * Sockets of {@code address}'s family: an IPv6 socket bound to {@code 0.0.0.0} would take IPv6
     * connections as well, and an explicit IPv4 bind means IPv4 only.
     */
    private static ChannelFactory<ServerChannel> channels(Class<? extends ServerChannel> type, InetSocketAddress address) {
        SocketProtocolFamily family = address.getAddress() instanceof Inet4Address ? SocketProtocolFamily.INET
                : SocketProtocolFamily.INET6;
        if (type == EpollServerSocketChannel.class) {
            return () -> new EpollServerSocketChannel(family);
        }
        if (type == NioServerSocketChannel.class) {
            return () -> new NioServerSocketChannel(SelectorProvider.provider(), family);
        }
        throw new IllegalArgumentException("no listener of type " + type.getName() + ": epoll or NIO");
    }
}
