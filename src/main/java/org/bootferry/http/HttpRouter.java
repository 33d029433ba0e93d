package org.bootferry.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.Optional;
import org.bootferry.boot.BootPlanException;
import org.bootferry.boot.BootUrls;
import org.bootferry.boot.Capability;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each request to its route in the {@link RouteTable} and sends refusals. One instance serves
 * every connection: it keeps no state of its own.
 */
@ChannelHandler.Sharable
final class HttpRouter extends SimpleChannelInboundHandler<FullHttpRequest> {

    /** The listener's log, one line per request: the end-to-end tests find requests by its name. */
    static final Logger log = LoggerFactory.getLogger(HttpRouter.class);

    private final RouteTable routes;
    private final HttpMetrics metrics;
    private final Guard guard;

    HttpRouter(HttpServices services, Guard guard) {
        this.routes = RouteTable.of(services, guard);
        this.guard = guard;
        this.metrics = new HttpMetrics(services.registry());
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        long started = System.nanoTime();
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        // Decoded: from here on every log line and event shows the URL without a machine's capability.
        request.setUri(Capability.hide(request.uri()));
        if (!request.decoderResult().isSuccess()) {
            new Exchange(ctx, request, uri, RouteTable.OTHER, metrics, started)
                    .sendText(HttpResponseStatus.BAD_REQUEST, "malformed request");
            return;
        }
        if (uri.parameters().containsKey("token")) {
            // Before any line logs the URL: a token there would be in every log that keeps it.
            request.setUri(Capability.hide(uri.path()) + "?token=(removed)");
            new Exchange(ctx, request, uri, RouteTable.OTHER, metrics, started).sendText(HttpResponseStatus.BAD_REQUEST,
                    "the api token goes in the Authorization header (Bearer), never in the URL, which logs keep");
            return;
        }
        Optional<BootUrls.Request> boot;
        try {
            boot = BootUrls.parseHttp(uri.path(), uri.parameters());
        } catch (BootUrls.Malformed e) {
            new Exchange(ctx, request, uri, RouteTable.OTHER, metrics, started)
                    .sendText(HttpResponseStatus.BAD_REQUEST, e.getMessage());
            return;
        }
        RouteTable.Resolved route = routes.resolve(request.method(), uri.path(), boot);
        Exchange ex = new Exchange(ctx, request, uri, route.name(), metrics, started);
        try {
            route.handler().answer(ex);
        } catch (Refusal r) {
            ex.sendText(r.status(), r.getMessage());
        } catch (BootPlanException e) {
            guard.refused(ex.remote(), "config " + route.name(), request.method() + " " + request.uri() + ": "
                    + e.getMessage());
            ex.sendText(HttpResponseStatus.INTERNAL_SERVER_ERROR, "config error: " + e.getMessage());
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("HTTP connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
