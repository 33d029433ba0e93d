package org.bootferry.tftp;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Read-only TFTP server (RFC 1350 with RFC 2347/2348/2349/7440 options). Requests arrive on the
 * bound port; each transfer then runs on a channel of its own with an ephemeral port, which is its
 * TID (RFC 1350 §4), on the group the server was bound with.
 *
 * <p>Usage: {@code new TftpServer(settings, files).bind(group, new InetSocketAddress(69))}, and
 * {@link #close()} on shutdown. The group may be epoll- or NIO-based; the channel type follows it.
 */
public final class TftpServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TftpServer.class);
    private static final int REQUEST_BUFFER = 4 << 20;

    private final TftpSettings settings;
    private final TftpFiles files;
    private final TransferListener transfers;
    private final PathMtu pathMtu = new PathMtu();
    /** Opening may block (disk, an image pull); the event loops must not. */
    private final ExecutorService opener;
    private final Map<InetSocketAddress, Session> sessions = new ConcurrentHashMap<>();
    private final AtomicInteger sessionCount = new AtomicInteger();
    private final List<Channel> listeners = new CopyOnWriteArrayList<>();

    public TftpServer(TftpSettings settings, TftpFiles files) {
        this(settings, files, TransferListener.NONE);
    }

    /** @param transfers told of every transfer that ended */
    public TftpServer(TftpSettings settings, TftpFiles files, TransferListener transfers) {
        this.settings = settings;
        this.files = files;
        this.transfers = transfers;
        AtomicInteger threads = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(16, 16, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "tftp-open-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
        this.opener = pool;
    }

    /** Listens on {@code address}; transfers use ephemeral ports on the same IP address. */
    public ChannelFuture bind(EventLoopGroup group, InetSocketAddress address) {
        ChannelFuture bound = new Bootstrap()
                .group(group)
                .channel(datagramChannelType(group))
                // A boot storm sends requests in bursts; the kernel caps this at net.core.rmem_max.
                .option(ChannelOption.SO_RCVBUF, REQUEST_BUFFER)
                .handler(new RequestHandler(group, address))
                .bind(address);
        bound.addListener(f -> {
            if (f.isSuccess()) {
                listeners.add(bound.channel());
            }
        });
        return bound;
    }

    /** Transfers in progress (including those being opened). */
    public int activeTransfers() {
        return sessionCount.get();
    }

    @Override
    public void close() {
        for (Channel listener : listeners) {
            listener.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        listeners.clear();
        for (Session session : sessions.values()) {
            session.close();
        }
        opener.shutdownNow();
    }

    /** epoll when the group runs on it (sendmmsg batches a window), NIO otherwise. */
    static Class<? extends DatagramChannel> datagramChannelType(EventLoopGroup group) {
        boolean epoll = group instanceof IoEventLoopGroup && ((IoEventLoopGroup) group).isIoType(EpollIoHandler.class);
        return epoll ? EpollDatagramChannel.class : NioDatagramChannel.class;
    }

    /** One client's transfer from request to end; the key of duplicate-request detection. */
    final class Session {
        final InetSocketAddress client;
        final TftpPacket.ReadRequest request;
        private final AtomicBoolean ended = new AtomicBoolean();
        private volatile Channel channel;
        private volatile boolean closed;

        Session(InetSocketAddress client, TftpPacket.ReadRequest request) {
            this.client = client;
            this.request = request;
        }

        void attach(Channel transferChannel) {
            channel = transferChannel;
            if (closed) {
                transferChannel.close();
            }
        }

        void close() {
            closed = true;
            Channel c = channel;
            if (c != null) {
                c.close();
            }
        }

        /** Called once when the transfer is over, whichever way. */
        void ended() {
            if (ended.compareAndSet(false, true)) {
                sessions.remove(client, this);
                sessionCount.decrementAndGet();
            }
        }
    }

    private final class RequestHandler extends SimpleChannelInboundHandler<DatagramPacket> {
        private final EventLoopGroup group;
        private final InetSocketAddress local;

        RequestHandler(EventLoopGroup group, InetSocketAddress local) {
            this.group = group;
            this.local = local;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket datagram) {
            InetSocketAddress client = datagram.sender();
            TftpPacket packet;
            try {
                packet = TftpCodec.decode(datagram.content());
            } catch (MalformedPacketException e) {
                log.info("malformed TFTP request from {}: {}", client, e.getMessage());
                reply(ctx.channel(), client, TftpError.ILLEGAL_OPERATION, "malformed request: " + e.getMessage());
                return;
            }
            if (packet instanceof TftpPacket.ReadRequest) {
                read(ctx.channel(), client, (TftpPacket.ReadRequest) packet);
            } else if (packet instanceof TftpPacket.WriteRequest) {
                TftpPacket.WriteRequest write = (TftpPacket.WriteRequest) packet;
                log.info("refused write request for '{}' from {}", TftpFileName.printable(write.filename()), client);
                reply(ctx.channel(), client, TftpError.ACCESS_VIOLATION, "bootferry serves files read-only; write requests are refused");
            } else {
                // ACK, DATA, ERROR and OACK belong to a transfer's own port; answering them here
                // could start an error ping-pong with a confused peer.
                log.debug("ignored {} sent to the request port by {}", packet.getClass().getSimpleName(), client);
            }
        }

        private void read(Channel listener, InetSocketAddress client, TftpPacket.ReadRequest request) {
            log.debug("RRQ '{}' {} {} from {}", TftpFileName.printable(request.filename()), request.mode(), request.options(), client);
            if (!request.mode().equals("octet")) {
                String why = request.mode().equals("netascii") || request.mode().equals("mail")
                        ? "transfer mode " + request.mode() + " is not supported: bootferry sends boot files byte for byte; ask for octet (binary) mode"
                        : "unknown transfer mode '" + request.mode() + "' (RFC 1350 knows netascii, octet, mail)";
                log.info("refused RRQ '{}' from {}: {}", TftpFileName.printable(request.filename()), client, why);
                reply(listener, client, TftpError.ILLEGAL_OPERATION, why);
                return;
            }
            Session session = new Session(client, request);
            Session previous = sessions.put(client, session);
            if (previous != null) {
                if (previous.request.equals(request)) {
                    // The client timed out before our first packet reached it and asked again from
                    // the same port: the running transfer's own retransmission answers it.
                    sessions.replace(client, session, previous);
                    log.debug("duplicate RRQ from {} ignored: its transfer is under way", client);
                    return;
                }
                previous.close();
            }
            if (sessionCount.incrementAndGet() > settings.maxSessions()) {
                session.ended();
                String why = "server busy: " + settings.maxSessions() + " transfers in progress, the configured limit; retry later";
                log.warn("refused RRQ '{}' from {}: {}", TftpFileName.printable(request.filename()), client, why);
                reply(listener, client, TftpError.NOT_DEFINED, why);
                return;
            }
            opener.execute(() -> open(listener, session));
        }

        /** On the opener: find the file, negotiate, then start the transfer on a channel of its own. */
        private void open(Channel listener, Session session) {
            TftpPacket.ReadRequest request = session.request;
            InetSocketAddress client = session.client;
            TftpFile file = null;
            try {
                String name = TftpFileName.normalise(request.filename());
                Optional<TftpFile> found = files.open(name, client);
                if (found.isEmpty()) {
                    throw new TftpRefusal(TftpError.FILE_NOT_FOUND, "file '" + name + "' not found");
                }
                file = found.get();
                int pathLimit = request.options().containsKey(TftpOptions.BLKSIZE) ? pathMtu.blockLimit(client) : TftpSettings.MAX_BLOCK_SIZE;
                TftpOptions options = TftpOptions.negotiate(request.options(), file.size(), pathLimit, settings);
                start(listener, session, name, file, options);
            } catch (TftpRefusal refusal) {
                closeQuietly(file);
                session.ended();
                log.info("refused RRQ '{}' from {}: {}", TftpFileName.printable(request.filename()), client, refusal.getMessage());
                reply(listener, client, refusal.error(), refusal.getMessage());
            } catch (RuntimeException e) {
                closeQuietly(file);
                session.ended();
                log.error("RRQ '{}' from {} failed", TftpFileName.printable(request.filename()), client, e);
                reply(listener, client, TftpError.NOT_DEFINED, "internal error: " + e);
            }
        }

        private void start(Channel listener, Session session, String name, TftpFile file, TftpOptions options) {
            TransferHandler handler = new TransferHandler(session, name, file, options, new TftpTransfer(file.size(), options, settings),
                    transfers);
            ChannelFuture bound = new Bootstrap()
                    .group(group)
                    .channel(datagramChannelType(group))
                    .option(ChannelOption.SO_SNDBUF, 4 << 20)
                    .handler(handler)
                    .bind(new InetSocketAddress(local.getAddress(), 0));
            session.attach(bound.channel());
            bound.addListener(f -> {
                if (!f.isSuccess()) {
                    handler.end();
                    log.error("cannot open a port for the transfer of '{}' to {}", name, session.client, f.cause());
                    reply(listener, session.client, TftpError.NOT_DEFINED, "server cannot open a port for the transfer: " + f.cause().getMessage());
                }
            });
        }
    }

    private static void reply(Channel channel, InetSocketAddress client, TftpError error, String message) {
        ByteBuf out = TftpCodec.encode(new TftpPacket.Error(error, message), channel.alloc());
        channel.writeAndFlush(new DatagramPacket(out, client), channel.voidPromise());
    }

    private static void closeQuietly(TftpFile file) {
        if (file != null) {
            try {
                file.close();
            } catch (java.io.IOException e) {
                log.debug("closing a refused file failed", e);
            }
        }
    }
}
