package org.bootferry.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One connection's clock: between answers it may wait {@link HttpLimits#idle} for a request's first
 * byte (then it is closed, as a keep-alive connection nobody uses), and from that byte it has
 * {@link HttpLimits#request} to send the whole request (else 408 and closed: a client that trickles
 * a byte at a time holds a connection no longer than that). While a request is answered, however long
 * its image pull or its file takes, it is closed only when its answer waits on a full socket and not a
 * byte of it leaves for a whole {@link HttpLimits#idle}: a client that stopped reading (as nginx's
 * {@code send_timeout}). Two ends in the pipeline: {@link #bytes()} before the codec sees the first
 * byte, {@link #requests()} behind {@link InOrder} sees each request taken up and its answer's last write.
 */
final class Deadlines {

    private final Guard guard;
    // Touched only on the connection's event loop. Timers are set for what is rare (a request that
    // spans reads) or once per idle period, rather than per request: a request that arrives in one
    // read is answered before its timer would be set, and the idle timer, set when the connection
    // opens, fires once per idle period for as long as it lives, checking the deadline or the answer's
    // progress then, instead of being cancelled and set again by every request.
    private ScheduledFuture<?> requestTimer;
    private ScheduledFuture<?> idleTimer;
    /** {@link System#nanoTime} when the idle timer fires and when an idle connection is closed; 0: not waiting. */
    private long idleTimerAt;
    private long idleDeadline;
    private boolean reading;
    private boolean answering;
    /** Answers whose last byte was written; each one is progress. */
    private long answered;
    /**
     * What was waiting on the socket when the idle timer last fired while answering: the message Netty
     * was sending (compared by identity, never touched), how much of it had left, and {@link #answered}
     * then. The count tells a message sent apart from another that Netty's pool gave the same object.
     */
    private Object sending;
    private long sendingProgress;
    private long sendingAnswered;

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
                boolean first = !answering && !reading && msg instanceof ByteBuf bytes && bytes.isReadable();
                if (first) {
                    reading = true;
                    idleDeadline = 0;
                }
                ctx.fireChannelRead(msg);
                if (first && reading && requestTimer == null) {
                    requestTimer = ctx.executor().schedule(() -> tooSlow(ctx), guard.limits().request().toMillis(),
                            TimeUnit.MILLISECONDS);
                }
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                cancelRequestTimer();
                idleDeadline = 0;
                sending = null;
                if (idleTimer != null) {
                    idleTimer.cancel(false);
                    idleTimer = null;
                }
                ctx.fireChannelInactive();
            }
        };
    }

    ChannelHandler requests() {
        return new ChannelDuplexHandler() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof FullHttpRequest) {
                    // A pipelined request comes here only after the answer before it was written,
                    // which set the idle deadline: no deadline runs while it is answered either.
                    answering = true;
                    reading = false;
                    idleDeadline = 0;
                    cancelRequestTimer();
                }
                ctx.fireChannelRead(msg);
            }

            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                if (msg instanceof LastHttpContent) {
                    ChannelPromise sent = promise.unvoid();
                    sent.addListener(f -> {
                        answering = false;
                        answered++;
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
        idleDeadline = System.nanoTime() + guard.limits().idle().toNanos();
        if (idleTimer != null && idleTimerAt - idleDeadline > 0) {
            idleTimer.cancel(false); // the idle limit was edited down: the timer set before fires too late
            idleTimer = null;
        }
        if (idleTimer == null) {
            setIdleTimer(ctx, idleDeadline);
        }
    }

    /**
     * When the idle timer fires: closes a connection still idle past its deadline, or one whose answer
     * sent nothing since the last time; else fires again when what is left of the deadline, or another
     * idle period, is over.
     */
    private void idleTimerFired(ChannelHandlerContext ctx) {
        idleTimer = null;
        if (idleDeadline != 0) {
            if (idleDeadline - System.nanoTime() > 0) {
                setIdleTimer(ctx, idleDeadline);
            } else {
                ctx.close();
            }
            return;
        }
        if (answering && stalled(ctx)) {
            String why = "HTTP answer to " + Guard.client(ctx).getHostAddress() + " sent nothing for "
                    + guard.limits().idle().toSeconds() + " s: the client stopped reading";
            guard.hit(Guard.client(ctx), "send-timeout", why);
            ctx.close();
            return;
        }
        setIdleTimer(ctx, System.nanoTime() + guard.limits().idle().toNanos());
    }

    /** @param at the {@link System#nanoTime} it fires at */
    private void setIdleTimer(ChannelHandlerContext ctx, long at) {
        idleTimerAt = at;
        idleTimer = ctx.executor().schedule(() -> idleTimerFired(ctx), at - System.nanoTime(), TimeUnit.NANOSECONDS);
    }

    /**
     * Whether the answer has bytes waiting on the socket and not one of them left since the timer last
     * fired. An answer with nothing waiting (its image still being pulled, its file still being
     * rendered) is never stalled.
     */
    private boolean stalled(ChannelHandlerContext ctx) {
        ChannelOutboundBuffer out = ctx.channel().unsafe().outboundBuffer();
        Object current = out == null ? null : out.current();
        long progress = current == null ? 0 : out.currentProgress();
        boolean stalled = current != null && current == sending && progress == sendingProgress
                && answered == sendingAnswered;
        sending = current;
        sendingProgress = progress;
        sendingAnswered = answered;
        return stalled;
    }

    private void tooSlow(ChannelHandlerContext ctx) {
        String why = "HTTP request from " + Guard.client(ctx).getHostAddress() + " not complete within "
                + guard.limits().request().toSeconds() + " s of its first byte";
        guard.hit(Guard.client(ctx), "request-timeout", why);
        Guard.answerAndClose(ctx, HttpResponseStatus.REQUEST_TIMEOUT, why);
    }

    private void cancelRequestTimer() {
        if (requestTimer != null) {
            requestTimer.cancel(false);
            requestTimer = null;
        }
    }
}
