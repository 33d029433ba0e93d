package org.bootferry.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One connection's clock: between answers it may wait {@link HttpLimits#idle} for a request's first
 * byte (then it is closed, as a keep-alive connection nobody uses), and from that byte it has
 * {@link HttpLimits#request} to send the whole request (else 408 and closed: a client that trickles
 * a byte at a time holds a connection no longer than that). While a request is answered, however long
 * its image pull or its file takes, no clock runs. Two ends in the pipeline: {@link #bytes()} before
 * the codec sees the first byte, {@link #requests()} behind {@link InOrder} sees each request taken up
 * and its answer's last write.
 */
final class Deadlines {

    private final Guard guard;
    /** Touched only on the connection's event loop. */
    private ScheduledFuture<?> timer;
    private boolean reading;
    private boolean answering;

    Deadlines(Guard guard) {
        this.guard = guard;
    }

    ChannelHandler bytes() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                waitForRequest(ctx);
                ctx.fireChannelActive();
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (!answering && !reading && msg instanceof ByteBuf bytes && bytes.isReadable()) {
                    reading = true;
                    arm(ctx, guard.limits().request(), () -> tooSlow(ctx));
                }
                ctx.fireChannelRead(msg);
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                cancel();
                ctx.fireChannelInactive();
            }
        };
    }

    ChannelHandler requests() {
        return new ChannelDuplexHandler() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof FullHttpRequest) {
                    answering = true;
                    reading = false;
                    cancel();
                }
                ctx.fireChannelRead(msg);
            }

            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                if (msg instanceof LastHttpContent) {
                    ChannelPromise sent = promise.unvoid();
                    sent.addListener(f -> {
                        answering = false;
                        if (ctx.channel().isActive()) {
                            waitForRequest(ctx);
                        }
                    });
                    ctx.write(msg, sent);
                    return;
                }
                ctx.write(msg, promise);
            }
        };
    }

    private void waitForRequest(ChannelHandlerContext ctx) {
        arm(ctx, guard.limits().idle(), ctx::close);
    }

    private void tooSlow(ChannelHandlerContext ctx) {
        String why = "HTTP request from " + Guard.client(ctx).getHostAddress() + " not complete within "
                + guard.limits().request().toSeconds() + " s of its first byte";
        guard.hit(Guard.client(ctx), "request-timeout", why);
        Guard.answerAndClose(ctx, HttpResponseStatus.REQUEST_TIMEOUT, why);
    }

    private void arm(ChannelHandlerContext ctx, Duration after, Runnable action) {
        cancel();
        timer = ctx.executor().schedule(action, after.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
