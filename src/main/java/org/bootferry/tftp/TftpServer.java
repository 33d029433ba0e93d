package org.bootferry.tftp;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.DatagramPacket;
import java.io.Closeable;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.bootferry.lang.QuietLog;
import org.bootferry.lang.Quota;
import org.bootferry.loader.LoaderFiles;
import org.bootferry.machine.BootLog;
import org.bootferry.machine.Neighbours;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Read-only TFTP server (RFC 1350 with RFC 2347/2348/2349/7440 options). Requests arrive on the
 * bound port; each transfer then runs on a socket of its own with an ephemeral port, which is its
 * TID (RFC 1350 §4): windowed transfers on a channel of the group the server was bound with,
 * lock-step ones on a thread of their own ({@link LockStepTransfer}) while fewer than
 * {@link #LOCK_STEP_THREADS} run, on the group beyond that.
 *
 * <p>Usage: {@code new TftpServer(settings, files, events, registry, neighbours).bind(intake, transfers, new
 * InetSocketAddress(69))}, and {@link #close()} on shutdown. Settings are asked for once per request,
 * so the server follows their changes with its next transfer and leaves running ones alone. The group
 * may be epoll- or NIO-based; the channel type follows it.
 */
public final class TftpServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TftpServer.class);
    private static final int REQUEST_BUFFER = 4 << 20;
    /**
     * Lock-step transfers that get a thread of their own. Past this many at once a thread per
     * transfer costs more in memory and switches than its quicker wake-up gains, and the event loops,
     * which take many ACKs per wake-up, serve the rest.
     */
    private static final int LOCK_STEP_THREADS = 32;
    /**
     * A client that has asked nothing for this long has given up on its request: every client
     * re-sends an unanswered RRQ from the same port sooner (EDK2's MTFTP4 every 4 s, PXE 2.1 §3.1's
     * 1-8 s, iPXE's backoff capped at 10 s), and such a repeat refreshes its session. A request that
     * waited longer to be opened is dropped unanswered rather than opened for nobody: in a storm
     * those transfers held sessions and queued ahead of clients still waiting.
     */
    private static final Duration CLIENT_GAVE_UP = Duration.ofSeconds(12);
    /** Room for one request in a batched read (RFC 2348 options make an RRQ at most ~600 bytes). */
    private static final int MAX_REQUEST = 2048;
    /** Requests one recvmmsg(2) may return: Netty's default messages per read for datagram channels. */
    private static final int READ_BATCH = 16;

    private final Supplier<TftpSettings> settings;
    private final TftpFiles files;
    private final TransferReports transfers;
    private final PathMtu pathMtu = new PathMtu();
    /** Opening may block (disk, an image pull); the event loops must not. */
    private final ExecutorService opener;
    private final ExecutorService lockStep = Executors.newCachedThreadPool(daemonThreads("tftp-lockstep-"));
    private final AtomicInteger lockStepRunning = new AtomicInteger();
    /** Retransmission timers of the lock-step transfers. */
    private final ScheduledExecutorService lockStepTimer = Executors.newSingleThreadScheduledExecutor(daemonThreads("tftp-timer-"));
    /**
     * Neighbour lookups for the boot log, which read the ARP table: a thread of their own, so that in a
     * storm the lookups of ended transfers never queue ahead of the opening of new ones.
     */
    private final ExecutorService lookups = Executors.newSingleThreadExecutor(daemonThreads("tftp-neighbours-"));
    private final Map<InetSocketAddress, TftpSession> sessions = new ConcurrentHashMap<>();
    /** Transfers in progress, by client address: what maxSessions and maxSessionsPerClient bound. */
    private final Quota<InetAddress> held = new Quota<>();
    private final SessionLimits limits;
    /** What clients cause at will (bad packets, refusals, abandoned transfers): a line per client and cause a minute. */
    private final QuietLog clientLines = new QuietLog(log);
    private final List<Channel> listeners = new CopyOnWriteArrayList<>();
    private final long clientGaveUpNanos;
    /** Every RRQ read, repeats included: what the drops and refusals compare with. */
    private final Counter requests;

    /**
     * @param settings   the settings in force, asked for once per request
     * @param events     told of every transfer that ended whose client {@code neighbours} knows by MAC
     * @param registry   where {@code bootferry_tftp_requests_total}, {@code bootferry_tftp_transfers_total{result}},
     *                   {@code bootferry_tftp_bytes_total} and {@code bootferry_tftp_retransmitted_blocks_total} are counted
     * @param neighbours the MAC behind a client address; asked off the event loops
     */
    public TftpServer(Supplier<TftpSettings> settings, TftpFiles files, BootLog events, MeterRegistry registry,
            Neighbours neighbours) {
        this(settings, files, events, registry, neighbours, CLIENT_GAVE_UP);
    }

    /** @param clientGaveUp how long a client asks nothing before its request is taken as abandoned */
    TftpServer(Supplier<TftpSettings> settings, TftpFiles files, BootLog events, MeterRegistry registry,
            Neighbours neighbours, Duration clientGaveUp) {
        this.clientGaveUpNanos = clientGaveUp.toNanos();
        this.settings = settings;
        this.files = files;
        ThreadPoolExecutor pool = new ThreadPoolExecutor(16, 16, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), daemonThreads("tftp-open-"));
        pool.allowCoreThreadTimeOut(true);
        this.opener = pool;
        this.transfers = new TransferReports(events, registry, neighbours, lookups, clientLines);
        this.limits = new SessionLimits(registry, clientLines);
        this.requests = Counter.builder("bootferry_tftp_requests").description("TFTP read requests received, repeats included")
                .register(registry);
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger threads = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Listens on {@code address} with a loop of {@code intake}, and runs windowed transfers on the
     * loops of {@code transfers}. Apart, so that requests are read while thousands of transfers keep
     * the transfer loops busy: on one group, a 10,000-machine storm's RRQs overflowed the request
     * socket's 4 MiB buffer (33,668 dropped; docs/benchmarks.md). Each transfer uses an ephemeral port on the address its request came
     * to, so that the client, which expects DATA from the host it asked (RFC 1350 §4: the TID is the
     * port; EDK2's Mtftp6 and iPXE also take packets only from that host), gets them from there.
     * Netty reports a datagram's destination only for IPv4 (IP_RECVORIGDSTADDR, epoll); an IPv6 one
     * stays the wildcard (measured with Netty 4.2 on Linux 6.1). So with epoll a wildcard IPv6
     * listener is joined by one socket per IPv6 address the host has when it binds (SO_REUSEPORT,
     * which only this user's sockets may share: the kernel hands a datagram to the socket bound to its
     * destination, the wildcard one gets the rest). An address added later, or any without epoll, is
     * answered from the source the kernel's route picks. An IPv4 address ({@code 0.0.0.0} too)
     * listens on IPv4 only; {@code ::} on both.
     */
    public ChannelFuture bind(EventLoopGroup intake, EventLoopGroup transfers, InetSocketAddress address) {
        boolean perAddress = DatagramSockets.epoll(intake) && address.getAddress().isAnyLocalAddress()
                && address.getAddress() instanceof Inet6Address;
        ChannelFuture bound = bindOne(intake, transfers, address, perAddress);
        if (perAddress && bound.awaitUninterruptibly().isSuccess()) {
            int port = ((InetSocketAddress) bound.channel().localAddress()).getPort();
            for (InetAddress own : DatagramSockets.ownIpv6Addresses()) {
                ChannelFuture one = bindOne(intake, transfers, new InetSocketAddress(own, port), true).awaitUninterruptibly();
                if (one.isSuccess()) {
                    // They stop taking requests with the wildcard one, which is what a stop closes first.
                    bound.channel().closeFuture().addListener(f -> one.channel().close());
                } else {
                    log.warn("TFTP to {} is answered from the address the kernel's route picks: {}",
                            own.getHostAddress(), one.cause().toString());
                }
            }
        }
        return bound;
    }

    private ChannelFuture bindOne(EventLoopGroup intake, EventLoopGroup transfers, InetSocketAddress address, boolean shared) {
        Bootstrap bootstrap = new Bootstrap()
                .group(intake)
                .channelFactory(DatagramSockets.of(intake, address.getAddress()))
                // A boot storm sends requests in bursts; the kernel caps this at net.core.rmem_max.
                .option(ChannelOption.SO_RCVBUF, REQUEST_BUFFER)
                .handler(new RequestHandler(transfers, address));
        if (DatagramSockets.epoll(intake)) {
            bootstrap.option(EpollChannelOption.IP_RECVORIGDSTADDR, true).option(EpollChannelOption.SO_REUSEPORT, shared)
                    // A burst of RRQs is read with one recvmmsg(2) per batch, as ProxyDHCP reads DISCOVERs:
                    // Netty reads that way once a datagram's room is set and the read buffer holds several.
                    .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MAX_REQUEST)
                    .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_REQUEST * READ_BATCH));
        }
        ChannelFuture bound = bootstrap.bind(address);
        bound.addListener(f -> {
            if (f.isSuccess()) {
                listeners.add(bound.channel());
            }
        });
        return bound;
    }

    /**
     * Transfers in progress (including those being opened). Only tests ask: a session the server
     * never frees is invisible on the wire until the cap refuses clients, so tests wait for zero.
     */
    public int activeTransfers() {
        return held.held();
    }

    /** A session's end: its client may start another, and it no longer counts against the limits. */
    private void sessionEnded(TftpSession session) {
        sessions.remove(session.client, session);
        held.release(session.client.getAddress());
    }

    @Override
    public void close() {
        for (Channel listener : listeners) {
            listener.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        listeners.clear();
        for (TftpSession session : sessions.values()) {
            session.close();
        }
        opener.shutdownNow();
        lookups.shutdownNow(); // an event recorded now would outlive the boot log it goes to
        lockStep.shutdown();
        lockStepTimer.shutdownNow();
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
                clientLines.log(QuietLog.Level.INFO, client.getAddress(), "malformed", "malformed TFTP request from "
                        + client + ": " + e.getMessage());
                reply(ctx.channel(), client, TftpError.ILLEGAL_OPERATION, "malformed request: " + e.getMessage());
                return;
            }
            if (packet instanceof TftpPacket.ReadRequest) {
                requests.increment();
                read(ctx.channel(), client, destination(datagram), (TftpPacket.ReadRequest) packet);
            } else if (packet instanceof TftpPacket.WriteRequest) {
                TftpPacket.WriteRequest write = (TftpPacket.WriteRequest) packet;
                clientLines.log(QuietLog.Level.INFO, client.getAddress(), "write", "refused write request for '"
                        + LoaderFiles.printable(write.filename()) + "' from " + client);
                reply(ctx.channel(), client, TftpError.ACCESS_VIOLATION, "bootferry serves files read-only; write requests are refused");
            } else {
                // ACK, DATA, ERROR and OACK belong to a transfer's own port; answering them here
                // could start an error ping-pong with a confused peer.
                log.debug("ignored {} sent to the request port by {}", packet.getClass().getSimpleName(), client);
            }
        }

        /** Where the request came to: the datagram's destination when known, else the listener's address. */
        private InetAddress destination(DatagramPacket datagram) {
            InetAddress to = datagram.recipient() == null ? null : datagram.recipient().getAddress();
            return to == null || to.isAnyLocalAddress() || to.isMulticastAddress() ? local.getAddress() : to;
        }

        private void read(Channel listener, InetSocketAddress client, InetAddress destination,
                TftpPacket.ReadRequest request) {
            log.debug("RRQ '{}' {} {} from {}", LoaderFiles.printable(request.filename()), request.mode(), request.options(), client);
            if (!request.mode().equals("octet")) {
                String why = request.mode().equals("netascii") || request.mode().equals("mail")
                        ? "transfer mode " + request.mode() + " is not supported: bootferry sends boot files byte for byte; ask for octet (binary) mode"
                        : "unknown transfer mode '" + request.mode() + "' (RFC 1350 knows netascii, octet, mail)";
                clientLines.log(QuietLog.Level.INFO, client.getAddress(), "mode", "refused RRQ '"
                        + LoaderFiles.printable(request.filename()) + "' from " + client + ": " + why);
                reply(listener, client, TftpError.ILLEGAL_OPERATION, why);
                return;
            }
            TftpSession session = new TftpSession(client, request, settings.get(), TftpServer.this::sessionEnded);
            // One atomic step with Session.ended()'s removal: checked and replaced apart, a transfer that
            // ended in between was put back after its removal, and every later RRQ for the same file
            // from that port was taken for a repeat of it and never answered (a client given the port
            // of one that had just finished, in CI).
            TftpSession[] found = new TftpSession[1];
            TftpSession kept = sessions.compute(client, (address, previous) -> {
                found[0] = previous;
                return previous != null && previous.repeatedBy(request) ? previous : session;
            });
            if (kept != session) {
                // The client timed out before our first packet reached it and asked again from the
                // same port: the running transfer sends that packet again (if it still can; if it
                // is ending, the client's next RRQ starts a new one).
                log.debug("repeated RRQ from {}: its transfer is under way", client);
                kept.heardAgain();
                return;
            }
            if (found[0] != null) {
                found[0].replaced();
            }
            Optional<Quota.Limit> refused = held.acquire(client.getAddress(), session.settings.maxSessionsPerClient(),
                    session.settings.maxSessions());
            if (refused.isPresent()) {
                sessions.remove(client, session);
                reply(listener, client, TftpError.NOT_DEFINED, limits.refused(client, refused.get(), session.settings));
                return;
            }
            opener.execute(() -> open(listener, session, destination));
        }

        /** On the opener: find the file, negotiate, then start the transfer on a channel of its own. */
        private void open(Channel listener, TftpSession session, InetAddress destination) {
            TftpPacket.ReadRequest request = session.request;
            InetSocketAddress client = session.client;
            if (session.closed()) {
                // Replaced by a newer request from the same port while it waited (or the server stops):
                // its client went on without it, so it gets neither a transfer nor an error.
                session.ended();
                return;
            }
            long silent = session.silentNanos();
            if (silent > clientGaveUpNanos) {
                session.ended();
                limits.gaveUp(client, LoaderFiles.printable(request.filename()), TimeUnit.NANOSECONDS.toMillis(silent));
                return;
            }
            TftpFile file = null;
            try {
                String name = safeName(request.filename());
                Optional<TftpFile> found = files.open(name, client);
                if (found.isEmpty()) {
                    throw new TftpRefusal(TftpError.FILE_NOT_FOUND, "file '" + name + "' not found");
                }
                file = found.get();
                int pathLimit = request.options().containsKey(TftpOptions.BLKSIZE) ? pathMtu.blockLimit(client) : TftpSettings.MAX_BLOCK_SIZE;
                TftpOptions options = TftpOptions.negotiate(request.options(), file.size(), pathLimit, session.settings);
                start(listener, session, destination, name, file, options);
            } catch (TftpRefusal refusal) {
                closeQuietly(file);
                session.ended();
                clientLines.log(QuietLog.Level.INFO, client.getAddress(), refusal.error().name(), "refused RRQ '"
                        + LoaderFiles.printable(request.filename()) + "' from " + client + ": " + refusal.getMessage());
                reply(listener, client, refusal.error(), refusal.getMessage());
            } catch (RuntimeException e) {
                closeQuietly(file);
                session.ended();
                clientLines.error(client.getAddress(), "failed", "RRQ '" + LoaderFiles.printable(request.filename())
                        + "' from " + client + " failed", e);
                reply(listener, client, TftpError.NOT_DEFINED, "internal error: " + e);
            }
        }

        private void start(Channel listener, TftpSession session, InetAddress destination, String name, TftpFile file,
                TftpOptions options) {
            ReadTransfer transfer = new ReadTransfer(session, name, file, options, new TftpTransfer(file.size(), options, session.settings), transfers);
            if (options.windowSize() == 1 && startOnThread(session, destination, transfer)) {
                return;
            }
            ChannelFuture bound = new Bootstrap()
                    .group(group)
                    .channelFactory(DatagramSockets.of(group, destination))
                    .option(ChannelOption.SO_SNDBUF, 4 << 20)
                    .handler(new TransferHandler(transfer))
                    .bind(new InetSocketAddress(destination, 0));
            session.attach(bound.channel()::close);
            bound.addListener(f -> {
                if (!f.isSuccess()) {
                    transfer.end();
                    if (session.closed()) {
                        // The channel was closed before it was bound, by a newer request from the same port
                        // (whose client is not to get this one's error) or by the server's stop. Measured in
                        // a 10,000-machine storm, where this used to answer "cannot open a port: null" (the
                        // bind's ClosedChannelException has no message) to the newer request's client.
                        log.debug("transfer of '{}' to {} not started: its request was replaced or the server stops", name,
                                session.client);
                        return;
                    }
                    // Most likely out of file descriptors under a flood: the reason says so, a trace adds nothing.
                    clientLines.log(QuietLog.Level.ERROR, session.client.getAddress(), "port", "cannot open a port for"
                            + " the transfer of '" + name + "' to " + session.client + ": " + f.cause());
                    reply(listener, session.client, TftpError.NOT_DEFINED, "server cannot open a port for the transfer: " + f.cause());
                }
            });
        }

        /** Starts a lock-step transfer on a thread of its own; false when all are taken or no socket opens. */
        private boolean startOnThread(TftpSession session, InetAddress destination, ReadTransfer transfer) {
            if (lockStepRunning.incrementAndGet() > LOCK_STEP_THREADS) {
                lockStepRunning.decrementAndGet();
                return false;
            }
            java.nio.channels.DatagramChannel channel = null;
            try {
                channel = java.nio.channels.DatagramChannel.open(destination instanceof Inet4Address
                        ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
                channel.bind(new InetSocketAddress(destination, 0));
                java.nio.channels.DatagramChannel socket = channel;
                // Before the thread sends: a request replaced while its file was opened closes the socket
                // here, and the transfer ends without a packet (ReadTransfer.failed).
                session.attach(() -> closeQuietly(socket));
                lockStep.execute(new LockStepTransfer(transfer, channel, lockStepTimer, lockStepRunning::decrementAndGet));
            } catch (IOException | RejectedExecutionException e) {
                closeQuietly(channel);
                lockStepRunning.decrementAndGet();
                log.debug("no socket or thread for a lock-step transfer to {} ({}); it runs on an event loop", session.client, e.toString());
                return false;
            }
            return true;
        }
    }

    /**
     * The requested name relative to the root by the rules every loader name follows
     * ({@link LoaderFiles#normalise}), refused as an access violation (ERROR 2) when unsafe. Every
     * source of files sees only names that passed here. A leading '/' means the TFTP root, not the
     * host's root: GRUB asks for {@code /grub/grub.cfg-01-…}, pxelinux and U-Boot send absolute names
     * when their prefix is one, and tftp-hpa (run with {@code -s}) and dnsmasq serve those from their
     * root as well.
     */
    private static String safeName(String requested) throws TftpRefusal {
        try {
            return LoaderFiles.normalise(requested);
        } catch (LoaderFiles.Refusal e) {
            throw new TftpRefusal(TftpError.ACCESS_VIOLATION, e.getMessage());
        }
    }

    private static void reply(Channel channel, InetSocketAddress client, TftpError error, String message) {
        ByteBuf out = TftpCodec.encode(new TftpPacket.Error(error, message), channel.alloc());
        channel.writeAndFlush(new DatagramPacket(out, client), channel.voidPromise());
    }

    private static void closeQuietly(Closeable closeable) {
        if (closeable != null) {
            try {
                closeable.close();
            } catch (IOException e) {
                log.debug("closing {} failed", closeable, e);
            }
        }
    }
}
