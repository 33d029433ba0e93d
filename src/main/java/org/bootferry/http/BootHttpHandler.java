package org.bootferry.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bootferry.boot.BootFile;
import org.bootferry.boot.BootPlan;
import org.bootferry.boot.BootPlanException;
import org.bootferry.boot.BootPlanner;
import org.bootferry.boot.Firmware;
import org.bootferry.boot.IpxeScript;
import org.bootferry.boot.Machine;
import org.bootferry.config.MacAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes one HTTP request to the machine's {@link BootPlan}: {@code /boot.ipxe?mac=M},
 * {@code /boot/M/kernel}, {@code /boot/M/initrd[/N]}, {@code /ks/M}, {@code /healthz}.
 */
final class BootHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger log = LoggerFactory.getLogger(BootHttpHandler.class);
    private static final Pattern BOOT_FILE = Pattern.compile("/boot/([^/]+)/(kernel|initrd)(?:/(\\d{1,3}))?");
    private static final Pattern KICKSTART = Pattern.compile("/ks/([^/]+)");

    private final BootPlanner planner;
    private final ExecutorService blocking;

    BootHttpHandler(BootPlanner planner, ExecutorService blocking) {
        this.planner = planner;
        this.blocking = blocking;
    }

    /** A request that can't be answered with content; the reason is sent as one line of text. */
    private static final class Refusal extends Exception {
        private final HttpResponseStatus status;

        Refusal(HttpResponseStatus status, String reason) {
            super(reason, null, false, false);
            this.status = status;
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            sendText(ctx, request, HttpResponseStatus.BAD_REQUEST, "malformed request");
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        String path = uri.path();
        HttpMethod method = request.method();
        boolean read = method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD);
        try {
            if (!read) {
                throw new Refusal(HttpResponseStatus.METHOD_NOT_ALLOWED, method + " is not supported on " + path);
            }
            if (path.equals("/healthz")) {
                sendText(ctx, request, HttpResponseStatus.OK, "ok");
            } else if (path.equals("/boot.ipxe")) {
                BootPlan plan = plan(ctx, macParam(uri), uri);
                send(ctx, request, HttpResponseStatus.OK, "text/plain; charset=utf-8", IpxeScript.render(plan));
            } else if (BOOT_FILE.matcher(path).matches()) {
                Matcher m = BOOT_FILE.matcher(path);
                m.matches();
                BootPlan plan = plan(ctx, mac(m.group(1)), uri);
                serveBootFile(ctx, request, bootFile(plan, m.group(2), m.group(3)));
            } else if (KICKSTART.matcher(path).matches()) {
                Matcher m = KICKSTART.matcher(path);
                m.matches();
                Machine machine = machine(ctx, mac(m.group(1)), uri);
                String text = planner.kickstart(machine).orElseThrow(() -> new Refusal(HttpResponseStatus.NOT_FOUND,
                        "machine " + machine.mac() + " has no kickstart (set 'kickstart:' in its machine file)"));
                send(ctx, request, HttpResponseStatus.OK, "text/plain; charset=utf-8", text);
            } else {
                throw new Refusal(HttpResponseStatus.NOT_FOUND, "no such endpoint: " + path);
            }
        } catch (Refusal r) {
            sendText(ctx, request, r.status, r.getMessage());
        } catch (BootPlanException e) {
            log.warn("{} {}: {}", method, request.uri(), e.getMessage());
            sendText(ctx, request, HttpResponseStatus.INTERNAL_SERVER_ERROR, "config error: " + e.getMessage());
        }
    }

    private BootPlan plan(ChannelHandlerContext ctx, MacAddress mac, QueryStringDecoder uri) throws Refusal {
        return planner.plan(machine(ctx, mac, uri)).orElseThrow(() -> new Refusal(HttpResponseStatus.NOT_FOUND,
                "unknown machine " + mac + ": no machines/" + mac.dashed() + ".yaml and no machines/default.yaml"));
    }

    /**
     * The machine as HTTP sees it: firmware from {@code ?firmware=} when the script URL carried it
     * (x86-64 BIOS otherwise), and our address as the one the request came in on, so URLs in the
     * answer point back the way the client reached us.
     */
    private static Machine machine(ChannelHandlerContext ctx, MacAddress mac, QueryStringDecoder uri) throws Refusal {
        List<String> fw = uri.parameters().get("firmware");
        Firmware firmware = Firmware.BIOS;
        if (fw != null && !fw.isEmpty()) {
            firmware = Firmware.byId(fw.get(0)).orElseThrow(() -> new Refusal(HttpResponseStatus.BAD_REQUEST,
                    "unknown firmware '" + fw.get(0) + "' (known: " + Firmware.ids() + ")"));
        }
        InetAddress local = ((InetSocketAddress) ctx.channel().localAddress()).getAddress();
        return new Machine(mac, firmware, true, Optional.of(local));
    }

    private static MacAddress macParam(QueryStringDecoder uri) throws Refusal {
        List<String> values = uri.parameters().get("mac");
        if (values == null || values.isEmpty()) {
            throw new Refusal(HttpResponseStatus.BAD_REQUEST, "missing ?mac= (e.g. /boot.ipxe?mac=52:54:00:12:34:56)");
        }
        return mac(values.get(0));
    }

    private static MacAddress mac(String text) throws Refusal {
        try {
            return MacAddress.parse(text);
        } catch (IllegalArgumentException e) {
            throw new Refusal(HttpResponseStatus.BAD_REQUEST, e.getMessage());
        }
    }

    private static BootFile bootFile(BootPlan plan, String kind, String index) throws Refusal {
        if (kind.equals("kernel")) {
            if (index != null) {
                throw new Refusal(HttpResponseStatus.NOT_FOUND, "a machine has one kernel");
            }
            return plan.kernel();
        }
        int i = index == null ? 0 : Integer.parseInt(index);
        if (i >= plan.initrds().size()) {
            throw new Refusal(HttpResponseStatus.NOT_FOUND, "machine " + plan.machine().mac() + " has "
                    + plan.initrds().size() + " initrd(s); there is no initrd " + i);
        }
        return plan.initrds().get(i);
    }

    /** Fetching may wait for an image pull: done off the event loop, answered back on it. */
    private void serveBootFile(ChannelHandlerContext ctx, FullHttpRequest request, BootFile file) {
        FullHttpRequest held = request.retainedDuplicate();
        try {
            blocking.execute(() -> {
                try {
                    Path path = file.fetch();
                    String etag = "\"" + file.digest() + "\"";
                    ctx.executor().execute(() -> {
                        try {
                            sendFile(ctx, held, path, etag);
                        } finally {
                            held.release();
                        }
                    });
                } catch (IOException | RuntimeException e) {
                    log.warn("{} {}: {} unavailable: {}", held.method(), held.uri(), file.source(), e.toString());
                    ctx.executor().execute(() -> {
                        try {
                            sendText(ctx, held, HttpResponseStatus.SERVICE_UNAVAILABLE,
                                    file.source() + " unavailable: " + e.getMessage());
                        } finally {
                            held.release();
                        }
                    });
                }
            });
        } catch (RejectedExecutionException e) {
            held.release();
            sendText(ctx, request, HttpResponseStatus.SERVICE_UNAVAILABLE, "server is shutting down");
        }
    }

    private static void sendFile(ChannelHandlerContext ctx, FullHttpRequest request, Path path, String etag) {
        RandomAccessFile raf;
        long size;
        try {
            raf = new RandomAccessFile(path.toFile(), "r");
            size = raf.length();
        } catch (IOException e) {
            sendText(ctx, request, HttpResponseStatus.SERVICE_UNAVAILABLE, "cannot read " + path + ": " + e.getMessage());
            return;
        }
        ByteRange range;
        try {
            range = ByteRange.parse(request.headers().get(HttpHeaderNames.RANGE), request.headers().get(HttpHeaderNames.IF_RANGE), etag, size);
        } catch (ByteRange.Unsatisfiable e) {
            closeQuietly(raf);
            FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(),
                    HttpResponseStatus.REQUESTED_RANGE_NOT_SATISFIABLE);
            response.headers().set(HttpHeaderNames.CONTENT_RANGE, "bytes */" + size);
            HttpUtil.setContentLength(response, 0);
            write(ctx, request, response);
            return;
        }
        boolean partial = range.length() != size;
        HttpResponse response = new DefaultHttpResponse(request.protocolVersion(),
                partial ? HttpResponseStatus.PARTIAL_CONTENT : HttpResponseStatus.OK);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM)
                .set(HttpHeaderNames.ACCEPT_RANGES, HttpHeaderValues.BYTES)
                .set(HttpHeaderNames.ETAG, etag);
        if (partial) {
            response.headers().set(HttpHeaderNames.CONTENT_RANGE,
                    "bytes " + range.start() + "-" + (range.start() + range.length() - 1) + "/" + size);
        }
        HttpUtil.setContentLength(response, range.length());
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        HttpUtil.setKeepAlive(response, keepAlive);
        ctx.write(response);
        if (request.method().equals(HttpMethod.HEAD) || range.length() == 0) {
            closeQuietly(raf);
        } else {
            // Zero-copy: the kernel moves the file to the socket (sendfile), no bytes in our heap.
            ctx.write(new DefaultFileRegion(raf.getChannel(), range.start(), range.length()));
        }
        ChannelFuture done = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        log.info("{} {} {} {} bytes to {}", request.method(), request.uri(), response.status().code(),
                range.length(), ctx.channel().remoteAddress());
        if (!keepAlive) {
            done.addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static void closeQuietly(RandomAccessFile raf) {
        try {
            raf.close();
        } catch (IOException ignored) {
            // Read-only file: nothing to lose on close.
        }
    }

    private static void sendText(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status, String line) {
        send(ctx, request, status, "text/plain; charset=utf-8", line + "\n");
    }

    private static void send(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status,
            String contentType, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(), status,
                request.method().equals(HttpMethod.HEAD) ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        HttpUtil.setContentLength(response, bytes.length);
        log.info("{} {} {} {} bytes to {}", request.method(), request.uri(), status.code(), bytes.length,
                ctx.channel().remoteAddress());
        write(ctx, request, response);
    }

    private static void write(ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response) {
        boolean keepAlive = HttpUtil.isKeepAlive(request) && request.protocolVersion().equals(HttpVersion.HTTP_1_1);
        HttpUtil.setKeepAlive(response, keepAlive);
        ChannelFuture done = ctx.writeAndFlush(response);
        if (!keepAlive) {
            done.addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof IdleStateEvent) {
            ctx.close();
        } else {
            super.userEventTriggered(ctx, event);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("HTTP connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
