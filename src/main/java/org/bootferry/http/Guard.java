package org.bootferry.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.bootferry.lang.Quota;
import org.bootferry.lang.QuietLog;

/**
 * The listener's limits in force ({@link HttpLimits}, server.yaml's {@code http:} section, live): the connections and pull-waiting requests each
 * client and all hold, and what a client that hits one gets: a clear error, a count in
 * {@code bootferry_http_limited_total{limit}} and one log line per client and limit per minute.
 */
final class Guard {

    /** How long a connection closed by a limit reads and drops what its client still sends. */
    private static final Duration LINGER = Duration.ofSeconds(2);
    private final Supplier<HttpLimits> limits;
    private final Quota<InetAddress> connections;
    private final Quota<InetAddress> waiting;
    private final MeterRegistry registry;
    private final Map<String, Counter> limited = new ConcurrentHashMap<>();
    private final QuietLog logLines = new QuietLog(HttpRouter.log);

    /** @param limits the limits in force, asked for at each connection, request and deadline */
    Guard(Supplier<HttpLimits> limits, MeterRegistry registry) {
        this.limits = limits;
        this.connections = new Quota<>();
        this.waiting = new Quota<>();
        this.registry = registry;
        Gauge.builder("bootferry_http_connections", connections, Quota::held)
                .description("HTTP connections open").register(registry);
        Gauge.builder("bootferry_http_waiting", waiting, Quota::held)
                .description("HTTP requests waiting for an image pull, holding no thread").register(registry);
    }

    HttpLimits limits() {
        return limits.get();
    }

    /** Takes a connection's place for {@code client}, or says which limit refuses it. */
    Optional<Quota.Limit> connect(InetAddress client) {
        HttpLimits now = limits.get();
        return connections.acquire(client, now.connectionsPerClient(), now.connections());
    }

    void disconnected(InetAddress client) {
        connections.release(client);
    }

    /** Takes a place among the requests waiting for a pull for {@code client}, or says which limit refuses it. */
    Optional<Quota.Limit> startWaiting(InetAddress client) {
        HttpLimits now = limits.get();
        return waiting.acquire(client, now.waitingPerClient(), now.waiting());
    }

    void stoppedWaiting(InetAddress client) {
        waiting.release(client);
    }

    /**
     * Counts and logs (throttled) that {@code client} hit {@code limit}.
     *
     * @param limit the metric's tag, e.g. {@code connections-per-client}
     * @param why   the client's error, which the log line repeats
     */
    void hit(InetAddress client, String limit, String why) {
        limited.computeIfAbsent(limit, l -> Counter.builder("bootferry_http_limited")
                .description("HTTP connections and requests refused or closed by a limit").tag("limit", l)
                .register(registry)).increment();
        logLines.log(QuietLog.Level.WARN, client, limit, client.getHostAddress() + ": " + why);
    }

    /**
     * Logs (throttled: once per client and cause a minute) a request refused for what its client sent
     * or asked for; the access log has a line for each such request already, this one says why.
     *
     * @param cause what kind of refusal, e.g. {@code tftp-name}: lines of one cause are counted together
     */
    void refused(InetAddress client, String cause, String line) {
        logLines.log(QuietLog.Level.WARN, client, cause, line);
    }

    /** The tag of a {@link Quota.Limit} for {@code what}: {@code connections-per-client}, {@code waiting-total}. */
    static String tag(String what, Quota.Limit limit) {
        return what + (limit == Quota.Limit.PER_CLIENT ? "-per-client" : "-total");
    }

    static InetAddress client(ChannelHandlerContext ctx) {
        return ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress();
    }

    /**
     * Writes a whole HTTP/1.1 answer straight to the socket and closes: for a connection the codec has
     * not read a request from (refused at accept, or too slow to send one). The close lingers (RFC 9112
     * section 9.6): the answer is followed by a FIN and what the client still sends is read and dropped
     * for up to {@link #LINGER}, since closing a socket with unread bytes makes the kernel send a reset,
     * which may reach the client before it has read the answer.
     */
    static void answerAndClose(ChannelHandlerContext ctx, HttpResponseStatus status, String text) {
        byte[] body = (text + "\n").getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + "\r\nContent-Type: " + Exchange.TEXT + "\r\nContent-Length: "
                + body.length + "\r\nConnection: close\r\n\r\n";
        Channel channel = ctx.channel();
        channel.pipeline().addFirst(new Drain());
        channel.config().setAutoRead(true);
        channel.eventLoop().schedule(() -> channel.close(), LINGER.toMillis(), TimeUnit.MILLISECONDS);
        ctx.writeAndFlush(Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII), body)).addListener(f -> {
            if (f.isSuccess() && channel instanceof DuplexChannel duplex) {
                duplex.shutdownOutput();
            } else {
                channel.close();
            }
        });
    }

    /** Drops what a connection being closed still sends, and closes it once the client has shut its side. */
    private static final class Drain extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof ChannelInputShutdownEvent) {
                ctx.close();
            }
        }
    }
}
