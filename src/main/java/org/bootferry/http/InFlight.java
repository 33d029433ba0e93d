package org.bootferry.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts one connection's requests whose answer has not left in full, into the server's total: what
 * a stopping server waits for (a machine halfway through its initrd), unlike an idle keep-alive
 * connection, which it may close at once. Sits behind the aggregator, so it sees whole requests, and
 * before the chunked writer's output, so every answer ends in one {@link LastHttpContent}.
 */
final class InFlight extends ChannelDuplexHandler {

    private final AtomicInteger total;
    /** This connection's share; touched only on its event loop. */
    private int pending;

    InFlight(AtomicInteger total) {
        this.total = total;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
            pending++;
            total.incrementAndGet();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof LastHttpContent) {
            ChannelPromise counted = promise.unvoid();
            counted.addListener(f -> done());
            ctx.write(msg, counted);
            return;
        }
        ctx.write(msg, promise);
    }

    private void done() {
        if (pending > 0) {
            pending--;
            total.decrementAndGet();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        total.addAndGet(-pending);
        pending = 0;
        ctx.fireChannelInactive();
    }
}
