package org.bootferry.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayDeque;

/**
 * Answers one connection's requests one at a time, in the order they came (RFC 9112 section 9.3.2:
 * a server answers pipelined requests in the order received). The next request reaches the router only
 * once the previous answer has left in full, so an answer made off the event loop (a file, an fsync)
 * is never overtaken by a later one made at once, and the codec's list of request methods, which
 * tells it that a HEAD's answer has no body, stays in step with the answers.
 *
 * <p>A client that shuts its sending side (half-close, RFC 9112 section 9.6) still gets every answer;
 * the connection closes once the last has left. Sits behind the aggregator, so it sees whole
 * requests, and before the chunked writer's output, so every answer ends in one {@link LastHttpContent}.
 */
final class InOrder extends ChannelDuplexHandler {

    /** Requests queued behind the one being answered before this connection stops being read. */
    static final int QUEUED_BEFORE_PAUSE = 16;

    /** Touched only on the connection's event loop. */
    private final ArrayDeque<FullHttpRequest> queued = new ArrayDeque<>();
    private boolean answering;
    private boolean inputShut;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (!answering) {
            answering = true;
            ctx.fireChannelRead(request);
            return;
        }
        queued.add(request);
        if (queued.size() >= QUEUED_BEFORE_PAUSE) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof LastHttpContent) {
            ChannelPromise sent = promise.unvoid();
            // Scheduled, not called: the next answer must not start inside this one's write.
            sent.addListener(f -> ctx.executor().execute(() -> next(ctx)));
            ctx.write(msg, sent);
            return;
        }
        ctx.write(msg, promise);
    }

    private void next(ChannelHandlerContext ctx) {
        answering = false;
        if (!ctx.channel().isActive()) {
            return;
        }
        FullHttpRequest request = queued.poll();
        if (request != null) {
            answering = true;
            if (queued.size() < QUEUED_BEFORE_PAUSE && !inputShut) {
                ctx.channel().config().setAutoRead(true);
            }
            ctx.fireChannelRead(request);
        } else if (inputShut) {
            ctx.close();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof ChannelInputShutdownEvent) {
            inputShut = true;
            if (!answering && queued.isEmpty()) {
                ctx.close();
            }
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        queued.forEach(FullHttpRequest::release);
        queued.clear();
        ctx.fireChannelInactive();
    }
}
